// Protocol behaviour seen from a scripted ADS client: wildcard and named subscriptions, ACK/NACK,
// stale nonces, make-before-break order, removal, and Delta initial_resource_versions.
import {
  Cluster,
  type DeltaDiscoveryRequest,
  type DeltaDiscoveryResponse,
  DeltaDiscoveryRequest as DeltaRequest,
  type DiscoveryRequest,
  type DiscoveryResponse,
  DiscoveryRequest as Request,
  Secret,
  unpackAnyAs,
} from '@egts/envoy-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createSnapshot,
  createSnapshotCache,
  createXdsServer,
  type Rejection,
  type SnapshotCache,
  TypeUrl,
  type XdsServer,
} from '../index.js';
import { adsClient, node, type ScriptedStream, script } from './adsClient.js';
import { edsCluster, endpoints, httpConfig } from './fixtures.js';

let cache: SnapshotCache;
let server: XdsServer;
let port: number;
const closers: (() => void)[] = [];

beforeEach(async () => {
  cache = createSnapshotCache();
  server = createXdsServer(cache);
  port = await server.listen();
});
afterEach(async () => {
  for (const close of closers.splice(0)) close();
  await server.close();
});

const sotw = (): ScriptedStream<DiscoveryRequest, DiscoveryResponse> => {
  const client = adsClient(port);
  const stream = script(client.streamAggregatedResources(), (r: Partial<DiscoveryRequest>) =>
    Request.fromPartial(r),
  );
  closers.push(() => {
    stream.close();
    client.close();
  });
  return stream;
};

const delta = (): ScriptedStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse> => {
  const client = adsClient(port);
  const stream = script(client.deltaAggregatedResources(), (r: Partial<DeltaDiscoveryRequest>) =>
    DeltaRequest.fromPartial(r),
  );
  closers.push(() => {
    stream.close();
    client.close();
  });
  return stream;
};

const clusterNames = (response: DiscoveryResponse): string[] =>
  response.resources.map((any) => unpackAnyAs(Cluster, any).name).sort();

