// A snapshot made to replace another (options.previous) reuses what it computed per object: the
// same message gives the same served resource, the same array the same index; new or changed
// messages are encoded and versioned by content.
import {
  Cluster,
  Cluster_DiscoveryType,
  ClusterLoadAssignment,
  Route,
  RouteAction_ClusterNotFoundResponseCode,
  RouteConfiguration,
  VirtualHost,
} from '@egts/envoy-api';
import { describe, expect, it } from 'vitest';
import { createSnapshot, type Snapshot, TypeUrl } from '../index.js';
import { rdsListener, routeTo } from './fixtures.js';

const cluster = (name: string, ms = 1000) =>
  Cluster.fromPartial({
    name,
    type: Cluster_DiscoveryType.STATIC,
    connectTimeout: { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 },
  });

describe('createSnapshot', () => {
  it('reuses what the snapshot it replaces computed for the same messages and arrays', () => {
    const a = cluster('a');
    const b = cluster('b');
    const clusters = [a, b];
    const initial = createSnapshot({ clusters });
    const first = initial.resources(TypeUrl.Cluster);
    const again = createSnapshot({ clusters }, { previous: initial });
    expect(again.resources(TypeUrl.Cluster)).toBe(first);
    const changed = createSnapshot({ clusters: [a, cluster('b', 2000)] }, { previous: again });
    const second = changed.resources(TypeUrl.Cluster);
    expect(second).not.toBe(first);
    expect(second.get('a')).toBe(first.get('a'));
    expect(second.get('b')?.version).not.toBe(first.get('b')?.version);
    // Equal content in a new object: the same version.
    const third = createSnapshot({ clusters: [cluster('a'), b] }, { previous: changed });
    expect(third.resources(TypeUrl.Cluster).get('a')?.version).toBe(first.get('a')?.version);
    // Made alone, a snapshot shares nothing: the same message is served anew, alike.
    const alone = createSnapshot({ clusters }).resources(TypeUrl.Cluster);
    expect(alone).not.toBe(first);
    expect(alone.get('a')).not.toBe(first.get('a'));
    expect(alone.get('a')).toEqual(first.get('a'));
  });

  it('follows the array it replaces through insertions, removals and moves', () => {
    const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map((name) => cluster(name));
    let snapshot = createSnapshot({ clusters: [a!, b!, c!, d!] });
    const served = snapshot.resources(TypeUrl.Cluster);
    const next = (clusters: Cluster[]) => {
      snapshot = createSnapshot({ clusters }, { previous: snapshot });
      return snapshot.resources(TypeUrl.Cluster);
    };
    expect([...next([a!, e!, b!, c!, d!]).keys()]).toEqual(['a', 'e', 'b', 'c', 'd']);
    expect([...next([a!, b!, d!]).keys()]).toEqual(['a', 'b', 'd']);
    const moved = next([d!, a!, cluster('b', 2000)]);
    expect([...moved.keys()]).toEqual(['d', 'a', 'b']);
    expect(moved.get('d')).toBe(served.get('d'));
    expect(moved.get('b')?.version).not.toBe(served.get('b')?.version);
    expect(() => next([d!, a!, d!])).toThrow(/duplicate .*Cluster "d"/);
    expect(() => next([d!, cluster('d')])).toThrow(/duplicate/);
  });

  it('indexes an array that replaces a few messages of the last one, by name', () => {
    const [a, b, c] = [cluster('a'), cluster('b'), cluster('c')];
    const initial = createSnapshot({ clusters: [a, b, c] });
    const first = initial.resources(TypeUrl.Cluster);
    const b2 = cluster('b', 2000);
    const replaced = createSnapshot({ clusters: [a, b2, c] }, { previous: initial });
    const second = replaced.resources(TypeUrl.Cluster);
    expect([...second.keys()]).toEqual(['a', 'b', 'c']);
    expect(second.get('b')?.version).not.toBe(first.get('b')?.version);
    expect(second.get('c')).toBe(first.get('c'));
    // The same messages, or equal ones, as a new array: the index as it was (streams skip it).
    const same = createSnapshot({ clusters: [a, cluster('b', 2000), c] }, { previous: replaced });
    expect(same.resources(TypeUrl.Cluster)).toBe(second);
    // A message under another name: indexed from scratch, duplicates still refused.
    const third = createSnapshot({ clusters: [a, b2, cluster('d')] }, { previous: replaced });
    expect([...third.resources(TypeUrl.Cluster).keys()]).toEqual(['a', 'b', 'd']);
    expect(() =>
      createSnapshot({ clusters: [a, b2, cluster('b')] }, { previous: replaced }),
    ).toThrow(/duplicate/);
  });

  it('still rejects duplicate and unnamed resources when they come from cached objects', () => {
    const a = cluster('a');
    const previous = createSnapshot({ clusters: [a] });
    expect(() => createSnapshot({ clusters: [a, a] }, { previous })).toThrow(/duplicate/);
    expect(() => createSnapshot({ clusters: [cluster('')] })).toThrow(/no name/);
  });
});

