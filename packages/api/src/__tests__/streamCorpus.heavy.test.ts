// The heavy tier: a file decoded as it streams gives exactly what its whole text gives, on every
// input of the status-conformance corpus in ../shared (~490 files), in small chunks (cut inside
// markers, lines and characters) and in large ones.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseResourceFile, streamResourceFile } from '../index.js';

const cases = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../../../shared/conformance/gatewayapi-status/cases',
);

describe.runIf(existsSync(cases))('streamResourceFile, corpus', () => {
  it('equals a whole-text parse on every corpus input', async () => {
    let compared = 0;
    for (const name of readdirSync(cases)) {
      const file = join(cases, name, 'input.yaml');
      const bytes = readFileSync(file);
      const whole = parseResourceFile(bytes.toString('utf8'), file, { lenient: true });
      for (const size of [7, 4096]) {
        const chunks = async function* () {
          for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
        };
        expect(await streamResourceFile(chunks, file, { lenient: true }), name).toEqual(whole);
      }
      compared++;
    }
    expect(compared).toBeGreaterThan(400);
  }, 600_000);
});
if (!existsSync(cases)) {
  describe('streamResourceFile, corpus', () => {
    it('cannot be checked: ../shared is absent', () => {
      console.warn(`skipped: ${cases} is absent`);
    });
  });
}
