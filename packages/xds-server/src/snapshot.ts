// Immutable snapshots of the xDS resources of one node group, with per-resource versions taken
// from a content hash (computed once per resource object) and a consistent() check. A snapshot
// made to replace another knows which names changed since it, so what follows a change (the
// streams' pumps) can look at those names alone.
import {
  type Any,
  Cluster,
  ClusterLoadAssignment,
  Listener,
  type MessageCodec,
  RateLimitConfig,
  RouteConfiguration,
  Secret,
} from '@egts/envoy-api';
import { SnapshotMemo } from './internal/snapshotMemo.js';
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
  /**
   * The snapshot this one replaces (the group's current one). What it computed for the messages
   * and arrays the new one shares is reused (encodings, hashes, indexes, checks), and streams
   * look only at the names whose version changed since it. Without it, every resource is
   * encoded and hashed anew.
   */
  readonly previous?: Snapshot | undefined;
}

/** One type's resources in a snapshot. */
interface TypeIndex {
  readonly messages: readonly object[] | undefined;
  /** The served form of each message, in the same order. */
  readonly served: readonly VersionedResource[];
  readonly byName: ReadonlyMap<string, VersionedResource>;
  /** Stands for the set of names: the same object while no name is added or removed. */
  readonly names: object;
  /**
   * Stands for the resources' content and order: the same object while no version changes and
   * every name keeps its place (a fleet's clusters set again as a new array of the same messages).
   */
  readonly contents: object;
  /** The index of the snapshot replaced, and the names whose version differs from it. */
  readonly since: { index: ReadonlyMap<string, VersionedResource>; changed: string[] } | undefined;
}

const EMPTY: ReadonlyMap<string, VersionedResource> = new Map();
const EMPTY_INDEX: TypeIndex = {
  messages: undefined,
  served: [],
  byName: EMPTY,
  names: EMPTY,
  contents: EMPTY,
  since: undefined,
};

/**
 * The index of `messages`, built from the previous snapshot's index of the type when there is
 * one: the same array gives the same index; an array of the same length whose messages at the
 * same places keep their names (an endpoint update) copies it and replaces those; any other is
 * indexed anew. Either way the names whose version differs from the previous index are listed.
 */
const index = <T extends object>(
  memo: SnapshotMemo,
  codec: MessageCodec<T>,
  typeUrl: TypeUrl,
  messages: readonly T[] | undefined,
  nameOf: (message: T) => string,
  previous: TypeIndex | undefined,
): TypeIndex => {
  if (previous !== undefined && messages === previous.messages) return previous;
  if (messages === undefined || messages.length === 0) {
    if (previous === undefined || previous.byName.size === 0) return EMPTY_INDEX;
    const changed = [...previous.byName.keys()];
    return { ...EMPTY_INDEX, since: { index: previous.byName, changed } };
  }
  return (
    (previous && replaced(memo, codec, typeUrl, messages, nameOf, previous)) ??
    indexed(memo, codec, typeUrl, messages, nameOf, previous)
  );
};

/**
 * The index of an array that replaces some messages of the previous one, each by one of its name.
 * When no version changes (the same messages as a new array: the complete snapshot after a
 * clusters-first one, or a route change for the clusters), it is the previous index itself, so
 * streams find the type as they left it.
 */
const replaced = <T extends object>(
  memo: SnapshotMemo,
  codec: MessageCodec<T>,
  typeUrl: TypeUrl,
  messages: readonly T[],
  nameOf: (message: T) => string,
  previous: TypeIndex,
): TypeIndex | undefined => {
  const before = previous.messages;
  if (before?.length !== messages.length) return undefined;
  const known = previous.byName;
  // Copied at the first change.
  let byName: Map<string, VersionedResource> | undefined;
  let served: VersionedResource[] | undefined;
  const changed: string[] = [];
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i]!;
    if (message === before[i]) continue;
    const resource = memo.served(codec, typeUrl, message, nameOf);
    if (resource.name !== previous.served[i]!.name) return undefined;
    // The same version is the same content: the resource served before stays.
    if (known.get(resource.name)?.version === resource.version) continue;
    changed.push(resource.name);
    byName ??= new Map(known);
    served ??= [...previous.served];
    byName.set(resource.name, resource);
    served[i] = resource;
  }
  if (byName === undefined || served === undefined) return { ...previous, messages };
  return {
    messages,
    served,
    byName,
    names: previous.names,
    contents: byName,
    since: { index: known, changed },
  };
};