describe('consistent()', () => {
  it('checks EDS clusters against the endpoints of each snapshot, with cached parts', () => {
    const eds = Cluster.fromPartial({
      name: 'a',
      type: Cluster_DiscoveryType.EDS,
      edsClusterConfig: { serviceName: 'a' },
    });
    const clusters = [eds];
    expect(createSnapshot({ clusters }).consistent().problems).toEqual([
      'cluster "a" (EDS) has no ClusterLoadAssignment "a"',
    ]);
    const endpoints = [ClusterLoadAssignment.fromPartial({ clusterName: 'a' })];
    expect(createSnapshot({ clusters, endpoints }).consistent().consistent).toBe(true);
    expect(createSnapshot({ clusters }).consistent().consistent).toBe(false);
  });

  it('checks EDS clusters again when their content, order or the endpoint names change', () => {
    const eds = (name: string) =>
      Cluster.fromPartial({ name, type: Cluster_DiscoveryType.EDS, edsClusterConfig: {} });
    const missing = (name: string) =>
      `cluster "${name}" (EDS) has no ClusterLoadAssignment "${name}"`;
    const [a, b] = [eds('a'), eds('b')];
    let previous: Snapshot = createSnapshot({ clusters: [a, b] });
    const problems = (clusters: Cluster[], endpoints: ClusterLoadAssignment[] = []) => {
      previous = createSnapshot({ clusters, endpoints }, { previous });
      return previous.consistent().problems;
    };
    expect(previous.consistent().problems).toEqual([missing('a'), missing('b')]);
    // The same messages as a new array (a clusters-first snapshot, then the complete one).
    expect(problems([a, b])).toEqual([missing('a'), missing('b')]);
    expect(problems([b, a])).toEqual([missing('b'), missing('a')]);
    expect(problems([b, a], [ClusterLoadAssignment.fromPartial({ clusterName: 'a' })])).toEqual([
      missing('b'),
    ]);
    expect(problems([cluster('b'), a])).toEqual([missing('a')]);
    expect(problems([b, a])).toEqual([missing('b'), missing('a')]);
  });

  it('finds routes to missing clusters through reused virtual hosts', () => {
    const host = VirtualHost.fromPartial({
      name: 'h',
      domains: ['*'],
      routes: [{ match: { prefix: '/' }, route: { cluster: 'a' } }],
    });
    const routes = [RouteConfiguration.fromPartial({ name: 'r', virtualHosts: [host] })];
    expect(createSnapshot({ routes }).consistent().consistent).toBe(false);
    const clusters = [cluster('a')];
    const again = [RouteConfiguration.fromPartial({ name: 'r' })];
    again[0]!.virtualHosts = [host];
    expect(createSnapshot({ routes: again, clusters }).consistent().consistent).toBe(true);
  });

  it('checks reused virtual hosts again when the cluster names change, not when a cluster does', () => {
    const host = VirtualHost.fromPartial({
      name: 'h',
      domains: ['*'],
      routes: [{ match: { prefix: '/' }, route: { cluster: 'b' } }],
    });
    const routes = [RouteConfiguration.fromPartial({ name: 'r', virtualHosts: [host] })];
    const [a, b] = [cluster('a'), cluster('b')];
    let previous: Snapshot | undefined;
    const check = (clusters: Cluster[]) => {
      previous = createSnapshot({ routes, clusters }, { previous });
      return previous.consistent();
    };
    expect(check([a, b]).consistent).toBe(true);
    // b changed (the same names, indexed from the last array): still there.
    expect(check([a, cluster('b', 2000)]).consistent).toBe(true);
    // b replaced by c (other names): missing.
    expect(check([a, cluster('c')]).problems).toEqual([
      'RouteConfiguration "r" routes to cluster "b", which is missing',
    ]);
    expect(check([a, b]).consistent).toBe(true);
    // c added (new names): b is there.
    expect(check([a, b, cluster('c')]).consistent).toBe(true);
  });

  it('lets a route that names its answer for a missing cluster route to one', () => {
    const split = (code: RouteAction_ClusterNotFoundResponseCode) =>
      RouteConfiguration.fromPartial({
        name: 'r',
        virtualHosts: [
          {
            name: 'h',
            domains: ['*'],
            routes: [
              {
                match: { prefix: '/' },
                route: {
                  weightedClusters: {
                    clusters: [
                      { name: 'a', weight: 9 },
                      { name: 'gone', weight: 1 },
                    ],
                  },
                  clusterNotFoundResponseCode: code,
                },
              },
            ],
          },
        ],
      });
    const clusters = [cluster('a')];
    const internalError = RouteAction_ClusterNotFoundResponseCode.INTERNAL_SERVER_ERROR;
    expect(
      createSnapshot({ routes: [split(internalError)], clusters }).consistent().consistent,
    ).toBe(true);
    const unset = RouteAction_ClusterNotFoundResponseCode.SERVICE_UNAVAILABLE;
    expect(createSnapshot({ routes: [split(unset)], clusters }).consistent().problems).toEqual([
      'RouteConfiguration "r" routes to cluster "gone", which is missing',
    ]);
  });
  it('reads what a rebuilt listener refers to by its content, whatever the object', () => {
    // A translator may hand over a new but equal Listener on every change: its references are
    // known by content version; a listener that changed is read again.
    const clusters = [cluster('c')];
    expect(createSnapshot({ listeners: [rdsListener('l', 'r')] }).consistent().problems).toEqual([
      'listener "l" uses RouteConfiguration "r", which is missing',
    ]);
    const served = { clusters, routes: [routeTo('r', 'c')] };
    expect(createSnapshot({ ...served, listeners: [rdsListener('l', 'r')] }).consistent()).toEqual({
      consistent: true,
      problems: [],
    });
    expect(createSnapshot({ ...served, listeners: [rdsListener('l', 'q')] }).consistent()).toEqual({
      consistent: false,
      problems: ['listener "l" uses RouteConfiguration "q", which is missing'],
    });
  });
});

