// Every input of the status-conformance corpus in ../shared loads without a crash, and what it
// reports are real problems of the input, each named by file, document and field.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadResourcesFromPath } from '../index.js';

const cases = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../../../shared/conformance/gatewayapi-status/cases',
);
const haveCorpus = existsSync(cases);

describe.runIf(haveCorpus)('status-conformance corpus inputs', () => {
  it('all load, and every problem names its file, document and kind', async () => {
    let loaded = 0;
    for (const name of readdirSync(cases)) {
      const file = join(cases, name, 'input.yaml');
      const { resources, problems } = await loadResourcesFromPath(file, { lenient: true });
      expect(resources.gatewayClasses.length, name).toBeGreaterThan(0);
      for (const problem of problems) {
        expect(problem.file).toBe(file);
        expect(problem.document).toBeGreaterThan(0);
        expect(problem.kind).toBeTruthy();
      }
      loaded++;
    }
    expect(loaded).toBeGreaterThan(400);
  });
});

if (!haveCorpus) {
  describe('status-conformance corpus inputs', () => {
    it('cannot be checked: ../shared is absent', () => {
      console.warn(`skipped: ${cases} is absent`);
    });
  });
}
