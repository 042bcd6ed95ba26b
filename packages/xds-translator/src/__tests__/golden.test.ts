// Golden tests: every testdata case renders byte-identically to its `.out.yaml`;
// `UPDATE_GOLDENS=1 pnpm --filter @egts/xds-translator test` rewrites them.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { caseIR, goldenCases, renderBootstraps, TESTDATA } from './goldens.js';

const update = process.env.UPDATE_GOLDENS === '1';

describe('golden xDS output', () => {
  it('has cases', () => {
    expect(goldenCases().length).toBeGreaterThan(0);
  });

  for (const name of goldenCases()) {
    it(name, async () => {
      const rendered = renderBootstraps(await caseIR(name));
      const golden = join(TESTDATA, `${name}.out.yaml`);
      if (update) writeFileSync(golden, rendered);
      expect(existsSync(golden), `${golden} missing: run with UPDATE_GOLDENS=1`).toBe(true);
      expect(rendered).toBe(readFileSync(golden, 'utf8'));
      // Deterministic: a second translation gives the same bytes.
      expect(renderBootstraps(await caseIR(name))).toBe(rendered);
    });
  }
});
