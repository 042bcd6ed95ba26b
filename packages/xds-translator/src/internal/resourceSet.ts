// Collects the Envoy resources of one translation: deduplicated by name (the IR gives equal
// content under equal names, so the first one wins) and emitted sorted by name, for byte-stable output.
// Memoized parts (a virtual host's routes, a cluster) are added as whole lists; a type whose
// additions are the same objects as last time gives the same sorted array without sorting again.
import type {
  Cluster,
  ClusterLoadAssignment,
  Listener,
  RouteConfiguration,
  Secret,
} from '@egts/envoy-api';
import type { XdsMode, XdsResources } from '../xdsResources.js';
import type { XdsMemo } from './xdsMemo.js';

/** One type's additions, in order: single messages, or lists another set emitted. */
type Additions<T> = (T | readonly T[])[];

/**
 * A list equal element by element to the last one built with the same first element is returned
 * as that same array, so consumers that cache per array (the xDS server indexes each once) pay
 * nothing for a type where nothing changed.
 */
const stable = <T extends object>(memo: XdsMemo, list: T[]): T[] => {
  const [first] = list;
  if (first === undefined || !memo.remembers) return list;
  const known = memo.lists.get(first) as T[] | undefined;
  if (known?.length === list.length && known.every((item, i) => item === list[i])) return known;
  memo.lists.set(first, list);
  return list;
};

const toList = <T extends object>(
  memo: XdsMemo,
  additions: Additions<T>,
  nameOf: (t: T) => string,
): T[] => {
  const [first] = additions;
  if (first === undefined) return [];
  // One list another set emitted is sorted and deduplicated already; one message is a list.
  if (additions.length === 1) return Array.isArray(first) ? (first as T[]) : [first as T];
  const known = memo.sorted.get(first);
  if (
    known?.additions.length === additions.length &&
    known.additions.every((addition, i) => addition === additions[i])
  ) {
    // The last list of its first element again: a longer list built since (before scaling down)
    // is not kept alive by `lists` while that first element lives on.
    const [head] = known.list;
    if (head !== undefined) memo.lists.set(head, known.list);
    return known.list as T[];
  }
  const byName = new Map<string, T>();
  const add = (item: T) => {
    const name = nameOf(item);
    if (!byName.has(name)) byName.set(name, item);
  };
  // A one-shot translation adds messages one by one: no list made around each.
  for (const addition of additions) {
    if (Array.isArray(addition)) for (const item of addition as readonly T[]) add(item);
    else add(addition as T);
  }
  // The default sort compares strings by UTF-16 code units, as `<` does, without a JS callback.
  const list = stable(
    memo,
    [...byName.keys()].sort().map((name) => byName.get(name)!),
  );
  if (memo.remembers) memo.sorted.set(first, { additions: [...additions], list });
  return list;
};

/**
 * The empty list of a nested set's resources: those are kept in memo entries (one per route and
 * per cluster), most of whose types are empty. Frozen: no list of resources may be mutated.
 */
const NONE = Object.freeze([]) as unknown as never[];

// Module-level: a resource set is made per route and per cluster, each asking for five lists.
const nameOf = (resource: { readonly name: string }) => resource.name;
const clusterNameOf = (assignment: ClusterLoadAssignment) => assignment.clusterName;

export class ResourceSet {
  private readonly listeners: Additions<Listener> = [];
  private readonly routes: Additions<RouteConfiguration> = [];
  private readonly clusters: Additions<Cluster> = [];
  private readonly endpoints: Additions<ClusterLoadAssignment> = [];
  private readonly secrets: Additions<Secret> = [];
  /**
   * Names of the clusters added one by one, so builders can skip what is there; made with the
   * first (most sets, one per route and per virtual host, add lists only).
   */
  private clusterNames: Set<string> | undefined;

  /**
   * `memo` is the translator's: what it built before, per IR object. `endpointsOnly` leaves out
   * the clusters whose endpoints come over EDS (an endpoint update keeps those as they were) and
   * builds their ClusterLoadAssignments only.
   */
  constructor(
    readonly mode: XdsMode,
    readonly memo: XdsMemo,
    readonly endpointsOnly = false,
    private readonly isNested = false,
  ) {}

  /** An empty set of the same mode and memo, for a part built (and memoized) on its own. */
  nested(): ResourceSet {
    return new ResourceSet(this.mode, this.memo, this.endpointsOnly, true);
  }

  addListener(listener: Listener): void {
    this.listeners.push(listener);
  }

  addRoute(route: RouteConfiguration): void {
    this.routes.push(route);
  }

  /** Whether a cluster of that name was added one by one (lists added whole are not looked into). */
  hasCluster(name: string): boolean {
    return this.clusterNames?.has(name) === true;
  }

  addCluster(cluster: Cluster): void {
    this.clusterNames ??= new Set();
    this.clusterNames.add(cluster.name);
    this.clusters.push(cluster);
  }

  addEndpoints(assignment: ClusterLoadAssignment): void {
    this.endpoints.push(assignment);
  }

  addSecret(secret: Secret): void {
    this.secrets.push(secret);
  }

  /** Adds every list of `resources` whole (first wins by name, as for single adds). */
  addResources(resources: XdsResources): void {
    if (resources.listeners.length > 0) this.listeners.push(resources.listeners);
    if (resources.routes.length > 0) this.routes.push(resources.routes);
    if (resources.clusters.length > 0) this.clusters.push(resources.clusters);
    if (resources.endpoints.length > 0) this.endpoints.push(resources.endpoints);
    if (resources.secrets.length > 0) this.secrets.push(resources.secrets);
  }

  toResources(): XdsResources {
    return {
      listeners: this.list(this.listeners, nameOf),
      routes: this.list(this.routes, nameOf),
      clusters: this.list(this.clusters, nameOf),
      endpoints: this.list(this.endpoints, clusterNameOf),
      secrets: this.list(this.secrets, nameOf),
    };
  }

  private list<T extends object>(additions: Additions<T>, nameOf: (t: T) => string): T[] {
    return this.isNested && additions.length === 0 ? NONE : toList(this.memo, additions, nameOf);
  }
}
