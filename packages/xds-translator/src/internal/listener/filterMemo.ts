// The HTTP filters of a connection manager, remembered per filter: a filter's listener-level
// config (jwt_authn's providers and requirements, RBAC's policies, local rate limits...) is
// built from some fields of the listeners and of every route on them, so without memory one
// changed route rebuilt (and re-encoded) every filter for all the listener's routes. Each filter
// is built once while recording which fields of the listeners and routes it reads (filterReads.ts);
// the next time the same connection manager is built, the filter's entries are reused when those
// fields hold the same values: the same objects (the IR is never mutated, unchanged parts are
// shared), else deeply equal ones (a re-translated route with the same policy). A route added
// or removed is checked against each filter alone: the filters ignore a route that does not need
// them (HttpFilterTranslator.patchListener), so one added route rebuilds only the filters it
// needs, as an edited one does. Generic on purpose: the filters (httpFilters.ts) need not say
// what they read, and a filter that reads something new is tracked without anyone remembering
// to declare it.
import { isDeepStrictEqual } from 'node:util';
import type { HttpConnectionManager, HttpFilter, TypedExtensionConfig } from '@egts/envoy-api';
import type { HTTPListener, HTTPRouteIR } from '@egts/ir';
import type { XdsMode } from '../../xdsResources.js';
import type { HttpFilterTranslator } from '../httpfilters/httpFilter.js';
import {
  type Reads,
  type RouteRead,
  recorder,
  routeRead,
  sameRead,
  sameValue,
} from './filterReads.js';

/** One filter's entries for one connection manager and what they were built from. */
interface FilterBuild {
  /** Fields read from the listeners (but `routes`), then what was read of each route. */
  readonly listenerFields: readonly string[];
  readonly routeReads: readonly RouteRead[];
  /**
   * Per listener its `listenerFields`, in order. Updated in place to the latest equal values, so
   * the next check compares by identity. The routes' fields are not copied: they are read from
   * the routes the connection manager was last built or checked with (ManagerBuilds.routes),
   * which the build holds for (a copy per filter per route was a MiB at 5,000 routes).
   */
  readonly values: unknown[];
  readonly filters: readonly HttpFilter[];
}

/** A connection manager's message and its packed form. */
interface PackedManager {
  readonly message: HttpConnectionManager;
  readonly config: TypedExtensionConfig;
}

/** What one connection manager's filters were last built or checked against. */
interface ManagerBuilds {
  /** Each listener's routes as last seen: a route object seen there is not looked into. */
  routes: readonly (readonly HTTPRouteIR[])[];
  readonly builds: Map<HttpFilterTranslator, FilterBuild>;
  /** The connection manager last packed, by variant (the HTTP/3 one apart). */
  readonly packed: Map<string, PackedManager>;
  /** Each filter's entries for these listeners with no route (routes added or removed). */
  readonly noRoute: Map<HttpFilterTranslator, FilterBuild>;
}

/** The memo's key of the connection manager serving `listeners`. */
const managerKey = (listeners: readonly HTTPListener[], mode: XdsMode) =>
  `${mode}\0${listeners[0]?.name ?? ''}`;

/**
 * Per connection manager (its mode and first listener's name), its filters' last builds; and
 * which connection managers each owner (a proxy fleet of createXdsTranslator) built last, so
 * that those of a removed fleet or listener are forgotten: keyed by names, not IR objects, they
 * would otherwise stay for the life of the process (a server with Gateway churn grows).
 */
export class FilterMemo {
  /**
   * `remembers` false: a memo for one translation (translateXds), which is never asked again, so
   * filters are built directly, without recording what they read.
   */
  constructor(readonly remembers = true) {}

  readonly #managers = new Map<string, ManagerBuilds>();
  readonly #owners = new Map<string, ReadonlySet<string>>();
  /** The keys the build in progress used (undefined: a build for no owner). */
  #building: Set<string> | undefined;

  /** How many connection managers' filters are remembered. */
  get size(): number {
    return this.#managers.size;
  }

  get(key: string): ManagerBuilds | undefined {
    this.#building?.add(key);
    return this.#managers.get(key);
  }

  set(key: string, builds: ManagerBuilds): void {
    this.#managers.set(key, builds);
  }

  delete(key: string): void {
    this.#managers.delete(key);
  }

  /**
   * Runs `build` (a whole translation) for `owner`: the connection managers it built last time
   * and not this time are forgotten, unless another owner built them too.
   */
  buildFor<T>(owner: string, build: () => T): T {
    const used = new Set<string>();
    const outer = this.#building;
    this.#building = used;
    let result: T;
    try {
      result = build();
    } finally {
      this.#building = outer;
    }
    const before = this.#owners.get(owner);
    this.#owners.set(owner, used);
    for (const key of before ?? []) if (!used.has(key)) this.#release(key);
    return result;
  }

