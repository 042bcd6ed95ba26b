// In one xDS translator, a connection manager's HTTP filters are built again only when what they
// read of its listeners and routes changed: a route change that leaves every route's policies
// as they were gives the same filter messages (one listener-wide jwt_authn config is not rebuilt
// for every route edit), a changed policy rebuilds its filter, and the output always equals a
// fresh translateXds().
import { HttpConnectionManager, type HttpFilter } from '@egts/envoy-api';
import type { HTTPListener, HTTPRouteIR, SecurityIR, XdsIR } from '@egts/ir';
import { describe, expect, it } from 'vitest';
import { createXdsTranslator, translateXds, type XdsResources } from '../index.js';
import { FilterMemo, memoizedFilters } from '../internal/listener/filterMemo.js';
import { fleetIR, httpRoute } from './irFixtures.js';

const jwt = (policy: string, issuer: string): SecurityIR => ({
  policy,
  jwt: {
    optional: false,
    failOpen: false,
    providers: [{ name: 'p', issuer, audiences: [], localJWKS: '{"keys":[]}', claimToHeaders: [] }],
  },
});

const route = (name: string, prefix: string, security?: SecurityIR): HTTPRouteIR =>
  httpRoute(name, prefix, security === undefined ? {} : { security });

const ir = (routes: HTTPRouteIR[]): XdsIR => fleetIR(routes);

const jwtConfigOf = (resources: XdsResources): string | undefined => {
  const listener = resources.listeners[0]!;
  const chain = listener.defaultFilterChain ?? listener.filterChains[0]!;
  const any = chain.filters.at(-1)!.typedConfig!;
  const hcm = HttpConnectionManager.decode(any.value);
  const found = hcm.httpFilters.find((f) => f.name === 'envoy.filters.http.jwt_authn');
  return found?.typedConfig?.value.toString('base64');
};

/**
 * A filter counting its builds, reading `security` of every route (and `port` of listeners).
 * A run over one route or none is the memo asking whether it needs an added or removed route:
 * counted apart.
 */
const counting = () => {
  const filter = {
    builds: 0,
    probes: 0,
    patchListener: (listeners: readonly HTTPListener[]): HttpFilter[] => {
      if (listeners.flatMap((l) => l.routes).length > 1) filter.builds++;
      else filter.probes++;
      const policies = listeners.flatMap((l) =>
        l.routes.flatMap((r) => (r.security === undefined ? [] : [r.security.policy])),
      );
      return [{ name: `${listeners[0]!.port}:${policies.join(',')}` } as HttpFilter];
    },
  };
  return filter;
};

const listenerOf = (routes: HTTPRouteIR[]): HTTPListener => ir(routes).http[0]!;

