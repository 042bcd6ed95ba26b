// translatePolicyStatuses gives exactly the policy statuses translate() gives, on every golden case.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadResourcesFromText } from '@egts/api';
import { describe, expect, it } from 'vitest';
import { translate } from '../index.js';
import { translatePolicyStatuses } from '../internal/incremental/policyStatuses.js';

const testdata = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'testdata');
const now = new Date('2030-01-01T00:00:00Z');
const POLICY_KINDS = new Set([
  'ClientTrafficPolicy',
  'BackendTrafficPolicy',
  'SecurityPolicy',
  'EnvoyExtensionPolicy',
  'EnvoyPatchPolicy',
]);

describe('translatePolicyStatuses', () => {
  const cases = readdirSync(testdata).filter((f) => f.endsWith('.in.yaml'));
  it.each(cases)('equals the policy statuses of translate() for %s', (file) => {
    const text = readFileSync(join(testdata, file), 'utf8');
    const { resources } = loadResourcesFromText(text, file, { lenient: true });
    const full = translate(resources, { now }).statuses.filter((s) => POLICY_KINDS.has(s.kind));
    expect(translatePolicyStatuses(resources, { now })).toEqual(full);
  });

  it('has cases with policies', () => {
    const text = readFileSync(join(testdata, 'policies.in.yaml'), 'utf8');
    const { resources } = loadResourcesFromText(text, 'policies.in.yaml', { lenient: true });
    expect(translatePolicyStatuses(resources, { now }).length).toBeGreaterThan(3);
  });
});
