// Immutable snapshots of the xDS resources of one node group, with per-resource versions taken
// from a content hash (computed once per resource object) and a consistent() check.
import { createHash } from 'node:crypto';
import {
  type Any,
  Cluster,
  Cluster_DiscoveryType,
  ClusterLoadAssignment,
  HttpConnectionManager,
  Listener,
  type MessageCodec,
  packAny,
  RateLimitConfig,
  RouteConfiguration,
  Secret,
  TcpProxy,
  typeUrlOf,
  unpackAny,
  type VirtualHost,
} from '@egts/envoy-api';
import { encodeRouteConfiguration } from './internal/routeConfigurationBytes.js';
import { TypeUrl } from './resourceTypes.js';

/** One resource as served: its name, content-hash version and encoded form. */
export interface VersionedResource {
  readonly name: string;
  readonly typeUrl: TypeUrl;
  /** Content hash of the encoded resource: equal bytes, equal version. */
  readonly version: string;
  readonly resource: Any;
}

/**
 * The resources of a snapshot, as generated message values. Neither the messages nor the arrays
 * may be mutated afterwards: encodings, hashes and each array's index are cached per object.
 */
export interface SnapshotResources {
  readonly clusters?: readonly Cluster[];
  readonly endpoints?: readonly ClusterLoadAssignment[];
  readonly listeners?: readonly Listener[];
  readonly routes?: readonly RouteConfiguration[];
  readonly secrets?: readonly Secret[];
  /** For the Envoy Rate Limit Service's node group (its own snapshot). */
  readonly rateLimitConfigs?: readonly RateLimitConfig[];
}

export interface ConsistencyResult {
  readonly consistent: boolean;
  /** One line per dangling reference, e.g. `cluster "a" (EDS) has no ClusterLoadAssignment "a"`. */
  readonly problems: readonly string[];
}

/** An immutable set of resources by type. Values are frozen; build a new snapshot to change any. */
export interface Snapshot {
  /** Resources of one type by name. */
  resources(typeUrl: string): ReadonlyMap<string, VersionedResource>;
  /**
   * Whether every reference resolves inside the snapshot: EDS clusters to ClusterLoadAssignments,
   * HttpConnectionManager `rds` to RouteConfigurations, routes and tcp_proxy to clusters.
   * Envoy would otherwise wait (warming) or answer 503 for what is missing.
   */
  consistent(): ConsistencyResult;
  /**
   * Whether the snapshot says nothing yet about this type: a partial snapshot, such as the
   * clusters of a fleet set while its listeners and routes are still being translated. Streams
   * neither send nor remove resources of a pending type, and hold back what waits on it.
   */
  pending(typeUrl: string): boolean;
}

export interface SnapshotOptions {
  /** Types the snapshot does not cover yet (see `Snapshot.pending`); default none. */
  readonly pending?: readonly TypeUrl[];
}

/**
 * Encoded form and hash per message object: a translator that reuses the objects of unchanged
 * resources (as `distinctUntilChanged` does) pays for encoding and hashing only what changed.
 */
const encoded = new WeakMap<object, { resource: Any; version: string }>();

const version = <T extends object>(
  codec: MessageCodec<T>,
  message: T,
): { resource: Any; version: string } => {
  const cached = encoded.get(message);
  if (cached !== undefined && cached.resource.typeUrl === typeUrlOf(codec)) return cached;
  let entry: { resource: Any; version: string };
  if (codec === (RouteConfiguration as MessageCodec<unknown>)) {
    entry = packRouteConfiguration(message as RouteConfiguration);
  } else {
    const resource = packAny(codec, message);
    const version = createHash('sha256').update(resource.value).digest('base64url').slice(0, 16);
    entry = { resource, version };
  }
  encoded.set(message, entry);
  return entry;
};

/**
 * packAny and version for RouteConfigurations, reusing the encodings and hashes of their
 * unchanged VirtualHost and Route messages.
 */
