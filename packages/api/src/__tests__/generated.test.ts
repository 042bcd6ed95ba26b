// The committed generated schemas must be what the generator makes from ../shared's CRDs now.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generate } from '../../scripts/generate.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const shared = join(packageDir, '..', '..', '..', 'shared');
const haveShared = existsSync(join(shared, 'gateway-api', 'crds'));

describe.runIf(haveShared)('generated schemas', () => {
  it('are current (regenerate with `pnpm --filter @egts/api generate`)', () => {
    const expected = generate(shared);
    const dir = join(packageDir, 'src', 'generated');
    expect(readdirSync(dir).sort()).toEqual([...expected.keys()].sort());
    for (const [name, text] of expected) {
      expect(readFileSync(join(dir, name), 'utf8'), name).toBe(text);
    }
  });
});

if (!haveShared) {
  describe('generated schemas', () => {
    it('cannot be checked: ../shared is absent', () => {
      console.warn(
        `skipped: ${shared} is absent, so the CRDs the schemas come from cannot be read`,
      );
    });
  });
}
