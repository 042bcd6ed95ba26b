// Integration (real Envoy): every bootstrap in every golden `.out.yaml` passes
// `envoy --mode validate`, which builds every listener, route, cluster and secret without serving.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateEnvoyConfig } from '@egts/envoy-binary';
import { describe, expect, it } from 'vitest';
import { goldenCases, TESTDATA } from './goldens.js';
import { mapLimit } from './mapLimit.js';

describe('[envoy] golden bootstraps validate', () => {
  it('every golden document is accepted by envoy --mode validate', async () => {
    const docs = goldenCases().flatMap((name) =>
      readFileSync(join(TESTDATA, `${name}.out.yaml`), 'utf8')
        .split(/^---\n/m)
        .map((text, index) => ({ name: `${name}.out.yaml#${index}`, text })),
    );
    expect(docs.length).toBeGreaterThan(0);
    // Two at a time: validation takes ~0.2 s each and the machine is shared.
    const results = await mapLimit(docs, 2, async (doc) => ({
      ...doc,
      ...(await validateEnvoyConfig(doc.text)),
    }));
    const failures = results.filter((result) => !result.valid);
    expect(
      failures.map(
        (failure) =>
          `${failure.name}: ${failure.output
            .split('\n')
            .filter((line) => line.includes('critical') || line.includes('error'))
            .join('\n')}`,
      ),
    ).toEqual([]);
  }, 120_000);
});