describe('SotW', () => {
  it('answers a wildcard Cluster request with every cluster, and an ACK with nothing', async () => {
    cache.setSnapshot('gateway-1', createSnapshot(httpConfig('a', { a: 1, b: 2 })));
    const s = sotw();
    s.send({ node: node('n1'), typeUrl: TypeUrl.Cluster });
    const response = await s.next();
    expect(response.typeUrl).toBe(TypeUrl.Cluster);
    expect(clusterNames(response)).toEqual(['a', 'b']);
    expect(response.versionInfo).not.toBe('');
    s.send({
      typeUrl: TypeUrl.Cluster,
      versionInfo: response.versionInfo,
      responseNonce: response.nonce,
    });
    await s.none();
  });

  it('answers named requests with what exists, without waiting for missing names', async () => {
    cache.setSnapshot('gateway-1', createSnapshot(httpConfig('a', { a: 1 })));
    const s = sotw();
    s.send({
      node: node('n1'),
      typeUrl: TypeUrl.ClusterLoadAssignment,
      resourceNames: ['a', 'later'],
    });
    const first = await s.next();
    expect(first.resources).toHaveLength(1);
    s.send({
      typeUrl: TypeUrl.ClusterLoadAssignment,
      resourceNames: ['a', 'later'],
      responseNonce: first.nonce,
    });
    await s.none();
    // Not asked for: the snapshot's other endpoints are not sent.
    const config = httpConfig('a', { a: 1, later: 2, other: 3 });
    cache.setSnapshot('gateway-1', createSnapshot(config));
    const second = await s.next();
    expect(second.resources).toHaveLength(2);
  });

  it('ignores a request with a stale nonce', async () => {
    cache.setSnapshot('gateway-1', createSnapshot(httpConfig('a', { a: 1 })));
    const rejections: Rejection[] = [];
    server.onRejection((r) => rejections.push(r));
    const s = sotw();
    s.send({ node: node('n1'), typeUrl: TypeUrl.Cluster });
    const first = await s.next();
    s.send({
      typeUrl: TypeUrl.Cluster,
      responseNonce: first.nonce,
      versionInfo: first.versionInfo,
    });
    cache.setSnapshot('gateway-1', createSnapshot(httpConfig('a', { a: 1, b: 2 })));
    const second = await s.next();
    // A NACK naming the old nonce: stale, so neither a rejection nor a response.
    s.send({
      typeUrl: TypeUrl.Cluster,
      responseNonce: first.nonce,
      errorDetail: { code: 3, message: 'b', details: [] },
    });
    await s.none();
    expect(rejections).toEqual([]);
    // The current nonce NACKed: attributed to b, and b is not sent again.
    s.send({
      typeUrl: TypeUrl.Cluster,
      responseNonce: second.nonce,
      errorDetail: { code: 3, message: 'bad b', details: [] },
    });
    await s.none();
    expect(rejections.map((r) => r.resources.map((x) => x.name))).toEqual([['b']]);
  });

  it('sends clusters before routes, and removes an unused cluster only after routes are ACKed', async () => {
    cache.setSnapshot('gateway-1', createSnapshot(httpConfig('a', { a: 1 })));
    const s = sotw();
    s.send({ node: node('n1'), typeUrl: TypeUrl.Cluster });
    const cds = await s.next();
    s.send({ typeUrl: TypeUrl.Cluster, responseNonce: cds.nonce, versionInfo: cds.versionInfo });
    s.send({ typeUrl: TypeUrl.RouteConfiguration, resourceNames: ['http'] });
    const rds = await s.next();
    expect(rds.typeUrl).toBe(TypeUrl.RouteConfiguration);
    s.send({
      typeUrl: TypeUrl.RouteConfiguration,
      resourceNames: ['http'],
      responseNonce: rds.nonce,
    });
    await s.none(100);

    // The route moves from a to b, and a goes.
    cache.setSnapshot('gateway-1', createSnapshot(httpConfig('b', { b: 2 })));
    const cds2 = await s.next();
    expect(cds2.typeUrl).toBe(TypeUrl.Cluster);
    expect(clusterNames(cds2)).toEqual(['a', 'b']); // a kept while routes still use it
    await s.none(100); // routes wait for the cluster ACK
    s.send({ typeUrl: TypeUrl.Cluster, responseNonce: cds2.nonce, versionInfo: cds2.versionInfo });
    const rds2 = await s.next();
    expect(rds2.typeUrl).toBe(TypeUrl.RouteConfiguration);
    await s.none(100); // a is removed only once the routes are ACKed
    s.send({
      typeUrl: TypeUrl.RouteConfiguration,
      resourceNames: ['http'],
      responseNonce: rds2.nonce,
    });
    const cds3 = await s.next();
    expect(clusterNames(cds3)).toEqual(['b']);
  });

  it('serves the endpoints of a warming cluster that a newer snapshot dropped', async () => {
    cache.setSnapshot('gateway-1', createSnapshot(httpConfig('a', { a: 1 })));
    const s = sotw();
    s.send({ node: node('n1'), typeUrl: TypeUrl.Cluster });
    const cds = await s.next();
    s.send({ typeUrl: TypeUrl.Cluster, responseNonce: cds.nonce, versionInfo: cds.versionInfo });
    s.send({ typeUrl: TypeUrl.ClusterLoadAssignment, resourceNames: ['a'] });
    const eds = await s.next();
    s.send({
      typeUrl: TypeUrl.ClusterLoadAssignment,
      resourceNames: ['a'],
      responseNonce: eds.nonce,
    });
    await s.none(100);

    // Cluster c arrives; before the proxy ACKs it (it waits for c's endpoints), c goes again.
    cache.setSnapshot('gateway-1', createSnapshot(httpConfig('c', { a: 1, c: 2 })));
    const cds2 = await s.next();
    expect(clusterNames(cds2)).toEqual(['a', 'c']);
    cache.setSnapshot('gateway-1', createSnapshot(httpConfig('a', { a: 1 })));
    // Warming c, the proxy asks for its endpoints: they come from the snapshot c was sent from.
    s.send({
      typeUrl: TypeUrl.ClusterLoadAssignment,
      resourceNames: ['a', 'c'],
      responseNonce: eds.nonce,
    });
    const eds2 = await s.next();
    expect(eds2.typeUrl).toBe(TypeUrl.ClusterLoadAssignment);
    expect(eds2.resources).toHaveLength(2);
    s.send({
      typeUrl: TypeUrl.ClusterLoadAssignment,
      resourceNames: ['a', 'c'],
      responseNonce: eds2.nonce,
    });
    s.send({ typeUrl: TypeUrl.Cluster, responseNonce: cds2.nonce, versionInfo: cds2.versionInfo });
    // Warmed and ACKed, c is then removed as unused.
    const cds3 = await s.next();
    expect(clusterNames(cds3)).toEqual(['a']);
  });

  it('waits for the first snapshot of a group, and serves each group its own', async () => {
    const s1 = sotw();
    s1.send({ node: node('n1', 'gw-a'), typeUrl: TypeUrl.Cluster });
    const s2 = sotw();
    s2.send({ node: node('n2', 'gw-b'), typeUrl: TypeUrl.Cluster });
    await s1.none(200);
    cache.setSnapshot('gw-a', createSnapshot(httpConfig('a', { a: 1 })));
    cache.setSnapshot('gw-b', createSnapshot(httpConfig('b', { b: 1, c: 2 })));
    expect(clusterNames(await s1.next())).toEqual(['a']);
    expect(clusterNames(await s2.next())).toEqual(['b', 'c']);
  });

  it('records push latency per type and node on ACK', async () => {
    cache.setSnapshot('gateway-1', createSnapshot(httpConfig('a', { a: 1 })));
    const s = sotw();
    s.send({ node: node('n7'), typeUrl: TypeUrl.Cluster });
    const cds = await s.next();
    s.send({ typeUrl: TypeUrl.Cluster, responseNonce: cds.nonce });
    await s.none(100);
    const [latency] = server.pushLatency();
    expect(latency).toMatchObject({ typeUrl: TypeUrl.Cluster, nodeId: 'n7', stats: { count: 1 } });
  });

  it('tells when every proxy of a group has answered what its current snapshot sent', async () => {
    const settled = (promise: Promise<void>): Promise<boolean> =>
      Promise.race([
        promise.then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 100)),
      ]);
    cache.setSnapshot('gateway-1', createSnapshot(httpConfig('a', { a: 1 })));
    const s = sotw();
    s.send({ node: node('n1'), typeUrl: TypeUrl.Cluster });
    const cds = await s.next();
    const first = server.converged('gateway-1');
    expect(await settled(first)).toBe(false);
    expect(server.answered()).toBe(false);
    s.send({ typeUrl: TypeUrl.Cluster, responseNonce: cds.nonce });
    expect(await settled(first)).toBe(true);
    expect(server.answered()).toBe(true);
    // A new snapshot is in flight until answered; a NACK answers it too.
    cache.setSnapshot('gateway-1', createSnapshot(httpConfig('a', { a: 1, b: 2 })));
    const update = await s.next();
    const second = server.converged('gateway-1');
    expect(await settled(second)).toBe(false);
    expect(server.answered()).toBe(false);
    s.send({
      typeUrl: TypeUrl.Cluster,
      responseNonce: update.nonce,
      errorDetail: { code: 3, message: 'no', details: [] },
    });
    expect(await settled(second)).toBe(true);
    expect(server.answered()).toBe(true);
    // A closed stream's unanswered response no longer counts.
    cache.setSnapshot('gateway-1', createSnapshot(httpConfig('a', { a: 1, c: 3 })));
    await s.next();
    expect(server.answered()).toBe(false);
    s.close();
    await s.ended;
    // The server learns of the cancelled stream a moment later.
    for (let i = 0; i < 200 && !server.answered(); i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.answered()).toBe(true);
    // No proxy of the group: nothing to wait for.
    expect(await settled(server.converged('gateway-2'))).toBe(true);
  });
});