  /** Forgets what `owner` built (a removed fleet). */
  forget(owner: string): void {
    const keys = this.#owners.get(owner);
    this.#owners.delete(owner);
    for (const key of keys ?? []) this.#release(key);
  }

  /**
   * The packed connection manager serving `listeners` (after memoizedFilters for them): the one
   * packed last time when `message` equals its message, else `pack(message)`. A changed route
   * leaves the connection manager as it was (it names its route configuration), and packing it
   * again copied every filter's config (jwt_authn's providers) into a new encoding that the xDS
   * server encoded, hashed and decoded once more inside the Listener.
   */
  packed(
    listeners: readonly HTTPListener[],
    mode: XdsMode,
    variant: string,
    message: HttpConnectionManager,
    pack: (message: HttpConnectionManager) => TypedExtensionConfig,
  ): TypedExtensionConfig {
    const manager = this.remembers ? this.get(managerKey(listeners, mode)) : undefined;
    if (manager === undefined) return pack(message);
    const last = manager.packed.get(variant);
    if (last !== undefined && isDeepStrictEqual(last.message, message)) return last.config;
    const config = pack(message);
    manager.packed.set(variant, { message, config });
    return config;
  }

  #release(key: string): void {
    for (const keys of this.#owners.values()) if (keys.has(key)) return;
    this.#managers.delete(key);
  }
}

/** Whether `values[i]` is (or equals, then becomes) `value`. */
const same = (values: unknown[], i: number, value: unknown): boolean => {
  const was = values[i];
  if (was === value) return true;
  if (!sameValue(was, value)) return false;
  values[i] = value;
  return true;
};

/**
 * Positions (per listener) of the routes that are not the objects seen last time, or undefined
 * when a listener's route count changed (a route was added or removed: see routeDelta).
 */
const changedRoutes = (
  previous: readonly (readonly HTTPRouteIR[])[],
  listeners: readonly HTTPListener[],
): number[][] | undefined => {
  const changed: number[][] = [];
  for (let n = 0; n < listeners.length; n++) {
    const now = listeners[n]!.routes;
    const was = previous[n]!;
    if (now.length !== was.length) return undefined;
    const positions: number[] = [];
    if (now !== was) for (let j = 0; j < now.length; j++) if (now[j] !== was[j]) positions.push(j);
    changed.push(positions);
  }
  return changed;
};

/** Of one listener, the route objects gone since last time and those new. */
interface RouteDelta {
  readonly removed: readonly HTTPRouteIR[];
  readonly added: readonly HTTPRouteIR[];
}

/**
 * The routes of a listener that `was` had and `now` has not, and the reverse (by identity), when
 * the routes both have are in the same order; undefined when they are not (moved routes). The
 * common head and tail are skipped by identity first: one route added among 5,000 leaves a
 * window of one.
 */
const routeDelta = (
  was: readonly HTTPRouteIR[],
  now: readonly HTTPRouteIR[],
): RouteDelta | undefined => {
  let start = 0;
  while (start < was.length && start < now.length && was[start] === now[start]) start++;
  let endWas = was.length;
  let endNow = now.length;
  while (endWas > start && endNow > start && was[endWas - 1] === now[endNow - 1]) {
    endWas--;
    endNow--;
  }
  const before = was.slice(start, endWas);
  const after = now.slice(start, endNow);
  const inBefore = new Set(before);
  const inAfter = new Set(after);
  const keptBefore = before.filter((route) => inAfter.has(route));
  const keptAfter = after.filter((route) => inBefore.has(route));
  if (keptBefore.length !== keptAfter.length) return undefined;
  for (let i = 0; i < keptBefore.length; i++) if (keptBefore[i] !== keptAfter[i]) return undefined;
  return {
    removed: before.filter((route) => !inAfter.has(route)),
    added: after.filter((route) => !inBefore.has(route)),
  };
};

/** Whether the listener fields `build` read hold the same values in `listeners`. */
const sameListenerFields = (build: FilterBuild, listeners: readonly HTTPListener[]): boolean => {
  const { values, listenerFields } = build;
  let i = 0;
  for (const listener of listeners) {
    const l = listener as unknown as Record<string, unknown>;
    for (const field of listenerFields) if (!same(values, i++, l[field])) return false;
  }
  return true;
};

