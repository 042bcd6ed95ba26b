// Collects the Envoy resources of one translation: deduplicated by name (the IR gives equal
// content under equal names, so the first one wins) and emitted sorted by name, for byte-stable output.
// Memoized parts (a virtual host's routes, a cluster) are added as whole lists; a type whose
// additions are the same objects as last time gives the same sorted array without sorting again,
// and one whose additions differ in a few lists is made from the last list, looking up only the
// names those lists hold: a route added to 1,000 costs its names, not 1,000 to sort.
import type {
  Cluster,
  ClusterLoadAssignment,
  Listener,
  RouteConfiguration,
  Secret,
} from '@egts/envoy-api';
import type { XdsMode, XdsResources } from '../xdsResources.js';
import type { SortedList, XdsMemo } from './xdsMemo.js';

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

/** Index in `list` (sorted by name) of the first item whose name is not below `name`. */
const lowerBound = <T>(list: readonly T[], name: string, nameOf: (t: T) => string): number => {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (nameOf(list[mid]!) < name) low = mid + 1;
    else high = mid;
  }
  return low;
};

/**
 * What `additions` give under `name`: the first addition's item of that name (first wins). A list
 * added whole is one a set emitted, sorted by name and deduplicated, so it is searched by halves.
 */
const winner = <T>(
  additions: Additions<T>,
  name: string,
  nameOf: (t: T) => string,
): T | undefined => {
  for (const addition of additions) {
    if (Array.isArray(addition)) {
      const list = addition as readonly T[];
      const i = lowerBound(list, name, nameOf);
      if (i < list.length && nameOf(list[i]!) === name) return list[i];
    } else if (nameOf(addition as T) === name) return addition as T;
  }
  return undefined;
};

/** The names of `additions` into `names`. */
const addNames = <T>(additions: Additions<T>, nameOf: (t: T) => string, names: Set<string>) => {
  for (const addition of additions) {
    if (Array.isArray(addition))
      for (const item of addition as readonly T[]) names.add(nameOf(item));
    else names.add(nameOf(addition as T));
  }
};

/** Names that two sorted, deduplicated lists give different items for (or only one gives). */
const differingNames = <T>(
  was: readonly T[],
  now: readonly T[],
  nameOf: (t: T) => string,
  names: Set<string>,
) => {
  let i = 0;
  let j = 0;
  while (i < was.length || j < now.length) {
    const a = i < was.length ? nameOf(was[i]!) : undefined;
    const b = j < now.length ? nameOf(now[j]!) : undefined;
    if (a !== undefined && (b === undefined || a < b)) {
      names.add(a);
      i++;
    } else if (b !== undefined && (a === undefined || b < a)) {
      names.add(b);
      j++;
    } else {
      if (was[i] !== now[j]) names.add(a!);
      i++;
      j++;
    }
  }
};

/**
 * The list `additions` give, made from `basis` (a list made before and the additions it was
 * made from) when they differ in a few additions: only the names those give or gave are looked
 * up again, the rest of the list is `basis.list` copied. Undefined when starting over costs less.
 * Names no changed addition gives keep their item: the same additions, in the same order, give
 * them. A route added to 1,000 replaces one virtual host's list of clusters: one name to look up,
 * not 1,000 to deduplicate and sort.
 */