const packRouteConfiguration = (config: RouteConfiguration): { resource: Any; version: string } => {
  const { bytes, version } = encodeRouteConfiguration(config);
  return {
    resource: {
      typeUrl: typeUrlOf(RouteConfiguration),
      value: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    },
    version,
  };
};

/** The served form of each message object, and the index of each input array (both immutable). */
const versioned = new WeakMap<object, VersionedResource>();
const indexes = new WeakMap<readonly object[], ReadonlyMap<string, VersionedResource>>();
/** The last array indexed whose first element is this message, for arrays that differ in a few. */
const lastIndexed = new WeakMap<object, readonly object[]>();
/**
 * What stands for an index's set of names (the index itself, or the one it was made from by
 * `reindex`, which keeps every name): checks that look only at names hold for both.
 */
const nameSets = new WeakMap<ReadonlyMap<string, unknown>, object>();
const namesOf = (index: ReadonlyMap<string, unknown>): object => nameSets.get(index) ?? index;

const served = <T extends object>(
  codec: MessageCodec<T>,
  typeUrl: TypeUrl,
  message: T,
  nameOf: (message: T) => string,
): VersionedResource => {
  let resource = versioned.get(message);
  if (resource === undefined || resource.typeUrl !== typeUrl) {
    const name = nameOf(message);
    if (name === '') throw new Error(`snapshot: a ${codec.$type} has no name`);
    resource = Object.freeze({ name, typeUrl, ...version(codec, message) });
    versioned.set(message, resource);
  }
  return resource;
};

/**
 * The index of an array that replaces some messages of the last one indexed, each by one of the
 * same name (an endpoint update): a copy of its index with those entries replaced. Undefined
 * when the arrays differ otherwise.
 */
const reindex = <T extends object>(
  codec: MessageCodec<T>,
  typeUrl: TypeUrl,
  messages: readonly T[],
  nameOf: (message: T) => string,
): Map<string, VersionedResource> | undefined => {
  const before = messages[0] === undefined ? undefined : lastIndexed.get(messages[0]);
  const known = before === undefined ? undefined : indexes.get(before);
  if (before?.length !== messages.length || known === undefined) return undefined;
  if (known.values().next().value?.typeUrl !== typeUrl) return undefined;
  const byName = new Map(known);
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i]!;
    if (message === before[i]) continue;
    const resource = served(codec, typeUrl, message, nameOf);
    if (resource.name !== versioned.get(before[i]!)?.name) return undefined;
    byName.set(resource.name, resource);
  }
  nameSets.set(byName, namesOf(known));
  return byName;
};

const index = <T extends object>(
  codec: MessageCodec<T>,
  typeUrl: TypeUrl,
  messages: readonly T[] | undefined,
  nameOf: (message: T) => string,
): ReadonlyMap<string, VersionedResource> => {
  if (messages === undefined) return new Map();
  const known = indexes.get(messages);
  if (known !== undefined && known.values().next().value?.typeUrl === typeUrl) {
    // The last array of its first message again: a longer one indexed since (before scaling
    // down) is not kept alive by `lastIndexed` while that message lives on.
    lastIndexed.set(messages[0]!, messages);
    return known;
  }
  let byName = reindex(codec, typeUrl, messages, nameOf);
  if (byName === undefined) {
    byName = new Map<string, VersionedResource>();
    for (const message of messages) {
      const resource = served(codec, typeUrl, message, nameOf);
      if (byName.has(resource.name)) {
        throw new Error(`snapshot: duplicate ${codec.$type} "${resource.name}"`);
      }
      byName.set(resource.name, resource);
    }
  }
  if (byName.size > 0) {
    indexes.set(messages, byName);
    lastIndexed.set(messages[0]!, messages);
  }
  return byName;
};