/**
 * Whether `build` holds for `listeners`, whose routes but those at `changed` are the objects of
 * `previous` (the routes it holds for): the changed ones give the same answers to what the
 * filter read. `compared` keeps, per changed route and read, what the builds checked before
 * found: most filters read a route's `security`.
 */
const sameRouteReads = (
  build: FilterBuild,
  listeners: readonly HTTPListener[],
  previous: readonly (readonly HTTPRouteIR[])[],
  changed: readonly number[][],
  compared: Map<string, boolean>,
): boolean => {
  for (let n = 0; n < listeners.length; n++) {
    const routes = listeners[n]!.routes;
    const was = previous[n]!;
    for (const j of changed[n]!) {
      for (const read of build.routeReads) {
        const key = `${n}/${j}/${read.text}`;
        let equal = compared.get(key);
        if (equal === undefined) {
          equal = sameRead(was[j]!, routes[j]!, read);
          compared.set(key, equal);
        }
        if (!equal) return false;
      }
    }
  }
  return true;
};

/** What a filter read of the listeners and of routes added or removed, which it ignores. */
interface DeltaReads {
  readonly listener: ReadonlySet<string>;
  readonly route: ReadonlySet<string>;
}

/**
 * Routes added or removed that are always probed; past this count, only up to PROBED_SHARE of the
 * listeners' routes. A probe runs each filter over one route, a build runs it once over all of
 * them: when most routes are new (a Gateway's routes loaded at once, or replaced) the probes cost
 * more than the build they would save. Probing a bulk load also held a probe (a listener copy and
 * its recorder) per route for the whole translation, which V8 promoted to the old generation
 * (5,000 routes added on top of 100: ~50 MiB more peak RSS than building again).
 */
const PROBED_ALWAYS = 8;
const PROBED_SHARE = 1 / 8;

/**
 * Whether a filter ignores every route of `delta` (routes added or removed, the others kept in
 * order), for the connection manager serving `listeners`: then what it read of them, which its
 * kept build must watch from now on (a build made with no route read nothing of routes, and
 * would otherwise miss a later edit of the route added); undefined when it does not ignore them.
 * By the contract of HttpFilterTranslator.patchListener, a route with which alone the filter gives
 * what it gives with no route at all leaves its entries as they are wherever it sits among other
 * routes: a route added or removed costs two runs of each filter over one route, not one over all
 * of them. The listeners with no route, and with one, and their views are made once for all the
 * filters. False when too many routes changed for probing to pay (PROBED_SHARE).
 */
const ignoresDelta = (
  manager: ManagerBuilds,
  listeners: readonly HTTPListener[],
  delta: readonly RouteDelta[],
  mode: XdsMode,
): ((filter: HttpFilterTranslator) => DeltaReads | undefined) | false => {
  let probed = 0;
  let routes = 0;
  for (const { removed, added } of delta) probed += removed.length + added.length;
  for (const listener of listeners) routes += listener.routes.length;
  if (probed > Math.max(PROBED_ALWAYS, routes * PROBED_SHARE)) return false;
  const empty = listeners.map((listener) => ({ ...listener, routes: [] }));
  // One recorder per probe, shared by the filters (each run records into its own Reads).
  const probes = delta.flatMap(({ removed, added }, n) =>
    [...removed, ...added].map((route) =>
      recorder(
        empty.map((listener, i) => (i === n ? { ...listener, routes: [route] } : listener)),
        mode,
      ),
    ),
  );
  let recordEmpty: ReturnType<typeof recorder> | undefined;
  return (filter: HttpFilterTranslator): DeltaReads | undefined => {
    const read = { listener: new Set<string>(), route: new Set<string>() };
    if (probes.length === 0) return read;
    const none = noRouteBuild(manager, filter, listeners, () => {
      recordEmpty ??= recorder(empty, mode);
      return recordEmpty(filter);
    });
    for (const probe of probes) {
      const { filters, reads } = probe(filter);
      if (reads.opaque || !isDeepStrictEqual(filters, none)) return undefined;
      for (const field of reads.listener) read.listener.add(field);
      for (const text of reads.route) read.route.add(text);
    }
    return read;
  };
};

/**
 * What `filter` gives for `listeners` with no route, which every route added or removed is
 * compared with: remembered per connection manager while the listener fields it read hold.
 */
