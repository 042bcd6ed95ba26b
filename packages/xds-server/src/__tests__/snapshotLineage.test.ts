// Snapshots made to replace the group's current one (SnapshotOptions.previous) let streams look
// only at the names that changed: a proxy must be sent exactly what it is sent when every
// snapshot is made alone. Two groups get the same sequence of snapshots, one made each way, and
// two scripted proxies answering like Envoy (ACKs, a NACK, EDS and RDS subscriptions) must get
// the same bytes.
import {
  type Any,
  Cluster,
  type ClusterLoadAssignment,
  DeltaDiscoveryRequest,
  DeltaDiscoveryResponse,
  DiscoveryRequest,
  DiscoveryResponse,
  unpackAnyAs,
} from '@egts/envoy-api';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createSnapshot,
  createSnapshotCache,
  createXdsServer,
  type Snapshot,
  type SnapshotResources,
  TypeUrl,
  type XdsServer,
} from '../index.js';
import { adsClient, node, type ScriptedStream, script } from './adsClient.js';
import { edsCluster, endpoints, rdsListener, routeTo } from './fixtures.js';

/** A connect timeout the scripted proxy rejects, as Envoy rejects an invalid cluster. */
const REJECTED_SECONDS = 13;

/** A deterministic walk of changes: clusters added, removed, changed, moved; endpoints; routes. */
const changes = (steps: number): SnapshotResources[] => {
  let seed = 7;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const clusters = new Map<string, Cluster>();
  const loads = new Map<string, ClusterLoadAssignment>();
  let order: string[] = [];
  let next = 0;
  const add = (at: number) => {
    const name = `c${next++}`;
    clusters.set(name, edsCluster(name));
    loads.set(name, endpoints(name, 10_000 + next));
    order.splice(at, 0, name);
  };
  for (let i = 0; i < 20; i++) add(i);
  let route = routeTo('http', 'c0');
  const listeners = [rdsListener('http', 'http')];
  const out: SnapshotResources[] = [];
  let clustersArray: Cluster[] = [];
  let loadsArray: ClusterLoadAssignment[] = [];
  for (let step = 0; step < steps; step++) {
    const name = order[random(order.length)]!;
    const op =
      step === 0
        ? 'none'
        : ['add', 'remove', 'cluster', 'load', 'route', 'move', 'none'][random(7)];
    if (op === 'add') add(random(order.length + 1));
    if (op === 'remove' && name !== 'c0') order = order.filter((n) => n !== name);
    if (op === 'cluster') {
      const seconds = random(4) === 0 ? REJECTED_SECONDS : 1 + random(5);
      clusters.set(name, { ...clusters.get(name)!, connectTimeout: { seconds, nanos: 0 } });
    }
    if (op === 'load') loads.set(name, endpoints(name, 20_000 + random(1000)));
    if (op === 'route') route = routeTo('http', name);
    if (op === 'move') order = [...order.slice(1), order[0]!];
    if (op !== 'none' && op !== 'route' && op !== 'load') {
      clustersArray = order.map((n) => clusters.get(n)!);
    }
    if (op !== 'none' && op !== 'route' && op !== 'cluster') {
      loadsArray = order.map((n) => loads.get(n)!);
    }
    if (step === 0) {
      clustersArray = order.map((n) => clusters.get(n)!);
      loadsArray = order.map((n) => loads.get(n)!);
    }
    if (!order.includes(routeTargetOf(route))) route = routeTo('http', 'c0');
    out.push({ clusters: clustersArray, endpoints: loadsArray, listeners, routes: [route] });
  }
  return out;
};

const routeTargetOf = (config: ReturnType<typeof routeTo>): string =>
  config.virtualHosts[0]?.routes[0]?.route?.cluster ?? '';

const rejected = (any: Any): boolean =>
  any.typeUrl === TypeUrl.Cluster &&
  Number(unpackAnyAs(Cluster, any).connectTimeout?.seconds) === REJECTED_SECONDS;