describe('Delta', () => {
  it('sends only changes, removals as removed_resources', async () => {
    cache.setSnapshot('gateway-1', createSnapshot(httpConfig('a', { a: 1, b: 2 })));
    const d = delta();
    d.send({ node: node('n1'), typeUrl: TypeUrl.Cluster });
    const first = await d.next();
    expect(first.resources.map((r) => r.name).sort()).toEqual(['a', 'b']);
    d.send({ typeUrl: TypeUrl.Cluster, responseNonce: first.nonce });
    await d.none();

    const changed = Cluster.fromPartial({ ...edsCluster('b'), connectTimeout: { seconds: 5 } });
    cache.setSnapshot(
      'gateway-1',
      createSnapshot({ ...httpConfig('a', { a: 1, b: 2 }), clusters: [edsCluster('a'), changed] }),
    );
    const update = await d.next();
    expect(update.resources.map((r) => r.name)).toEqual(['b']);
    expect(update.removedResources).toEqual([]);
    d.send({ typeUrl: TypeUrl.Cluster, responseNonce: update.nonce });

    cache.setSnapshot('gateway-1', createSnapshot(httpConfig('a', { a: 1 })));
    const removal = await d.next();
    expect(removal.resources).toEqual([]);
    expect(removal.removedResources).toEqual(['b']);
  });

  it('uses initial_resource_versions: what the proxy has is not sent again, what is gone is removed', async () => {
    cache.setSnapshot('gateway-1', createSnapshot(httpConfig('a', { a: 1, b: 2 })));
    const first = delta();
    first.send({ node: node('n1'), typeUrl: TypeUrl.Cluster });
    const had = await first.next();
    const versions = Object.fromEntries(had.resources.map((r) => [r.name, r.version]));
    first.close();

    cache.setSnapshot('gateway-1', createSnapshot(httpConfig('a', { a: 1, c: 3 })));
    const d = delta();
    d.send({ node: node('n1'), typeUrl: TypeUrl.Cluster, initialResourceVersions: versions });
    const response = await d.next();
    expect(response.resources.map((r) => r.name)).toEqual(['c']);
    d.send({ typeUrl: TypeUrl.Cluster, responseNonce: response.nonce });
    const removal = await d.next();
    expect(removal.removedResources).toEqual(['b']);
  });

  it('serves a partial snapshot: its clusters now, its pending types neither sent nor removed', async () => {
    const full = httpConfig('a', { a: 1 });
    cache.setSnapshot('gateway-1', createSnapshot(full));
    const first = delta();
    first.send({ node: node('n1'), typeUrl: TypeUrl.Listener });
    const had = await first.next();
    const versions = Object.fromEntries(had.resources.map((r) => [r.name, r.version]));
    first.close();

    // A restarted server: the clusters are translated, the listeners and routes not yet.
    cache.setSnapshot(
      'gateway-1',
      createSnapshot(
        { clusters: full.clusters ?? [], endpoints: full.endpoints ?? [] },
        { pending: [TypeUrl.Listener, TypeUrl.RouteConfiguration] },
      ),
    );
    const d = delta();
    d.send({ node: node('n1'), typeUrl: TypeUrl.Listener, initialResourceVersions: versions });
    d.send({ typeUrl: TypeUrl.Cluster });
    const clusters = await d.next();
    expect(clusters.typeUrl).toBe(TypeUrl.Cluster);
    expect(clusters.resources.map((r) => r.name)).toEqual(['a']);
    d.send({ typeUrl: TypeUrl.Cluster, responseNonce: clusters.nonce });
    await d.none(); // the proxy's listener is not removed

    cache.setSnapshot('gateway-1', createSnapshot(httpConfig('b', { a: 1, b: 2 })));
    const next = await d.next();
    expect(next.typeUrl).toBe(TypeUrl.Cluster);
    expect(next.resources.map((r) => r.name)).toEqual(['b']);
    d.send({ typeUrl: TypeUrl.Cluster, responseNonce: next.nonce });
    // The first answer on the wildcard (Envoy waits for one): the listener it holds is the
    // complete snapshot's, so nothing is sent again and nothing removed.
    const listeners = await d.next();
    expect(listeners.typeUrl).toBe(TypeUrl.Listener);
    expect(listeners.resources).toEqual([]);
    expect(listeners.removedResources).toEqual([]);
  });

  it('ignores the ACK/NACK of a stale nonce', async () => {
    cache.setSnapshot('gateway-1', createSnapshot(httpConfig('a', { a: 1 })));
    const rejections: Rejection[] = [];
    server.onRejection((r) => rejections.push(r));
    const d = delta();
    d.send({ node: node('n1'), typeUrl: TypeUrl.Cluster });
    const first = await d.next();
    d.send({ typeUrl: TypeUrl.Cluster, responseNonce: first.nonce });
    cache.setSnapshot('gateway-1', createSnapshot(httpConfig('a', { a: 1, b: 2 })));
    const second = await d.next();
    d.send({
      typeUrl: TypeUrl.Cluster,
      responseNonce: first.nonce,
      errorDetail: { code: 3, message: 'b', details: [] },
    });
    await d.none();
    expect(rejections).toEqual([]);
    d.send({ typeUrl: TypeUrl.Cluster, responseNonce: second.nonce });
    await d.none();
  });

  it('serves secrets (SDS) by name', async () => {
    const secret = Secret.fromPartial({
      name: 's1',
      tlsCertificate: { certificateChain: { inlineString: 'x' } },
    });
    cache.setSnapshot(
      'gateway-1',
      createSnapshot({ ...httpConfig('a', { a: 1 }), secrets: [secret] }),
    );
    const d = delta();
    d.send({ node: node('n1'), typeUrl: TypeUrl.Secret, resourceNamesSubscribe: ['s1', 's2'] });
    const response = await d.next();
    expect(response.resources.map((r) => unpackAnyAs(Secret, r.resource!))).toEqual([secret]);
  });

  it('answers a type it found nothing due for as soon as its subscription or resources change', async () => {
    // A pump remembers that nothing of a type is due; a request of the type or a snapshot with
    // other resources of it must still be answered at once.
    const config = httpConfig('a', { a: 1, b: 2 });
    cache.setSnapshot('gateway-1', createSnapshot(config));
    const d = delta();
    d.send({ node: node('n1'), typeUrl: TypeUrl.Cluster });
    const cds = await d.next();
    d.send({ typeUrl: TypeUrl.Cluster, responseNonce: cds.nonce });
    d.send({ typeUrl: TypeUrl.ClusterLoadAssignment, resourceNamesSubscribe: ['a'] });
    const eds = await d.next();
    expect(eds.resources.map((r) => r.name)).toEqual(['a']);
    d.send({ typeUrl: TypeUrl.ClusterLoadAssignment, responseNonce: eds.nonce });
    await d.none(100);

    // Only the clusters change (the same endpoints array): cluster a is sent, no endpoints.
    const changed = Cluster.fromPartial({ ...edsCluster('a'), connectTimeout: { seconds: 5 } });
    const clusters = [changed, edsCluster('b')];
    cache.setSnapshot('gateway-1', createSnapshot({ ...config, clusters }));
    const cds2 = await d.next();
    expect([cds2.typeUrl, cds2.resources.map((r) => r.name)]).toEqual([TypeUrl.Cluster, ['a']]);
    d.send({ typeUrl: TypeUrl.Cluster, responseNonce: cds2.nonce });
    await d.none(100);

    // Nothing changed in the snapshot, but the proxy subscribes to b.
    d.send({ typeUrl: TypeUrl.ClusterLoadAssignment, resourceNamesSubscribe: ['b'] });
    const eds2 = await d.next();
    expect([eds2.typeUrl, eds2.resources.map((r) => r.name)]).toEqual([
      TypeUrl.ClusterLoadAssignment,
      ['b'],
    ]);
    d.send({ typeUrl: TypeUrl.ClusterLoadAssignment, responseNonce: eds2.nonce });
    await d.none(100);

    // New endpoints for b: sent, while a's (unchanged) are not.
    cache.setSnapshot(
      'gateway-1',
      createSnapshot({
        ...config,
        clusters,
        endpoints: [config.endpoints![0]!, endpoints('b', 7)],
      }),
    );
    const eds3 = await d.next();
    expect([eds3.typeUrl, eds3.resources.map((r) => r.name)]).toEqual([
      TypeUrl.ClusterLoadAssignment,
      ['b'],
    ]);
  });

  it('versions what a proxy holds (system_version_info) by content, whatever the order', async () => {
    const config = httpConfig('a', { a: 1, b: 2 });
    cache.setSnapshot('gateway-1', createSnapshot(config));
    const d1 = delta();
    d1.send({ node: node('n1'), typeUrl: TypeUrl.Cluster });
    const first = await d1.next();
    d1.send({ typeUrl: TypeUrl.Cluster, responseNonce: first.nonce });
    // The same clusters in the other order: nothing to send, and the same version for a newcomer.
    const reversed = [...config.clusters!].reverse();
    cache.setSnapshot('gateway-1', createSnapshot({ ...config, clusters: reversed }));
    await d1.none(100);
    const d2 = delta();
    d2.send({ node: node('n2'), typeUrl: TypeUrl.Cluster });
    const second = await d2.next();
    expect(second.resources.map((r) => r.name).sort()).toEqual(['a', 'b']);
    expect(second.systemVersionInfo).toBe(first.systemVersionInfo);
    // A changed cluster, then a removed one: each holding has a version of its own.
    const changed = Cluster.fromPartial({ ...edsCluster('b'), connectTimeout: { seconds: 5 } });
    cache.setSnapshot(
      'gateway-1',
      createSnapshot({ ...config, clusters: [edsCluster('a'), changed] }),
    );
    const update = await d1.next();
    d1.send({ typeUrl: TypeUrl.Cluster, responseNonce: update.nonce });
    // d1's versions follow its changes; a newcomer's are summed anew: the same holding, the same.
    let newcomers = 2;
    const newcomer = async () => {
      const d = delta();
      d.send({ node: node(`n${++newcomers}`), typeUrl: TypeUrl.Cluster });
      return (await d.next()).systemVersionInfo;
    };
    expect(await newcomer()).toBe(update.systemVersionInfo);
    cache.setSnapshot('gateway-1', createSnapshot(httpConfig('a', { a: 1 })));
    const removal = await d1.next();
    expect(await newcomer()).toBe(removal.systemVersionInfo);
    const versions = [first, update, removal].map((r) => r.systemVersionInfo);
    expect(new Set(versions).size).toBe(3);
  });

  it('follows named subscribe and unsubscribe', async () => {
    cache.setSnapshot('gateway-1', createSnapshot(httpConfig('a', { a: 1, b: 2 })));
    const d = delta();
    d.send({
      node: node('n1'),
      typeUrl: TypeUrl.ClusterLoadAssignment,
      resourceNamesSubscribe: ['a'],
    });
    const first = await d.next();
    expect(first.resources.map((r) => r.name)).toEqual(['a']);
    d.send({
      typeUrl: TypeUrl.ClusterLoadAssignment,
      responseNonce: first.nonce,
      resourceNamesSubscribe: ['b'],
      resourceNamesUnsubscribe: ['a'],
    });
    const second = await d.next();
    expect(second.resources.map((r) => r.name)).toEqual(['b']);
    expect(second.removedResources).toEqual([]);
    // It holds b alone (a was dropped on unsubscribing), versioned as a newcomer holding b.
    const other = delta();
    other.send({
      node: node('n2'),
      typeUrl: TypeUrl.ClusterLoadAssignment,
      resourceNamesSubscribe: ['b'],
    });
    expect((await other.next()).systemVersionInfo).toBe(second.systemVersionInfo);
    d.send({ typeUrl: TypeUrl.ClusterLoadAssignment, responseNonce: second.nonce });
    cache.setSnapshot(
      'gateway-1',
      createSnapshot({
        ...httpConfig('a', { a: 1, b: 2 }),
        endpoints: [endpoints('a', 9), endpoints('b', 2)],
      }),
    );
    await d.none(); // a changed, but it is no longer subscribed
  });

  it('removes a name unsubscribed while the response carrying it was on its way', async () => {
    cache.setSnapshot('gateway-1', createSnapshot(httpConfig('a', { a: 1, b: 2 })));
    const d = delta();
    d.send({
      node: node('n1'),
      typeUrl: TypeUrl.ClusterLoadAssignment,
      resourceNamesSubscribe: ['a', 'b'],
    });
    const first = await d.next();
    expect(first.resources.map((r) => r.name)).toEqual(['a', 'b']);
    d.send({ typeUrl: TypeUrl.ClusterLoadAssignment, resourceNamesUnsubscribe: ['b'] });
    d.send({ typeUrl: TypeUrl.ClusterLoadAssignment, responseNonce: first.nonce });
    // The ACK takes what the response carried, b included: the server then says b is gone.
    const second = await d.next();
    expect(second.resources).toEqual([]);
    expect(second.removedResources).toEqual(['b']);
  });
});

