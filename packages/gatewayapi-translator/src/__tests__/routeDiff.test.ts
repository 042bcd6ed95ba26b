// diffRoutes: edits found by walking arrays by identity, additions and removals by key, and
// undefined for duplicate keys; its key index follows the arrays it derives.
import type { Resources } from '@egts/api';
import { describe, expect, it } from 'vitest';
import { IncrementalMemo } from '../internal/incremental/incrementalMemo.js';
import { diffRoutes, routeIndex } from '../internal/incremental/routeDiff.js';

const route = (name: string, path = '/') => ({
  kind: 'HTTPRoute',
  metadata: { name, namespace: 'default' },
  spec: { parentRefs: [{ name: 'gw' }], rules: [{ matches: [{ path: { value: path } }] }] },
});
const input = (httpRoutes: unknown[]) =>
  ({
    httpRoutes,
    grpcRoutes: [],
    tlsRoutes: [],
    tcpRoutes: [],
    udpRoutes: [],
  }) as unknown as Resources;

describe('diffRoutes', () => {
  it('finds edits in place, additions, removals, and ignores equal copies', () => {
    const memo = new IncrementalMemo();
    const [a, b, c] = [route('a'), route('b'), route('c')];
    const first = input([a, b, c]);
    routeIndex(memo, first.httpRoutes);
    const b2 = route('b', '/two');
    const second = input([a, b2, structuredClone(c)]);
    expect(diffRoutes(memo, first, second)).toEqual([
      { kind: 'httpRoutes', key: 'httproute/default/b', before: b, after: b2 },
    ]);
    expect(routeIndex(memo, second.httpRoutes)?.get('httproute/default/b')).toBe(b2);
    const d = route('d');
    const third = input([d, a, b2]);
    expect(diffRoutes(memo, second, third)).toEqual([
      { kind: 'httpRoutes', key: 'httproute/default/d', before: undefined, after: d },
      { kind: 'httpRoutes', key: 'httproute/default/c', before: second.httpRoutes[2] },
    ]);
  });

  it('keys only what lies between the unchanged ends when routes are added or removed', () => {
    const memo = new IncrementalMemo();
    const [a, b, c, d] = [route('a'), route('b'), route('c'), route('d')];
    const first = input([a, b, c]);
    const index = routeIndex(memo, first.httpRoutes);
    const second = input([a, b, d, c]);
    expect(diffRoutes(memo, first, second)).toEqual([
      { kind: 'httpRoutes', key: 'httproute/default/d', before: undefined, after: d },
    ]);
    // Handed on, updated.
    expect(routeIndex(memo, second.httpRoutes)).toBe(index);
    expect([...index!.keys()].sort()).toEqual(
      ['a', 'b', 'c', 'd'].map((n) => `httproute/default/${n}`),
    );
    const third = input([a, d, c]);
    expect(diffRoutes(memo, second, third)).toEqual([
      { kind: 'httpRoutes', key: 'httproute/default/b', before: b },
    ]);
    expect(routeIndex(memo, third.httpRoutes)?.has('httproute/default/b')).toBe(false);
    // A route of a key kept at one end comes in again in between: two routes of one key.
    expect(diffRoutes(memo, third, input([a, d, route('a', '/x'), c]))).toBeUndefined();
  });

  it('gives up on two routes of one key', () => {
    const a = route('a');
    expect(
      diffRoutes(new IncrementalMemo(), input([a]), input([a, route('a', '/x')])),
    ).toBeUndefined();
  });
});