const noRouteBuild = (
  manager: ManagerBuilds,
  filter: HttpFilterTranslator,
  listeners: readonly HTTPListener[],
  record: () => { filters: readonly HttpFilter[]; reads: Reads },
): readonly HttpFilter[] => {
  const last = manager.noRoute.get(filter);
  if (last !== undefined && sameListenerFields(last, listeners)) return last.filters;
  const { filters, reads } = record();
  if (reads.opaque) manager.noRoute.delete(filter);
  else {
    const listenerFields = [...reads.listener].sort();
    manager.noRoute.set(filter, {
      listenerFields,
      routeReads: [],
      values: valuesOf(listeners, listenerFields),
      filters,
    });
  }
  return filters;
};

/**
 * `last`, kept for `listeners` after routes it ignores were added or removed, watching also what
 * the filter read of those routes and the listeners (values taken from `listeners`, for which it
 * holds).
 */
const keptWith = (
  last: FilterBuild,
  read: DeltaReads,
  listeners: readonly HTTPListener[],
): FilterBuild => {
  const known = new Set(last.routeReads.map((r) => r.text));
  const newRoute = [...read.route].filter((text) => !known.has(text));
  const newListener = [...read.listener].filter((f) => !last.listenerFields.includes(f));
  if (newRoute.length === 0 && newListener.length === 0) return last;
  const listenerFields = [...last.listenerFields, ...newListener].sort();
  return {
    ...last,
    listenerFields,
    routeReads: [...known, ...newRoute].sort().map(routeRead),
    values: valuesOf(listeners, listenerFields),
  };
};

/** The listener values a build is keyed on (see FilterBuild.values). */
const valuesOf = (listeners: readonly HTTPListener[], listenerFields: readonly string[]) => {
  const values: unknown[] = [];
  for (const listener of listeners) {
    const l = listener as unknown as Record<string, unknown>;
    for (const field of listenerFields) values.push(l[field]);
  }
  return values;
};

/**
 * The entries of `filters`, in order, for the connection manager serving `listeners`: each
 * filter's from last time when what it read is unchanged, else built again (and remembered).
 * One walk by identity over the routes finds those that are new objects; only their fields are
 * looked at, or, when routes were added or removed, only those routes.
 */
export const memoizedFilters = (
  memo: FilterMemo,
  filters: readonly HttpFilterTranslator[],
  listeners: readonly HTTPListener[],
  mode: XdsMode,
): HttpFilter[] => {
  if (!memo.remembers) return filters.flatMap((filter) => filter.patchListener(listeners, mode));
  const key = managerKey(listeners, mode);
  const manager = memo.get(key) ?? {
    routes: [],
    builds: new Map(),
    packed: new Map(),
    noRoute: new Map(),
  };
  const previous = manager.routes;
  const sameListeners = previous.length === listeners.length;
  const changed = sameListeners ? changedRoutes(previous, listeners) : undefined;
  // When a route count changed: whether a filter ignores the routes added and removed (false
  // when the routes kept moved), computed on the first filter that asks.
  let ignores: ((filter: HttpFilterTranslator) => DeltaReads | undefined) | false | undefined;
  const ignoresChanges = (filter: HttpFilterTranslator): DeltaReads | undefined => {
    if (ignores === undefined) {
      const delta = listeners.map((listener, n) => routeDelta(previous[n]!, listener.routes));
      ignores = delta.every((d) => d !== undefined)
        ? ignoresDelta(manager, listeners, delta as RouteDelta[], mode)
        : false;
    }
    return ignores === false ? undefined : ignores(filter);
  };
  // Forgotten first: a filter throwing must not leave builds made for routes not recorded.
  memo.delete(key);
  const out: HttpFilter[] = [];
  const compared = new Map<string, boolean>();
  let record: ReturnType<typeof recorder> | undefined;
  for (const filter of filters) {
    const last = manager.builds.get(filter);
    if (last !== undefined && sameListeners && sameListenerFields(last, listeners)) {
      let kept: FilterBuild | undefined;
      if (changed !== undefined) {
        if (sameRouteReads(last, listeners, previous, changed, compared)) kept = last;
      } else {
        const read = ignoresChanges(filter);
        if (read !== undefined) kept = keptWith(last, read, listeners);
      }
      if (kept !== undefined) {
        manager.builds.set(filter, kept);
        out.push(...kept.filters);
        continue;
      }
    }
    record ??= recorder(listeners, mode);
    const { filters: built, reads } = record(filter);
    out.push(...built);
    if (reads.opaque) {
      manager.builds.delete(filter);
      continue;
    }
    const listenerFields = [...reads.listener].sort();
    manager.builds.set(filter, {
      listenerFields,
      routeReads: [...reads.route].sort().map(routeRead),
      values: valuesOf(listeners, listenerFields),
      filters: built,
    });
  }
  manager.routes = listeners.map((listener) => listener.routes);
  memo.set(key, manager);
  return out;
};
