// What the snapshots of one node group remember of the messages they share: each message's
// encoded form and content hash, and the parts of the consistency check. Created with a group's
// first snapshot and handed on to each snapshot that replaces it (SnapshotOptions.previous), so
// nothing is shared between groups or kept beyond the group's snapshots.
import { hash } from 'node:crypto';
import {
  type Any,
  type Cluster,
  Cluster_DiscoveryType,
  HttpConnectionManager,
  type Listener,
  type MessageCodec,
  packAny,
  RouteConfiguration,
  TcpProxy,
  typeUrlOf,
  unpackAny,
  type VirtualHost,
} from '@egts/envoy-api';
import type { TypeUrl } from '../resourceTypes.js';
import type { VersionedResource } from '../snapshot.js';
import { RouteConfigurationEncoder } from './routeConfigurationBytes.js';

export interface ListenerRefs {
  /** RouteConfigurations its HTTP connection managers fetch over RDS. */
  readonly routeConfigs: readonly string[];
  /** RouteConfigurations inlined in them. */
  readonly inline: readonly RouteConfiguration[];
  /** Clusters its tcp_proxy filters send to. */
  readonly clusters: readonly string[];
}

/** Listener references kept by content version (the listeners of live snapshots). */
const REFS_BY_VERSION_MAX = 512;

export class SnapshotMemo {
  /**
   * The served form (encoding and content hash) per message object: a translator that reuses
   * the objects of unchanged resources (as `distinctUntilChanged` does) pays for encoding and
   * hashing only what changed. One map, not one for the encoding and one for the served form: a
   * first snapshot of 10,000 resources put each message in both.
   */
  readonly #served = new WeakMap<object, VersionedResource>();
  readonly #routeConfigurations = new RouteConfigurationEncoder();
  readonly #listenerRefs = new WeakMap<Listener, ListenerRefs>();
  readonly #refsByVersion = new Map<string, ListenerRefs>();
  readonly #hostsChecked = new WeakMap<
    VirtualHost,
    { names: object; missing: readonly string[] }
  >();
  readonly #hostClusters = new WeakMap<VirtualHost, readonly string[]>();
  readonly #edsChecked = new WeakMap<object, { names: object; problems: readonly string[] }>();

  /** The served form of a message: its name, content-hash version and encoding. */
  served<T extends object>(
    codec: MessageCodec<T>,
    typeUrl: TypeUrl,
    message: T,
    nameOf: (message: T) => string,
  ): VersionedResource {
    const known = this.#served.get(message);
    if (known !== undefined && known.typeUrl === typeUrl) return known;
    const name = nameOf(message);
    if (name === '') throw new Error(`snapshot: a ${codec.$type} has no name`);
    let resource: Any;
    let version: string;
    if (codec === (RouteConfiguration as MessageCodec<unknown>)) {
      // The RouteConfiguration's encoding and hash from those of its unchanged VirtualHost and
      // Route messages.
      const encoded = this.#routeConfigurations.encode(message as RouteConfiguration);
      const { bytes } = encoded;
      resource = {
        typeUrl: typeUrlOf(RouteConfiguration),
        value: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      };
      version = encoded.version;
    } else {
      resource = packAny(codec, message);
      // One-shot hash: a Hash object per resource (createHash) cost several times the digest.
      version = hash('sha256', resource.value, 'base64url').slice(0, 16);
    }
    const served = Object.freeze({ name, typeUrl, version, resource });
    this.#served.set(message, served);
    return served;
  }

  /**
   * What a listener refers to, decoded once per (immutable) message object, and once per content
   * version: a translator may rebuild an unchanged listener as a new object on every change (a
   * route added), and decoding its filters again (unpackAny of the connection manager) was a few
   * ms of each change at 1,000 routes.
   */
  listenerRefs(listener: Listener, version: string | undefined): ListenerRefs {
    let refs = this.#listenerRefs.get(listener);
    if (refs !== undefined) return refs;
    refs = version === undefined ? undefined : this.#refsByVersion.get(version);
    if (refs === undefined) {
      refs = decodeListenerRefs(listener);
      if (version !== undefined) {
        this.#refsByVersion.set(version, refs);
        if (this.#refsByVersion.size > REFS_BY_VERSION_MAX) {
          const oldest = this.#refsByVersion.keys().next().value;
          if (oldest !== undefined) this.#refsByVersion.delete(oldest);
        }
      }
    }
    this.#listenerRefs.set(listener, refs);
    return refs;
  }

  /**
   * Clusters a virtual host routes to that are missing, once per host object and set of cluster
   * names (`names` stands for the set): a cluster changed by a policy leaves the names as they
   * were, and every host as checked.
   */
  missingClusters(
    host: VirtualHost,
    clusters: ReadonlyMap<string, unknown>,
    names: object,
  ): readonly string[] {
    const known = this.#hostsChecked.get(host);
    if (known?.names === names) return known.missing;
    const missing = this.#clustersOf(host).filter((cluster) => !clusters.has(cluster));
    this.#hostsChecked.set(host, { names, missing });
    return missing;
  }

  /** The clusters a virtual host's routes send to, once per (immutable) message object. */
  #clustersOf(host: VirtualHost): readonly string[] {
    let clusters = this.#hostClusters.get(host);
    if (clusters === undefined) {
      // A loop, not flatMap and spreads: a first snapshot lists thousands of routes here.
      const found: string[] = [];
      for (const { route } of host.routes) {
        // A route that names the answer for a missing cluster (cluster_not_found_response_code,
        // such as a split's share for invalid backendRefs: 500) expects one; Envoy answers it.
        if (route === undefined || route.clusterNotFoundResponseCode) continue;
        if (route.cluster) found.push(route.cluster);
        for (const weighted of route.weightedClusters?.clusters ?? []) found.push(weighted.name);
      }
      clusters = found;
      this.#hostClusters.set(host, clusters);
    }
    return clusters;
  }

  /**
   * EDS clusters without endpoints, once per content of the clusters (`contents` stands for it)
   * and set of endpoint names (`names` stands for the set of `endpoints`' names): the complete
   * snapshot after a clusters-first one, and every snapshot of a route change, set the same
   * clusters again as a new array.
   */
  edsProblems(
    clusters: readonly Cluster[],
    contents: object,
    endpoints: ReadonlyMap<string, unknown>,
    names: object,
  ): readonly string[] {
    const known = this.#edsChecked.get(contents);
    if (known?.names === names) return known.problems;
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
    this.#edsChecked.set(contents, { names, problems });
    return problems;
  }
}

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