describe('RouteConfiguration versions', () => {
  const route = (prefix: string, cluster: string) =>
    Route.fromPartial({
      name: prefix,
      match: { prefix, headers: [{ name: 'x', stringMatch: { exact: 'y' } }] },
      route: { cluster, timeout: { seconds: 15 } },
      requestHeadersToAdd: [{ header: { key: 'a', value: 'b' } }],
    });
  const config = (routes: Route[]) =>
    RouteConfiguration.fromPartial({
      name: 'default/gw/http',
      ignorePortInHostMatching: true,
      validateClusters: false,
      responseHeadersToAdd: [{ header: { key: 'server', value: 'egts' } }],
      virtualHosts: [
        {
          name: 'default/gw/http/a.example.com',
          domains: ['a.example.com', 'a.example.com:*'],
          routes,
          requestHeadersToRemove: ['x-internal'],
          includeRequestAttemptCount: true,
        },
        { name: 'default/gw/http/wildcard', domains: ['*'] },
        { domains: [], routes: routes.slice(0, 1) },
      ],
    });

  it('are encoded as RouteConfiguration.encode would, reusing unchanged routes', () => {
    // 200 routes make lengths that need multi-byte varints.
    const routes = Array.from({ length: 200 }, (_, i) => route(`/r${i}`, `c${i}`));
    const first = config(routes);
    const served = createSnapshot({ routes: [first] })
      .resources(TypeUrl.RouteConfiguration)
      .get(first.name);
    expect(served?.resource.value).toEqual(Buffer.from(RouteConfiguration.encode(first).finish()));

    const changed = config([...routes.slice(0, 199), route('/changed', 'c')]);
    const next = createSnapshot({ routes: [changed] })
      .resources(TypeUrl.RouteConfiguration)
      .get(changed.name);
    expect(next?.resource.value).toEqual(Buffer.from(RouteConfiguration.encode(changed).finish()));
    expect(next?.version).not.toBe(served?.version);
  });

  it('are content hashes: equal content in new objects, the same version; any change, another', () => {
    const routes = Array.from({ length: 50 }, (_, i) => route(`/r${i}`, `c${i}`));
    const versionOf = (c: RouteConfiguration) =>
      createSnapshot({ routes: [c] })
        .resources(TypeUrl.RouteConfiguration)
        .get(c.name)?.version;
    const first = versionOf(config(routes));
    // New VirtualHost and Route objects (their hashes are cached per object), same content.
    const rebuilt = config(Array.from({ length: 50 }, (_, i) => route(`/r${i}`, `c${i}`)));
    expect(versionOf(rebuilt)).toBe(first);
    // A change outside the virtual hosts (the part hashed as bytes), and one inside one.
    expect(versionOf({ ...config(routes), validateClusters: true })).not.toBe(first);
    expect(versionOf(config([...routes.slice(1), routes[0]!]))).not.toBe(first);
  });

  it('encode an empty configuration as the codec does', () => {
    const empty = RouteConfiguration.fromPartial({ name: 'empty' });
    const served = createSnapshot({ routes: [empty] })
      .resources(TypeUrl.RouteConfiguration)
      .get('empty');
    expect(served?.resource.value).toEqual(Buffer.from(RouteConfiguration.encode(empty).finish()));
  });
});
