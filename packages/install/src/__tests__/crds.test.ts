// The chart's CRDs are what the generator makes from @egts/api now (STYLE.md #14: regenerate with
// `pnpm --filter @egts/install gen`, and this fails when a file is stale), and they are structural.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chartDir, crdFileName, envoyGatewayCrds, renderCrdFile, structural } from '../index.js';

const update = process.env.UPDATE_GOLDENS === '1';

describe('generated CRDs', () => {
  const crds = envoyGatewayCrds();

  it('covers every Envoy Gateway kind, one file each, matching the generator', () => {
    expect(crds.map((c) => (c.spec as { names: { kind: string } }).names.kind).sort()).toEqual([
      'Backend',
      'BackendTrafficPolicy',
      'ClientTrafficPolicy',
      'EnvoyExtensionPolicy',
      'EnvoyPatchPolicy',
      'EnvoyProxy',
      'HTTPRouteFilter',
      'SecurityPolicy',
    ]);
    const expected = new Set<string>();
    for (const crd of crds) {
      const file = crdFileName(crd);
      expected.add(basename(file));
      const text = renderCrdFile(crd);
      if (update) writeFileSync(file, text);
      expect(existsSync(file), `${file} is missing: run pnpm --filter @egts/install gen`).toBe(
        true,
      );
      expect(
        readFileSync(file, 'utf8'),
        `${file} is stale: run pnpm --filter @egts/install gen`,
      ).toBe(text);
    }
    expect(readdirSync(join(chartDir(), 'crds')).sort()).toEqual([...expected].sort());
  });

  it('turns zod JSON Schema into structural schema nodes', () => {
    expect(structural({ anyOf: [{ type: 'integer' }, { type: 'string' }] })).toEqual({
      'x-kubernetes-int-or-string': true,
    });
    expect(structural({})).toEqual({ 'x-kubernetes-preserve-unknown-fields': true });
    expect(
      structural({
        type: 'object',
        properties: { a: { type: 'string' } },
        additionalProperties: false,
      }),
    ).toEqual({ type: 'object', properties: { a: { type: 'string' } } });
    expect(structural({ type: 'object', additionalProperties: { type: 'string' } })).toEqual({
      type: 'object',
      additionalProperties: { type: 'string' },
    });
    expect(
      structural({
        anyOf: [
          { type: 'number', enum: [1] },
          { type: 'number', enum: [2] },
        ],
      }),
    ).toEqual({
      type: 'number',
      enum: [1, 2],
    });
    expect(
      structural({ type: 'integer', minimum: -9007199254740991, maximum: 9007199254740991 }),
    ).toEqual({ type: 'integer' });
  });
});
