// The translator writes the hottest messages out whole (routes, matches, actions, endpoints)
// rather than through the generated fromPartial: every resource must still be a complete
// message, exactly what fromPartial makes of it, field for field and in its order, so that
// encodings, deep comparisons and the xDS server see the same messages as before.
import { isDeepStrictEqual } from 'node:util';
import {
  Cluster,
  ClusterLoadAssignment,
  Listener,
  type MessageCodec,
  RouteConfiguration,
  Secret,
} from '@egts/envoy-api';
import { describe, expect, it } from 'vitest';
import { createXdsTranslator, translateXds, type XdsResources } from '../index.js';
import { caseIR, goldenCases } from './goldens.js';

type Codec = MessageCodec<unknown> & { fromPartial(object: unknown): unknown };

const CODECS: readonly [keyof XdsResources, Codec][] = [
  ['listeners', Listener as unknown as Codec],
  ['routes', RouteConfiguration as unknown as Codec],
  ['clusters', Cluster as unknown as Codec],
  ['endpoints', ClusterLoadAssignment as unknown as Codec],
  ['secrets', Secret as unknown as Codec],
];

/** Paths where `a` and `b` differ in their keys or the keys' order (values aside). */
const keyOrderDiffs = (a: unknown, b: unknown, path: string, out: string[]): void => {
  if (a === null || typeof a !== 'object' || a instanceof Uint8Array) return;
  if (Array.isArray(a)) {
    for (let i = 0; i < a.length; i++)
      keyOrderDiffs(a[i], (b as unknown[])[i], `${path}[${i}]`, out);
    return;
  }
  const keys = Object.keys(a);
  const other = Object.keys(b as object);
  if (keys.join() !== other.join()) out.push(`${path}: {${keys}} vs {${other}}`);
  for (const key of keys)
    keyOrderDiffs(
      (a as Record<string, unknown>)[key],
      (b as Record<string, unknown>)[key],
      `${path}.${key}`,
      out,
    );
};

/** Every resource of `resources` that fromPartial would change, with where. */
const incomplete = (resources: XdsResources): string[] => {
  const out: string[] = [];
  for (const [type, codec] of CODECS) {
    for (const message of resources[type] as readonly object[]) {
      const name = (message as { name?: string; clusterName?: string }).name;
      const label = `${type} ${name ?? (message as { clusterName?: string }).clusterName}`;
      const complete = codec.fromPartial(message);
      if (!isDeepStrictEqual(complete, message)) out.push(`${label}: values differ`);
      keyOrderDiffs(message, complete, label, out);
    }
  }
  return out;
};

describe('xDS resources are complete messages', () => {
  for (const name of goldenCases()) {
    it(name, async () => {
      const irs = await caseIR(name);
      const stateful = createXdsTranslator();
      for (const ir of irs) {
        for (const mode of ['ads', 'static'] as const)
          expect(incomplete(translateXds(ir, { mode })), `${ir.name} ${mode}`).toEqual([]);
        expect(incomplete(stateful.update(ir.name, ir)), `${ir.name} stateful`).toEqual([]);
      }
    });
  }
});
