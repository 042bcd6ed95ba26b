// In one xDS translator, the same IR route objects give the same Envoy messages (route, cluster,
// endpoints) across translations, in each mode, so a caller sharing unchanged IR pays only for
// what changed. Two translators, and two translateXds() calls, share nothing.
import type { HTTPRouteIR, SecurityIR, XdsIR } from '@egts/ir';
import { describe, expect, it } from 'vitest';
import { createXdsTranslator, type TranslateXdsOptions, translateXds } from '../index.js';
import { fleetIR, httpRoute } from './irFixtures.js';

const route = (name: string, prefix: string): HTTPRouteIR => httpRoute(name, prefix);

const ir = (routes: HTTPRouteIR[]): XdsIR => fleetIR(routes);

/** translateXds() through one translator, as its fleet `f`. */
const remembering = (options: TranslateXdsOptions = {}) => {
  const translator = createXdsTranslator(options);
  return (input: XdsIR) => translator.update('f', input);
};

describe('route memo', () => {
  it('reuses the messages of unchanged IR route objects and rebuilds changed ones', () => {
    const translate = remembering();
    const a = route('a', '/a');
    const b = route('b', '/b');
    const first = translate(ir([a, b]));
    const b2 = route('b', '/b2');
    const second = translate(ir([a, b2]));
    const routesOf = (x: typeof first) => x.routes[0]!.virtualHosts[0]!.routes;
    expect(routesOf(second)[0]).toBe(routesOf(first)[0]);
    expect(routesOf(second)[1]).not.toBe(routesOf(first)[1]);
    expect(JSON.stringify(routesOf(second)[1]!.match)).toContain('/b2');
    const cluster = (x: typeof first, name: string) => x.clusters.find((c) => c.name === name);
    expect(cluster(second, 'a/dest')).toBe(cluster(first, 'a/dest'));
    expect(second.endpoints.find((e) => e.clusterName === 'a/dest')).toBe(
      first.endpoints.find((e) => e.clusterName === 'a/dest'),
    );
    // Equal content from new objects: equal output, new messages.
    expect(translateXds(ir([route('a', '/a'), b2]))).toEqual(second);
  });

  it('rebuilds only the virtual host of a changed route, and keeps unchanged lists', () => {
    const translate = remembering();
    const a = { ...route('a', '/a'), hostname: 'a.example.com' };
    const b = { ...route('b', '/b'), hostname: 'b.example.com' };
    const first = translate(ir([a, b]));
    // A new route object around the same destination: new route message, same cluster.
    const b2 = { ...b, addRequestHeaders: [{ name: 'x', value: '1', append: false }] };
    const second = translate(ir([a, b2]));
    const hosts = (x: typeof first) => x.routes[0]!.virtualHosts;
    expect(hosts(second)[0]).toBe(hosts(first)[0]);
    expect(hosts(second)[1]).not.toBe(hosts(first)[1]);
    expect(second.clusters).toBe(first.clusters);
    expect(second.endpoints).toBe(first.endpoints);
    // The same content from new objects: equal output.
    expect(second).toEqual(translateXds(ir([structuredClone(a), structuredClone(b2)])));
  });

  it('keeps the listeners a route change leaves equal, and rebuilds those it changes', () => {
    for (const mode of ['ads', 'static'] as const) {
      const translate = remembering({ mode });
      const a = route('a', '/a');
      const first = translate(ir([a, route('b', '/b')]));
      // Another path: the connection manager (and so the listener) stays as it was over ADS,
      // where it names its route configuration; it inlines the routes in a bootstrap.
      const second = translate(ir([a, route('b', '/b2')]));
      if (mode === 'ads') expect(second.listeners).toBe(first.listeners);
      else expect(second.listeners[0]).not.toBe(first.listeners[0]);
      expect(second).toEqual(translateXds(ir([a, route('b', '/b2')]), { mode }));
      // CORS on a route adds the cors filter to the connection manager: a new listener.
      const cors = {
        allowOrigins: ['https://example.com'],
        allowMethods: ['GET'],
        allowHeaders: [],
        exposeHeaders: [],
        allowCredentials: false,
      };
      const third = translate(ir([a, { ...route('b', '/b2'), cors }]));
      expect(third.listeners[0]).not.toBe(second.listeners[0]);
      expect(third).toEqual(translateXds(ir([a, { ...route('b', '/b2'), cors }]), { mode }));
      expect(JSON.stringify(third.listeners)).not.toEqual(JSON.stringify(second.listeners));
    }
  });

  it("shares the per-route filter configs of one policy's routes", () => {
    const security: SecurityIR = {
      policy: 'default/p',
      authorization: {
        defaultAction: 'Deny',
        rules: [
          { name: 'r', action: 'Allow', clientCIDRs: ['10.0.0.0/8'], headers: [], methods: [] },
        ],
      },
    };
    const input = ir([
      { ...route('a', '/a'), security },
      { ...route('b', '/b'), security },
      { ...route('c', '/c'), security: structuredClone(security) },
    ]);
    const out = remembering()(input);
    const rbac = out.routes[0]!.virtualHosts[0]!.routes.map(
      (r) => r.typedPerFilterConfig['envoy.filters.http.rbac'],
    );
    expect(rbac[0]).toBeDefined();
    // The same policy object: one config; an equal copy: its own.
    expect(rbac[1]).toBe(rbac[0]);
    expect(rbac[2]).not.toBe(rbac[0]);
    expect(rbac[2]).toEqual(rbac[0]);
    expect(Object.isFrozen(rbac[0])).toBe(true);
    expect(out).toEqual(translateXds(structuredClone(input)));
  });

  it('makes the lists of a route added or removed from the last ones, first name winning', () => {
    // Ten hosts of two routes each, and one route name on every host: one cluster, equal on
    // each, and the message of the first host that has it served.
    const hosts = Array.from({ length: 10 }, (_, h) => [
      { ...route('shared', '/shared'), hostname: `h${h}.example.com` },
      { ...route(`r${h}`, `/r${h}`), hostname: `h${h}.example.com` },
      { ...route(`s${h}`, `/s${h}`), hostname: `h${h}.example.com` },
    ]);
    const translate = remembering();
    const check = (routes: HTTPRouteIR[]) => {
      const out = translate(ir(routes));
      expect(out).toEqual(translateXds(ir(routes)));
      return out;
    };
    const first = check(hosts.flat());
    // A route added to host 3: its cluster joins, every other message is the one of before.
    const added = { ...route('t3', '/t3'), hostname: 'h3.example.com' };
    const second = check(hosts.flatMap((host, h) => (h === 3 ? [...host, added] : host)));
    expect(second.clusters.map((c) => c.name)).toEqual(
      [...first.clusters.map((c) => c.name), 't3/dest'].sort(),
    );
    for (const cluster of first.clusters)
      expect(second.clusters.find((c) => c.name === cluster.name)).toBe(cluster);
    // The shared route leaves the first host (host 1's cluster is served), then every host;
    // then comes back on the last one.
    const sharedOf = (x: typeof first) => x.clusters.find((c) => c.name === 'shared/dest');
    const third = check(hosts.flatMap((host, h) => (h === 0 ? host.slice(1) : host)));
    expect(sharedOf(third)).not.toBe(sharedOf(second));
    expect(sharedOf(third)).toEqual(sharedOf(second));
    const gone = check(hosts.flatMap((host) => host.slice(1)));
    expect(gone.clusters.some((c) => c.name === 'shared/dest')).toBe(false);
    check(hosts.flatMap((host, h) => (h === 9 ? host : host.slice(1))));
    // Nothing changed: the same lists.
    const again = check(hosts.flatMap((host, h) => (h === 9 ? host : host.slice(1))));
    expect(check(hosts.flatMap((host, h) => (h === 9 ? host : host.slice(1)))).clusters).toBe(
      again.clusters,
    );
  });

  it('keeps each mode its own output', () => {
    const a = route('a', '/a');
    const ads = remembering({ mode: 'ads' });
    const statics = remembering({ mode: 'static' });
    const first = ads(ir([a]));
    expect(statics(ir([a])).clusters[0]!.loadAssignment).toBeDefined();
    expect(first.clusters[0]!.loadAssignment).toBeUndefined();
    expect(ads(ir([a]))).toEqual(first);
  });

  it('shares nothing between two translators, nor between two translateXds() calls', () => {
    const input = ir([route('a', '/a'), route('b', '/b')]);
    const one = remembering()(input);
    const other = remembering()(input);
    const alone = translateXds(input);
    expect(other).toEqual(one);
    expect(alone).toEqual(one);
    for (const x of [other, alone]) {
      expect(x.routes[0]!.virtualHosts[0]).not.toBe(one.routes[0]!.virtualHosts[0]);
      expect(x.clusters[0]).not.toBe(one.clusters[0]);
      expect(x.clusters).not.toBe(one.clusters);
    }
    expect(translateXds(input).clusters[0]).not.toBe(alone.clusters[0]);
  });
});
