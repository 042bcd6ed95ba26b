// A resource set of a stateful translator makes a list from the last one when few additions
// differ (resourceSet.ts): after any sequence of additions, each list must be what a set with no
// memory gives for the same additions, message for message (the first addition with a name wins).
import type { Cluster } from '@egts/envoy-api';
import { describe, expect, it } from 'vitest';
import { ResourceSet } from '../internal/resourceSet.js';
import { XdsMemo } from '../internal/xdsMemo.js';
import type { XdsResources } from '../xdsResources.js';

/** A fixed pseudo-random sequence (mulberry32). */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

/** A set's addition: a list another set emitted (sorted, one per name), or one message. */
type Addition = readonly Cluster[] | Cluster;

const clusters = (list: readonly Cluster[]): XdsResources => ({
  listeners: [],
  routes: [],
  clusters: list as Cluster[],
  endpoints: [],
  secrets: [],
});

const fill = (out: ResourceSet, additions: readonly Addition[]) => {
  for (const addition of additions) {
    if (Array.isArray(addition)) out.addResources(clusters(addition));
    else out.addCluster(addition as Cluster);
  }
  return out.toResources().clusters;
};

describe('resource set lists', () => {
  it('made from the last list, equal those made from nothing, message for message', () => {
    const next = random(7);
    const pick = (n: number) => Math.floor(next() * n);
    // Two messages per name: equal names from different additions may be different objects.
    const variants = Array.from({ length: 40 }, (_, i) =>
      [0, 1].map(() => ({ name: `c${String(i).padStart(2, '0')}` }) as Cluster),
    );
    const addition = (): Addition => {
      if (next() < 0.2) return variants[pick(40)]![pick(2)]!;
      const names = [...new Set(Array.from({ length: 1 + pick(8) }, () => pick(40)))].sort(
        (a, b) => a - b,
      );
      return names.map((i) => variants[i]![pick(2)]!);
    };
    let lists = 0;
    for (let run = 0; run < 20; run++) {
      const memo = new XdsMemo();
      let additions: Addition[] = Array.from({ length: 2 + pick(12) }, addition);
      let previous: XdsResources | undefined;
      for (let step = 0; step < 40; step++) {
        additions = [...additions];
        for (let k = 1 + pick(2); k > 0; k--) {
          const op = pick(4);
          const at = pick(additions.length);
          if (op === 0) additions[at] = addition();
          else if (op === 1) additions.splice(pick(additions.length + 1), 0, addition());
          else if (op === 2 && additions.length > 2) additions.splice(at, 1);
          else additions.splice(pick(additions.length), 0, ...additions.splice(at, 1));
        }
        const out = new ResourceSet('ads', memo, false, false, previous);
        const list = fill(out, additions);
        const expected = fill(new ResourceSet('ads', new XdsMemo(false)), additions);
        expect(list.length, `run ${run} step ${step}`).toBe(expected.length);
        for (const [i, item] of list.entries())
          expect(item, `run ${run} step ${step}`).toBe(expected[i]);
        previous = clusters(list);
        lists++;
      }
    }
    expect(lists).toBe(800);
  });
});