/**
 * The index of any array. The previous array is followed along: a message found where it was
 * (past those inserted before it, or one removed) is served as before, unchanged, without
 * looking it up; at 1,000 clusters a cluster added cost a lookup of every other one.
 */
const indexed = <T extends object>(
  memo: SnapshotMemo,
  codec: MessageCodec<T>,
  typeUrl: TypeUrl,
  messages: readonly T[],
  nameOf: (message: T) => string,
  previous: TypeIndex | undefined,
): TypeIndex => {
  const byName = new Map<string, VersionedResource>();
  const served: VersionedResource[] = [];
  const known = previous?.byName ?? EMPTY;
  const before = previous?.messages ?? [];
  const servedBefore = previous?.served ?? [];
  const changed: string[] = [];
  // Names of the previous index still there (each once: the names indexed are distinct).
  let kept = 0;
  // Whether every name is where it was in the previous index.
  let inPlace = messages.length === servedBefore.length;
  let j = 0;
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i]!;
    let resource: VersionedResource;
    if (message === before[j]) {
      resource = servedBefore[j++]!;
      kept += 1;
    } else if (message === before[j + 1]) {
      resource = servedBefore[j + 1]!;
      j += 2;
      kept += 1;
    } else {
      resource = memo.served(codec, typeUrl, message, nameOf);
      const was = known.get(resource.name);
      if (was !== undefined) kept += 1;
      if (was?.version !== resource.version) changed.push(resource.name);
    }
    if (inPlace && servedBefore[i]!.name !== resource.name) inPlace = false;
    served.push(resource);
    byName.set(resource.name, resource);
    if (byName.size === i) throw new Error(`snapshot: duplicate ${codec.$type} "${resource.name}"`);
  }
  if (kept < known.size) for (const name of known.keys()) if (!byName.has(name)) changed.push(name);
  const sameNames = previous !== undefined && kept === known.size && byName.size === kept;
  return {
    messages,
    served,
    byName,
    names: sameNames ? previous.names : byName,
    contents:
      previous !== undefined && inPlace && changed.length === 0 ? previous.contents : byName,
    since: previous === undefined ? undefined : { index: known, changed },
  };
};

class IndexedSnapshot implements Snapshot {
  readonly memo: SnapshotMemo;
  readonly #input: SnapshotResources;
  readonly #pending: ReadonlySet<string>;
  readonly #types: ReadonlyMap<string, TypeIndex>;
  #consistency: ConsistencyResult | undefined;