export const createSnapshot = (
  input: SnapshotResources,
  options: SnapshotOptions = {},
): Snapshot => {
  const pending = new Set<string>(options.pending);
  const byType = new Map<string, ReadonlyMap<string, VersionedResource>>([
    [TypeUrl.Cluster, index(Cluster, TypeUrl.Cluster, input.clusters, (c) => c.name)],
    [
      TypeUrl.ClusterLoadAssignment,
      index(
        ClusterLoadAssignment,
        TypeUrl.ClusterLoadAssignment,
        input.endpoints,
        (e) => e.clusterName,
      ),
    ],
    [TypeUrl.Listener, index(Listener, TypeUrl.Listener, input.listeners, (l) => l.name)],
    [
      TypeUrl.RouteConfiguration,
      index(RouteConfiguration, TypeUrl.RouteConfiguration, input.routes, (r) => r.name),
    ],
    [TypeUrl.Secret, index(Secret, TypeUrl.Secret, input.secrets, (s) => s.name)],
    [
      TypeUrl.RateLimitConfig,
      index(RateLimitConfig, TypeUrl.RateLimitConfig, input.rateLimitConfigs, (c) => c.name),
    ],
  ]);
  const empty: ReadonlyMap<string, VersionedResource> = new Map();
  let consistency: ConsistencyResult | undefined;
  return Object.freeze({
    resources: (typeUrl: string) => byType.get(typeUrl) ?? empty,
    pending: (typeUrl: string) => pending.has(typeUrl),
    consistent: () => {
      consistency ??= checkConsistency(input, byType);
      return consistency;
    },
  });
};

const checkConsistency = (
  input: SnapshotResources,
  byType: ReadonlyMap<string, ReadonlyMap<string, VersionedResource>>,
): ConsistencyResult => {
  const has = (typeUrl: string, name: string): boolean => byType.get(typeUrl)?.has(name) ?? false;
  const problems = [
    ...edsProblems(input.clusters ?? [], byType.get(TypeUrl.ClusterLoadAssignment) ?? new Map()),
  ];
  const routeConfigs = [...(input.routes ?? [])];
  const listeners = byType.get(TypeUrl.Listener);
  for (const listener of input.listeners ?? []) {
    const refs = listenerRefs(listener, listeners?.get(listener.name)?.version);
    for (const rds of refs.routeConfigs) {
      if (!has(TypeUrl.RouteConfiguration, rds)) {
        problems.push(
          `listener "${listener.name}" uses RouteConfiguration "${rds}", which is missing`,
        );
      }
    }
    for (const cluster of refs.clusters) {
      if (!has(TypeUrl.Cluster, cluster)) {
        problems.push(
          `listener "${listener.name}" tcp_proxy uses cluster "${cluster}", which is missing`,
        );
      }
    }
    routeConfigs.push(...refs.inline);
  }
  const clusters = byType.get(TypeUrl.Cluster) ?? new Map();
  for (const config of routeConfigs) problems.push(...routeProblems(config, clusters));
  return { consistent: problems.length === 0, problems };
};

interface ListenerRefs {
  /** RouteConfigurations its HTTP connection managers fetch over RDS. */
  readonly routeConfigs: readonly string[];
  /** RouteConfigurations inlined in them. */
  readonly inline: readonly RouteConfiguration[];
  /** Clusters its tcp_proxy filters send to. */
  readonly clusters: readonly string[];
}

/**
 * What a listener refers to, decoded once per (immutable) message object, and once per content
 * version: a translator may rebuild an unchanged listener as a new object on every change (a
 * route added), and decoding its filters again (unpackAny of the connection manager) was a few ms
 * of each change at 1,000 routes. The most recent versions are kept (listeners of live snapshots).
 */
const listenerRefsCache = new WeakMap<Listener, ListenerRefs>();
const refsByVersion = new Map<string, ListenerRefs>();
const REFS_BY_VERSION_MAX = 512;
const listenerRefs = (listener: Listener, version: string | undefined): ListenerRefs => {
  let refs = listenerRefsCache.get(listener);
  if (refs !== undefined) return refs;
  refs = version === undefined ? undefined : refsByVersion.get(version);
  if (refs === undefined) {
    refs = decodeListenerRefs(listener);
    if (version !== undefined) {
      refsByVersion.set(version, refs);
      if (refsByVersion.size > REFS_BY_VERSION_MAX) {
        const oldest = refsByVersion.keys().next().value;
        if (oldest !== undefined) refsByVersion.delete(oldest);
      }
    }
  }
  listenerRefsCache.set(listener, refs);
  return refs;
};