const fromBasis = <T extends object>(
  basis: SortedList,
  additions: Additions<T>,
  nameOf: (t: T) => string,
): T[] | undefined => {
  const was = basis.additions as Additions<T>;
  const list = basis.list as readonly T[];
  let start = 0;
  while (start < was.length && start < additions.length && was[start] === additions[start]) start++;
  let endWas = was.length;
  let endNow = additions.length;
  while (endWas > start && endNow > start && was[endWas - 1] === additions[endNow - 1]) {
    endWas--;
    endNow--;
  }
  const names = new Set<string>();
  const before = was[start];
  const after = additions[start];
  if (endWas - start === 1 && endNow - start === 1 && Array.isArray(before) && Array.isArray(after))
    differingNames(before as readonly T[], after as readonly T[], nameOf, names);
  else {
    addNames(was.slice(start, endWas), nameOf, names);
    addNames(additions.slice(start, endNow), nameOf, names);
  }
  // Each name costs a search of every addition; deduplicating them all costs the whole list.
  if (names.size * additions.length > 4 * (list.length + 8)) return undefined;
  const out: T[] = [];
  let changed = false;
  let next = 0;
  for (const name of [...names].sort()) {
    const at = lowerBound(list, name, nameOf);
    for (; next < at; next++) out.push(list[next]!);
    const present = at < list.length && nameOf(list[at]!) === name;
    const item = winner(additions, name, nameOf);
    if (item !== undefined) out.push(item);
    if (item !== (present ? list[at] : undefined)) changed = true;
    if (present) next = at + 1;
  }
  if (!changed) return list as T[];
  for (; next < list.length; next++) out.push(list[next]!);
  return out;
};

const toList = <T extends object>(
  memo: XdsMemo,
  additions: Additions<T>,
  nameOf: (t: T) => string,
  previous: readonly T[] | undefined,
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
  // The list this set's owner made last time (a fleet's previous translation), else the last one
  // made from the same first addition: most changes leave most additions as they were.
  const basis = (previous === undefined ? undefined : memo.madeFrom.get(previous)) ?? known;
  const merged = basis === undefined ? undefined : fromBasis(basis, additions, nameOf);
  const list = stable(memo, merged ?? sortedByName(additions, nameOf));
  if (memo.remembers) {
    const made = { additions: [...additions], list };
    memo.sorted.set(first, made);
    memo.madeFrom.set(list, made);
  }
  return list;
};

/** The items of `additions`, the first of each name, sorted by name. */
const sortedByName = <T extends object>(additions: Additions<T>, nameOf: (t: T) => string): T[] => {
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
  return [...byName.keys()].sort().map((name) => byName.get(name)!);
};

/**
 * `secrets` (the list `additions` give) without those only clusters that lost their name brought:
 * a translation builds a cluster once per name, the first added, and never the others (nor what
 * they need: their upstream CA). Memoized clusters are built each with their own route, so a
 * second cluster under a taken name (hand-built IR only) comes with its secrets; those go, and a
 * secret of the same name that something kept brought takes their place.
 */
const withoutLostSecrets = (
  memo: XdsMemo,
  additions: Additions<Secret>,
  secrets: Secret[],
  clusters: readonly Cluster[],
): Secret[] => {
  const lost = (secret: Secret) => {
    const cluster = memo.clusterOfSecret.get(secret);
    if (cluster === undefined) return false;
    return clusters[lowerBound(clusters, cluster.name, nameOf)] !== cluster;
  };
  if (!secrets.some(lost)) return secrets;
  const kept: Secret[] = [];
  for (const addition of additions) {
    if (!Array.isArray(addition)) {
      if (!lost(addition as Secret)) kept.push(addition as Secret);
    } else for (const secret of addition as readonly Secret[]) if (!lost(secret)) kept.push(secret);
  }
  return sortedByName(kept, nameOf);
};

/**
 * The empty list of a nested set's resources: those are kept in memo entries (one per route and
 * per cluster), most of whose types are empty. Frozen: no list of resources may be mutated.
 */
const NONE = Object.freeze([]) as unknown as never[];

/** `additions` with `addition` at its end; the list is made by the first addition. */
const pushed = <T>(
  additions: Additions<T> | undefined,
  addition: T | readonly T[],
): Additions<T> => {
  if (additions === undefined) return [addition];
  additions.push(addition);
  return additions;
};

// Module-level: a resource set is made per route and per cluster, each asking for five lists.
const nameOf = (resource: { readonly name: string }) => resource.name;
const clusterNameOf = (assignment: ClusterLoadAssignment) => assignment.clusterName;