let server: XdsServer | undefined;
const closers: (() => void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) close();
  await server?.close();
});

const start = async () => {
  const cache = createSnapshotCache();
  server = createXdsServer(cache);
  const port = await server.listen();
  return { cache, port };
};

/**
 * Sets each step for both groups, then lets each proxy answer until nothing more comes. At the
 * end, each proxy holds the clusters of the last snapshot, no more (`clustersHeld`).
 */
const run = async <Req, Res>(
  open: (group: string) => ScriptedStream<Req, Res>,
  answer: (stream: ScriptedStream<Req, Res>, response: Res) => void,
  encode: (response: Res) => Uint8Array,
  begin: (stream: ScriptedStream<Req, Res>, group: string) => void,
  clustersHeld: (stream: ScriptedStream<Req, Res>) => string[],
) => {
  const { cache } = await startedCache;
  const groups = ['chained', 'alone'] as const;
  const streams = groups.map(open);
  const seen: Buffer[][] = [[], []];
  const steps = changes(40);
  for (const [i, resources] of steps.entries()) {
    const previous: Snapshot | undefined = cache.getSnapshot('chained')?.snapshot;
    cache.setSnapshot('chained', createSnapshot(resources, { previous }));
    cache.setSnapshot('alone', createSnapshot(resources));
    for (const [g, stream] of streams.entries()) {
      if (i === 0) begin(stream, groups[g]!);
      // The first response, to the proxy's first requests, must come from the first snapshot:
      // a loaded machine may take more than 60 ms to answer, and the next step would set another.
      let wait = i === 0 ? 30_000 : 60;
      for (;;) {
        const response = await stream.next(wait).catch(() => undefined);
        wait = 60;
        if (response === undefined) {
          // 60 ms without a response, which a loaded machine gives with one still on its way
          // (or an ACK not yet read): the step is over once the proxy has answered all it got.
          if (await convergedNow(groups[g]!)) break;
          continue;
        }
        seen[g]!.push(Buffer.from(encode(response)));
        answer(stream, response);
      }
    }
  }
  expect(seen[0]).toEqual(seen[1]);
  expect(seen[0]!.length).toBeGreaterThan(40);
  const last = steps
    .at(-1)!
    .clusters!.map((c) => c.name)
    .sort();
  for (const stream of streams) expect(clustersHeld(stream).sort()).toEqual(last);
};
let startedCache: ReturnType<typeof start>;

/** Whether the group's proxy has answered (ACK or NACK) everything sent to it, as of now. */
const convergedNow = (group: string): Promise<boolean> =>
  Promise.race([
    server!.converged(group).then(() => true),
    new Promise<boolean>((resolve) => setImmediate(() => resolve(false))),
  ]);