describe('HTTP filter memo', () => {
  it('builds a filter again only when a field it read changed', () => {
    const memo = new FilterMemo();
    const filter = counting();
    const build = (routes: HTTPRouteIR[], port = 10080) =>
      memoizedFilters(memo, [filter], [{ ...listenerOf(routes), port }], 'ads')[0];
    const a = route('a', '/a', jwt('default/a', 'https://a'));
    const b = route('b', '/b', jwt('default/b', 'https://b'));
    const first = build([a, b]);
    expect(filter.builds).toBe(1);
    // Another match on b, its policy an equal new object (as a re-translated route has).
    expect(build([a, route('b', '/b2', jwt('default/b', 'https://b'))])).toBe(first);
    expect(filter.builds).toBe(1);
    // A field the filter did not read (the path) is not an input.
    expect(build([route('a', '/z', a.security), b])).toBe(first);
    // b's policy changed, a route added, a listener field it read changed: built again.
    const third = build([a, route('b', '/b', jwt('default/c', 'https://b'))]);
    expect(filter.builds).toBe(2);
    expect(third!.name).toBe('10080:default/a,default/c');
    build([a, b, route('c', '/c')]);
    expect(filter.builds).toBe(3);
    expect(build([a, b, route('c', '/c')], 10081)!.name).toBe('10081:default/a,default/b');
    expect(filter.builds).toBe(4);
    // Another mode is another build.
    memoizedFilters(
      memo,
      [filter],
      [{ ...listenerOf([a, b, route('c', '/c')]), port: 10081 }],
      'static',
    );
    expect(filter.builds).toBe(5);
  });

  it('asks a filter with no route again when a listener field it read changed', () => {
    const memo = new FilterMemo();
    const filter = counting();
    const build = (routes: HTTPRouteIR[], port: number) =>
      memoizedFilters(memo, [filter], [{ ...listenerOf(routes), port }], 'ads')[0]!;
    const a = route('a', '/a', jwt('default/a', 'https://a'));
    const b = route('b', '/b', jwt('default/b', 'https://b'));
    const [c, d] = [route('c', '/c'), route('d', '/d')];
    build([a, b], 10080);
    expect(build([a, b, c], 10080).name).toBe('10080:default/a,default/b');
    expect([filter.builds, filter.probes]).toEqual([1, 2]);
    const moved = build([a, b, c], 10081);
    expect(filter.builds).toBe(2);
    // The port it read with no route changed: run again (the one for 10080 would differ from d
    // alone on 10081, and build the filter again).
    expect(build([a, b, c, d], 10081)).toBe(moved);
    expect([filter.builds, filter.probes]).toEqual([2, 4]);
  });

  it('builds again, for a route added or removed, only a filter that route needs', () => {
    const memo = new FilterMemo();
    const filter = counting();
    const build = (routes: HTTPRouteIR[]) =>
      memoizedFilters(memo, [filter], [listenerOf(routes)], 'ads')[0]!;
    const a = route('a', '/a', jwt('default/a', 'https://a'));
    const b = route('b', '/b', jwt('default/b', 'https://b'));
    const [c, d] = [route('c', '/c'), route('d', '/d')];
    const first = build([a, b]);
    // Routes without a policy added at the end, then in the middle, then both removed: kept.
    expect(build([a, b, c])).toBe(first);
    expect(build([a, d, b, c])).toBe(first);
    expect(build([a, b])).toBe(first);
    // One run with each route alone, and one with no route: remembered while the listener
    // fields it read hold.
    expect([filter.builds, filter.probes]).toEqual([1, 5]);
    // A route with a policy added, then removed: built again each time.
    const e = route('e', '/e', jwt('default/e', 'https://e'));
    expect(build([a, e, b, c]).name).toBe('10080:default/a,default/e,default/b');
    expect(build([a, b, c]).name).toBe('10080:default/a,default/b');
    expect(filter.builds).toBe(3);
    // A route without a policy removed while the others moved: built again (their order).
    expect(build([b, a]).name).toBe('10080:default/b,default/a');
    expect(filter.builds).toBe(4);
  });

  it('builds again, without probing, when most routes were added at once', () => {
    const memo = new FilterMemo();
    const filter = counting();
    const build = (routes: HTTPRouteIR[]) =>
      memoizedFilters(memo, [filter], [listenerOf(routes)], 'ads')[0]!;
    const a = route('a', '/a', jwt('default/a', 'https://a'));
    const plain = Array.from({ length: 40 }, (_, i) => route(`p${i}`, `/p${i}`));
    build([a]);
    // Eight routes are probed whatever their share (each a run of the filter over one route).
    const eight = build([a, ...plain.slice(0, 8)]);
    expect([filter.builds, filter.probes]).toEqual([0, 10]);
    // 32 routes added to 9: one build over all of them, not 32 probes.
    expect(build([a, ...plain]).name).toBe(eight.name);
    expect([filter.builds, filter.probes]).toEqual([1, 10]);
    // One added to 41: probed (the route alone; the run with no route is remembered), kept.
    const b = route('b', '/b');
    expect(build([a, ...plain, b])).toBe(build([a, ...plain, b]));
    expect([filter.builds, filter.probes]).toEqual([1, 11]);
  });

  it("reads one level into a route's object fields", () => {
    const memo = new FilterMemo();
    let builds = 0;
    // Reads `security.jwt` (and whether there is a `security`), as jwt_authn does.
    const jwtOnly = {
      patchListener: (listeners: readonly HTTPListener[]): HttpFilter[] => {
        builds++;
        const issuers = listeners[0]!.routes.map(
          (r) => r.security?.jwt?.providers[0]?.issuer ?? '-',
        );
        return [{ name: issuers.join(',') } as HttpFilter];
      },
    };
    // Looks at the keys of `security`: the whole field is its input.
    let wholeBuilds = 0;
    const whole = {
      patchListener: (listeners: readonly HTTPListener[]): HttpFilter[] => {
        wholeBuilds++;
        const keys = listeners[0]!.routes.map((r) => Object.keys(r.security ?? {}).join('+'));
        return [{ name: keys.join(',') } as HttpFilter];
      },
    };
    const build = (routes: HTTPRouteIR[]) =>
      memoizedFilters(memo, [jwtOnly, whole], [listenerOf(routes)], 'ads').map((f) => f.name);
    const authorization = (cidr: string): SecurityIR['authorization'] => ({
      defaultAction: 'Deny',
      rules: [{ name: 'r', action: 'Allow', clientCIDRs: [cidr], headers: [], methods: [] }],
    });
    const a = route('a', '/a', jwt('default/a', 'https://a'));
    const b = (security?: SecurityIR) => route('b', '/b', security);
    expect(
      build([
        a,
        b({ ...jwt('default/b', 'https://b'), authorization: authorization('10.0.0.0/8') }),
      ]),
    ).toEqual(['https://a,https://b', 'policy+jwt,policy+jwt+authorization']);
    expect([builds, wholeBuilds]).toEqual([1, 1]);
    // Another authorization: the jwt-only filter is kept, the one reading all of it is not.
    build([
      a,
      b({ ...jwt('default/b', 'https://b'), authorization: authorization('10.1.0.0/16') }),
    ]);
    expect([builds, wholeBuilds]).toEqual([1, 2]);
    // Another issuer, then no policy at all: built again each time.
    expect(build([a, b(jwt('default/b', 'https://c'))])[0]).toBe('https://a,https://c');
    expect(build([a, b()])).toEqual(['https://a,-', 'policy+jwt,']);
    expect([builds, wholeBuilds]).toEqual([3, 4]);
  });

  it('forgets a connection manager whose filters threw', () => {
    const memo = new FilterMemo();
    const filter = counting();
    const boom = {
      patchListener: (listeners: readonly HTTPListener[]): HttpFilter[] => {
        if (listeners[0]!.routes.some((r) => r.name === 'boom')) throw new Error('boom');
        return [];
      },
    };
    const build = (routes: HTTPRouteIR[]) =>
      memoizedFilters(memo, [filter, boom], [listenerOf(routes)], 'ads')[0];
    const a = route('a', '/a', jwt('default/a', 'https://a'));
    build([a]);
    expect(() => build([route('boom', '/a', jwt('default/x', 'https://x'))])).toThrow('boom');
    // `filter` was built for the route that threw: not taken for `a` again.
    expect(build([a])!.name).toBe('10080:default/a');
  });

  it('does not remember a filter that looked at the keys of a route', () => {
    const memo = new FilterMemo();
    let builds = 0;
    const filter = {
      patchListener: (listeners: readonly HTTPListener[]): HttpFilter[] => {
        builds++;
        return [{ name: Object.keys(listeners[0]!.routes[0]!).join(',') } as HttpFilter];
      },
    };
    const a = route('a', '/a');
    memoizedFilters(memo, [filter], [listenerOf([a])], 'ads');
    memoizedFilters(memo, [filter], [listenerOf([a])], 'ads');
    expect(builds).toBe(2);
  });

  it('gives what translateXds gives through route and policy changes', () => {
    const translator = createXdsTranslator();
    const check = (routes: HTTPRouteIR[]) => {
      const out = translator.update('f', ir(routes));
      expect(out).toEqual(translateXds(ir(routes)));
      return jwtConfigOf(out);
    };
    const a = route('a', '/a', jwt('default/a', 'https://a'));
    const first = check([a, route('b', '/b', jwt('default/b', 'https://b'))]);
    expect(check([a, route('b', '/b2', jwt('default/b', 'https://b'))])).toBe(first);
    expect(check([a, route('b', '/b2', jwt('default/b', 'https://b3'))])).not.toBe(first);
    check([a, route('b', '/b2', jwt('default/b', 'https://b3')), route('c', '/c')]);
    expect(check([route('a', '/a'), route('b', '/b2')])).toBeUndefined();
  });

  it('works on frozen IR', () => {
    const freeze = <T>(o: T): T => {
      if (o !== null && typeof o === 'object') {
        for (const v of Object.values(o)) freeze(v);
        Object.freeze(o);
      }
      return o;
    };
    const translator = createXdsTranslator();
    const input = freeze(ir([route('a', '/a', jwt('default/a', 'https://a'))]));
    expect(translator.update('f', input)).toEqual(translateXds(input));
  });
});