describe('snapshots', () => {
  it('finds dangling references', () => {
    const config = httpConfig('missing', { a: 1 });
    const snapshot = createSnapshot({ ...config, endpoints: [] });
    expect(snapshot.consistent().problems).toEqual([
      'cluster "a" (EDS) has no ClusterLoadAssignment "a"',
      'RouteConfiguration "http" routes to cluster "missing", which is missing',
    ]);
    expect(() => cache.setSnapshot('g', snapshot)).toThrow(/inconsistent/);
    expect(createSnapshot(httpConfig('a', { a: 1 })).consistent()).toEqual({
      consistent: true,
      problems: [],
    });
  });

  it('versions by content: equal content, equal version', () => {
    const one = createSnapshot({ clusters: [edsCluster('a')] })
      .resources(TypeUrl.Cluster)
      .get('a');
    const two = createSnapshot({ clusters: [edsCluster('a')] })
      .resources(TypeUrl.Cluster)
      .get('a');
    const changed = createSnapshot({
      clusters: [{ ...edsCluster('a'), connectTimeout: { seconds: 2, nanos: 0 } }],
    })
      .resources(TypeUrl.Cluster)
      .get('a');
    expect(one?.version).toBe(two?.version);
    expect(changed?.version).not.toBe(one?.version);
  });
});