export class ResourceSet {
  // Made on the first addition: most sets are nested ones (one per route, virtual host and
  // cluster of a translator), each adding to one or two types of the five.
  private listeners: Additions<Listener> | undefined;
  private routes: Additions<RouteConfiguration> | undefined;
  private clusters: Additions<Cluster> | undefined;
  private endpoints: Additions<ClusterLoadAssignment> | undefined;
  private secrets: Additions<Secret> | undefined;
  /**
   * Names of the clusters added one by one, so builders can skip what is there; made with the
   * first (most sets, one per route and per virtual host, add lists only).
   */
  private clusterNames: Set<string> | undefined;

  /**
   * `memo` is the translator's: what it built before, per IR object. `endpointsOnly` leaves out
   * the clusters whose endpoints come over EDS (an endpoint update keeps those as they were) and
   * builds their ClusterLoadAssignments only. `previous`: what the set this one replaces
   * emitted (a fleet's last translation), whose lists it makes its own from when few additions
   * differ.
   */
  constructor(
    readonly mode: XdsMode,
    readonly memo: XdsMemo,
    readonly endpointsOnly = false,
    private readonly isNested = false,
    private readonly previous?: XdsResources,
  ) {}

  /**
   * An empty set of the same mode and memo, for a part built (and memoized) on its own;
   * `previous` as for the constructor (the part it replaces).
   */
  nested(previous?: XdsResources): ResourceSet {
    return new ResourceSet(this.mode, this.memo, this.endpointsOnly, true, previous);
  }

  addListener(listener: Listener): void {
    this.listeners = pushed(this.listeners, listener);
  }

  addRoute(route: RouteConfiguration): void {
    this.routes = pushed(this.routes, route);
  }

  /** Whether a cluster of that name was added one by one (lists added whole are not looked into). */
  hasCluster(name: string): boolean {
    return this.clusterNames?.has(name) === true;
  }

  addCluster(cluster: Cluster): void {
    this.clusterNames ??= new Set();
    this.clusterNames.add(cluster.name);
    this.clusters = pushed(this.clusters, cluster);
  }

  addEndpoints(assignment: ClusterLoadAssignment): void {
    this.endpoints = pushed(this.endpoints, assignment);
  }

  addSecret(secret: Secret): void {
    this.secrets = pushed(this.secrets, secret);
  }

  /** Adds every list of `resources` whole (first wins by name, as for single adds). */
  addResources(resources: XdsResources): void {
    if (resources.listeners.length > 0)
      this.listeners = pushed(this.listeners, resources.listeners);
    if (resources.routes.length > 0) this.routes = pushed(this.routes, resources.routes);
    if (resources.clusters.length > 0) this.clusters = pushed(this.clusters, resources.clusters);
    if (resources.endpoints.length > 0)
      this.endpoints = pushed(this.endpoints, resources.endpoints);
    if (resources.secrets.length > 0) this.secrets = pushed(this.secrets, resources.secrets);
  }

  toResources(): XdsResources {
    const clusters = this.list(this.clusters, nameOf, this.previous?.clusters);
    const secrets = this.list(this.secrets, nameOf, this.previous?.secrets);
    return {
      listeners: this.list(this.listeners, nameOf, this.previous?.listeners),
      routes: this.list(this.routes, nameOf, this.previous?.routes),
      clusters,
      endpoints: this.list(this.endpoints, clusterNameOf, this.previous?.endpoints),
      secrets:
        this.isNested || !this.memo.remembers || this.secrets === undefined
          ? secrets
          : withoutLostSecrets(this.memo, this.secrets, secrets, clusters),
    };
  }

  private list<T extends object>(
    additions: Additions<T> | undefined,
    nameOf: (t: T) => string,
    previous: readonly T[] | undefined,
  ): T[] {
    if (additions === undefined) return this.isNested ? NONE : [];
    return toList(this.memo, additions, nameOf, previous);
  }
}
