// Golden tests (STYLE.md #14): testdata/<case>.in.yaml -> <case>.out.yaml holding the statuses and
// the IR the case produces. `UPDATE_GOLDENS=1 pnpm test` regenerates every .out.yaml; CI fails
// when regenerating would change one.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadResourcesFromText } from '@egts/api';
import { InfraIRSchema, XdsIRSchema } from '@egts/ir';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { translate } from '../index.js';

const testdata = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'testdata');
const update = process.env.UPDATE_GOLDENS === '1';
/** Certificates in testdata are valid at this instant; a fixed clock keeps goldens stable. */
const now = new Date('2030-01-01T00:00:00Z');
const cases = readdirSync(testdata)
  .filter((f) => f.endsWith('.in.yaml'))
  .map((f) => f.slice(0, -'.in.yaml'.length))
  .sort();

function run(name: string) {
  const text = readFileSync(join(testdata, `${name}.in.yaml`), 'utf8');
  const { resources, problems } = loadResourcesFromText(text, `${name}.in.yaml`, { lenient: true });
  const snapshot = JSON.stringify(resources);
  const result = translate(resources, { now });
  return { resources, problems, snapshot, result };
}

describe('golden cases', () => {
  it.each(cases)('%s', (name) => {
    const { resources, snapshot, result } = run(name);
    // Inputs are never mutated, and the IR satisfies its schemas.
    expect(JSON.stringify(resources)).toBe(snapshot);
    InfraIRSchema.parse(result.infraIR);
    for (const ir of result.xdsIR) XdsIRSchema.parse(ir);
    const output = stringify(
      { statuses: result.statuses, infraIR: result.infraIR, xdsIR: result.xdsIR },
      { lineWidth: 0 },
    );
    const golden = join(testdata, `${name}.out.yaml`);
    if (update || !existsSync(golden)) {
      writeFileSync(golden, output);
      if (!update) throw new Error(`wrote missing golden ${name}.out.yaml; review and commit it`);
    }
    expect(output).toBe(readFileSync(golden, 'utf8'));
  });

  it('is deterministic: the same input gives byte-identical output', () => {
    for (const name of cases) {
      const a = run(name).result;
      const b = run(name).result;
      expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    }
  });
});
