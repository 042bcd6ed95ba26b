// Every example under examples/ is valid and translates with every resource accepted.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './runCli.js';

const examples = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'examples');

describe('examples', () => {
  for (const name of readdirSync(examples)) {
    it(`${name} is valid and fully accepted`, () => {
      const path = join(examples, name);
      const validate = runCli(['validate', '-f', path]);
      expect(validate.stdout).toMatch(/ 0 errors, 0 warnings\n$/);
      const check = runCli(['translate', '-f', path, '-o', 'status', '--check']);
      expect(check.stderr).toBe('');
      expect(check.status).toBe(0);
    });
  }
});