const decodeListenerRefs = (listener: Listener): ListenerRefs => {
  const found = {
    routeConfigs: [] as string[],
    inline: [] as RouteConfiguration[],
    clusters: [] as string[],
  };
  const chains = [
    ...listener.filterChains,
    ...(listener.defaultFilterChain ? [listener.defaultFilterChain] : []),
  ];
  for (const filter of chains.flatMap((chain) => chain.filters)) {
    if (filter.typedConfig === undefined) continue;
    const { typeName, message } = unpackAny(filter.typedConfig);
    if (typeName === HttpConnectionManager.$type) {
      const hcm = message as HttpConnectionManager;
      const rds = hcm.rds?.routeConfigName;
      if (rds !== undefined && rds !== '') found.routeConfigs.push(rds);
      if (hcm.routeConfig !== undefined) found.inline.push(hcm.routeConfig);
    } else if (typeName === TcpProxy.$type) {
      const cluster = (message as TcpProxy).cluster;
      if (cluster !== undefined && cluster !== '') found.clusters.push(cluster);
    }
  }
  return found;
};

/**
 * Clusters a virtual host routes to that are missing, once per host object and set of cluster
 * names: a cluster changed by a policy leaves the names as they were, and every host as checked.
 */
const hostsChecked = new WeakMap<VirtualHost, { names: object; missing: readonly string[] }>();
const missingClusters = (
  host: VirtualHost,
  clusters: ReadonlyMap<string, unknown>,
): readonly string[] => {
  const names = namesOf(clusters);
  const known = hostsChecked.get(host);
  if (known?.names === names) return known.missing;
  const missing = clustersOf(host).filter((cluster) => !clusters.has(cluster));
  hostsChecked.set(host, { names, missing });
  return missing;
};

const routeProblems = (
  config: RouteConfiguration,
  clusters: ReadonlyMap<string, unknown>,
): string[] =>
  config.virtualHosts.flatMap((host) =>
    missingClusters(host, clusters).map(
      (cluster) =>
        `RouteConfiguration "${config.name}" routes to cluster "${cluster}", which is missing`,
    ),
  );

/** EDS clusters without endpoints, once per clusters array and endpoints index (both immutable). */
const edsChecked = new WeakMap<
  readonly Cluster[],
  { endpoints: ReadonlyMap<string, unknown>; problems: readonly string[] }
>();
const edsProblems = (
  clusters: readonly Cluster[],
  endpoints: ReadonlyMap<string, unknown>,
): readonly string[] => {
  const known = edsChecked.get(clusters);
  if (known?.endpoints === endpoints) return known.problems;
  const problems: string[] = [];
  for (const cluster of clusters) {
    if (cluster.type !== Cluster_DiscoveryType.EDS) continue;
    const serviceName = cluster.edsClusterConfig?.serviceName || cluster.name;
    if (!endpoints.has(serviceName)) {
      problems.push(
        `cluster "${cluster.name}" (EDS) has no ClusterLoadAssignment "${serviceName}"`,
      );
    }
  }
  edsChecked.set(clusters, { endpoints, problems });
  return problems;
};

/** The clusters a virtual host's routes send to, once per (immutable) message object. */
const hostClusters = new WeakMap<VirtualHost, readonly string[]>();
const clustersOf = (host: VirtualHost): readonly string[] => {
  let clusters = hostClusters.get(host);
  if (clusters === undefined) {
    clusters = host.routes.flatMap((route) =>
      // A route that names the answer for a missing cluster (cluster_not_found_response_code,
      // such as a split's share for invalid backendRefs: 500) expects one; Envoy answers it.
      route.route?.clusterNotFoundResponseCode
        ? []
        : [
            ...(route.route?.cluster ? [route.route.cluster] : []),
            ...(route.route?.weightedClusters?.clusters.map((c) => c.name) ?? []),
          ],
    );
    hostClusters.set(host, clusters);
  }
  return clusters;
};