  constructor(input: SnapshotResources, options: SnapshotOptions) {
    const previous = options.previous instanceof IndexedSnapshot ? options.previous : undefined;
    const memo = previous?.memo ?? new SnapshotMemo();
    const before = (typeUrl: TypeUrl) =>
      previous === undefined ? undefined : previous.#types.get(typeUrl);
    const types = new Map<string, TypeIndex>([
      [
        TypeUrl.Cluster,
        index(
          memo,
          Cluster,
          TypeUrl.Cluster,
          input.clusters,
          (c) => c.name,
          before(TypeUrl.Cluster),
        ),
      ],
      [
        TypeUrl.ClusterLoadAssignment,
        index(
          memo,
          ClusterLoadAssignment,
          TypeUrl.ClusterLoadAssignment,
          input.endpoints,
          (e) => e.clusterName,
          before(TypeUrl.ClusterLoadAssignment),
        ),
      ],
      [
        TypeUrl.Listener,
        index(
          memo,
          Listener,
          TypeUrl.Listener,
          input.listeners,
          (l) => l.name,
          before(TypeUrl.Listener),
        ),
      ],
      [
        TypeUrl.RouteConfiguration,
        index(
          memo,
          RouteConfiguration,
          TypeUrl.RouteConfiguration,
          input.routes,
          (r) => r.name,
          before(TypeUrl.RouteConfiguration),
        ),
      ],
      [
        TypeUrl.Secret,
        index(memo, Secret, TypeUrl.Secret, input.secrets, (s) => s.name, before(TypeUrl.Secret)),
      ],
      [
        TypeUrl.RateLimitConfig,
        index(
          memo,
          RateLimitConfig,
          TypeUrl.RateLimitConfig,
          input.rateLimitConfigs,
          (c) => c.name,
          before(TypeUrl.RateLimitConfig),
        ),
      ],
    ]);
    this.memo = memo;
    this.#input = input;
    this.#pending = new Set<string>(options.pending);
    this.#types = types;
    Object.freeze(this);
  }

  resources(typeUrl: string): ReadonlyMap<string, VersionedResource> {
    return this.#types.get(typeUrl)?.byName ?? EMPTY;
  }

  pending(typeUrl: string): boolean {
    return this.#pending.has(typeUrl);
  }

  consistent(): ConsistencyResult {
    this.#consistency ??= this.#check();
    return this.#consistency;
  }

  /**
   * The names of a type whose version differs from `since` (an index of the snapshot this one
   * replaced), or undefined when `since` is not that index.
   */
  changedSince(
    typeUrl: string,
    since: ReadonlyMap<string, VersionedResource>,
  ): readonly string[] | undefined {
    const type = this.#types.get(typeUrl);
    if (type === undefined) return undefined;
    if (type.byName === since) return [];
    return type.since?.index === since ? type.since.changed : undefined;
  }

  #check(): ConsistencyResult {
    const input = this.#input;
    const memo = this.memo;
    const has = (typeUrl: string, name: string): boolean => this.resources(typeUrl).has(name);
    const clusters = this.#types.get(TypeUrl.Cluster) ?? EMPTY_INDEX;
    const endpoints = this.#types.get(TypeUrl.ClusterLoadAssignment) ?? EMPTY_INDEX;
    const problems = [
      ...memo.edsProblems(
        input.clusters ?? [],
        clusters.contents,
        endpoints.byName,
        endpoints.names,
      ),
    ];
    const routeConfigs = [...(input.routes ?? [])];
    const listeners = this.resources(TypeUrl.Listener);
    for (const listener of input.listeners ?? []) {
      const refs = memo.listenerRefs(listener, listeners.get(listener.name)?.version);
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
    for (const config of routeConfigs) {
      for (const host of config.virtualHosts) {
        for (const cluster of memo.missingClusters(host, clusters.byName, clusters.names)) {
          problems.push(
            `RouteConfiguration "${config.name}" routes to cluster "${cluster}", which is missing`,
          );
        }
      }
    }
    return { consistent: problems.length === 0, problems };
  }
}

export const createSnapshot = (input: SnapshotResources, options: SnapshotOptions = {}): Snapshot =>
  new IndexedSnapshot(input, options);

/**
 * The names of a type whose version differs between `since` and the snapshot's index of the
 * type, when the snapshot was made to replace the one `since` belongs to (or has it as its own);
 * undefined when that is not known.
 */
export const changedSince = (
  snapshot: Snapshot,
  typeUrl: string,
  since: ReadonlyMap<string, VersionedResource>,
): readonly string[] | undefined =>
  snapshot instanceof IndexedSnapshot ? snapshot.changedSince(typeUrl, since) : undefined;