describe('snapshots made to replace the current one', () => {
  it('send a Delta proxy the same bytes as snapshots made alone', async () => {
    startedCache = start();
    const { port } = await startedCache;
    const subscribed = new Map<ScriptedStream<unknown, unknown>, boolean>();
    const held = new Map<ScriptedStream<unknown, unknown>, Set<string>>();
    await run<DeltaDiscoveryRequest, DeltaDiscoveryResponse>(
      () => {
        const client = adsClient(port);
        const stream = script(client.deltaAggregatedResources(), (r) =>
          DeltaDiscoveryRequest.fromPartial(r),
        );
        closers.push(() => {
          stream.close();
          client.close();
        });
        return stream;
      },
      (stream, response) => {
        const bad = response.resources.filter((r) => r.resource && rejected(r.resource));
        if (response.typeUrl === TypeUrl.Cluster) {
          const clusters = held.get(stream) ?? new Set();
          held.set(stream, clusters);
          for (const r of response.resources) clusters.add(r.name);
          for (const name of response.removedResources) clusters.delete(name);
          // Envoy asks for the endpoints of new clusters and drops those of removed ones.
          const added = response.resources.map((r) => r.name);
          if (added.length > 0 || response.removedResources.length > 0)
            stream.send({
              typeUrl: TypeUrl.ClusterLoadAssignment,
              resourceNamesSubscribe: added,
              resourceNamesUnsubscribe: response.removedResources,
            });
        }
        if (response.typeUrl === TypeUrl.Listener && !subscribed.get(stream)) {
          subscribed.set(stream, true);
          stream.send({ typeUrl: TypeUrl.RouteConfiguration, resourceNamesSubscribe: ['http'] });
        }
        stream.send({
          typeUrl: response.typeUrl,
          responseNonce: response.nonce,
          ...(bad.length > 0
            ? { errorDetail: { code: 3, message: `${bad[0]!.name}: bad timeout`, details: [] } }
            : {}),
        });
      },
      (response) => DeltaDiscoveryResponse.encode(response).finish(),
      (stream, group) => {
        stream.send({ node: node(`n-${group}`, group), typeUrl: TypeUrl.Cluster });
        stream.send({ typeUrl: TypeUrl.Listener });
      },
      (stream) => [...(held.get(stream) ?? [])],
    );
  });

  it('send a SotW proxy the same bytes as snapshots made alone', async () => {
    startedCache = start();
    const { port } = await startedCache;
    const names = new Map<ScriptedStream<unknown, unknown>, Map<string, string[]>>();
    const versions = new Map<ScriptedStream<unknown, unknown>, Map<string, string>>();
    const lastClusters = new Map<ScriptedStream<unknown, unknown>, string[]>();
    await run<DiscoveryRequest, DiscoveryResponse>(
      () => {
        const client = adsClient(port);
        const stream = script(client.streamAggregatedResources(), (r) =>
          DiscoveryRequest.fromPartial(r),
        );
        closers.push(() => {
          stream.close();
          client.close();
        });
        names.set(stream, new Map());
        versions.set(stream, new Map());
        return stream;
      },
      (stream, response) => {
        const held = names.get(stream)!;
        const accepted = versions.get(stream)!;
        const bad = response.resources.some(rejected);
        if (response.typeUrl === TypeUrl.Cluster)
          lastClusters.set(
            stream,
            response.resources.map((any) => unpackAnyAs(Cluster, any).name),
          );
        if (!bad) accepted.set(response.typeUrl, response.versionInfo);
        stream.send({
          typeUrl: response.typeUrl,
          responseNonce: response.nonce,
          versionInfo: accepted.get(response.typeUrl) ?? '',
          resourceNames: held.get(response.typeUrl) ?? [],
          ...(bad ? { errorDetail: { code: 3, message: 'bad timeout', details: [] } } : {}),
        });
        // Envoy follows the clusters it holds with its EDS subscription, and the listener's RDS.
        const follow = (typeUrl: string, wanted: string[]) => {
          if (wanted.join() === (held.get(typeUrl) ?? []).join()) return;
          held.set(typeUrl, wanted);
          stream.send({
            typeUrl,
            resourceNames: wanted,
            versionInfo: accepted.get(typeUrl) ?? '',
            responseNonce: '',
          });
        };
        if (response.typeUrl === TypeUrl.Cluster && !bad)
          follow(
            TypeUrl.ClusterLoadAssignment,
            response.resources.map((any) => unpackAnyAs(Cluster, any).name),
          );
        if (response.typeUrl === TypeUrl.Listener) follow(TypeUrl.RouteConfiguration, ['http']);
      },
      (response) => DiscoveryResponse.encode(response).finish(),
      (stream, group) => {
        stream.send({ node: node(`n-${group}`, group), typeUrl: TypeUrl.Cluster });
        stream.send({ typeUrl: TypeUrl.Listener });
      },
      (stream) => lastClusters.get(stream) ?? [],
    );
  });
});
