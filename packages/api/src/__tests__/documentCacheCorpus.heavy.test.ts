// The heavy tier: parseResourceFile with a DocumentCache gives exactly what a full parse gives, on
// every input of the status-conformance corpus in ../shared (~490 files, two parses and a deep
// comparison each: seconds on a quiet machine, minutes on a loaded one).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createDocumentCache, parseResourceFile } from '../index.js';

const cases = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../../../shared/conformance/gatewayapi-status/cases',
);

describe.runIf(existsSync(cases))('parseResourceFile with a DocumentCache, corpus', () => {
  it('equals a full parse on every corpus input', () => {
    let compared = 0;
    for (const name of readdirSync(cases)) {
      const file = join(cases, name, 'input.yaml');
      const text = readFileSync(file, 'utf8');
      const cache = createDocumentCache();
      const full = parseResourceFile(text, file, { lenient: true });
      expect(parseResourceFile(text, file, { lenient: true }, cache), name).toEqual(full);
      compared++;
    }
    expect(compared).toBeGreaterThan(400);
  });
});
if (!existsSync(cases)) {
  describe('parseResourceFile with a DocumentCache, corpus', () => {
    it('cannot be checked: ../shared is absent', () => {
      console.warn(`skipped: ${cases} is absent`);
    });
  });
}
