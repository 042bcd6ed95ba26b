// The HTTP filters of a connection manager, remembered per filter: a filter's listener-level
// config (jwt_authn's providers and requirements, RBAC's policies, local rate limits...) is
// built from some fields of the listeners and of every route on them, so without memory one
// changed route rebuilt (and re-encoded) every filter for all the listener's routes. Each filter
// is built once while recording which top-level fields of the listeners and routes it reads;
// the next time the same connection manager is built, the filter's entries are reused when those
// fields hold the same values: the same objects (the IR is never mutated, unchanged parts are
// shared), else deeply equal ones (a re-translated route with the same policy). Generic on
// purpose: the filters (httpFilters.ts) need not say what they read, and a filter that reads
// something new is tracked without anyone remembering to declare it.
import { isDeepStrictEqual } from 'node:util';
import type { HttpFilter } from '@egts/envoy-api';
import type { HTTPListener, HTTPRouteIR } from '@egts/ir';
import type { XdsMode } from '../../xdsResources.js';
import type { HttpFilterTranslator } from '../httpfilters/httpFilter.js';

/** One filter's entries for one connection manager and what they were built from. */
export interface FilterBuild {
  readonly mode: XdsMode;
  /** Fields read from the listeners (but `routes`), then from each route. */
  readonly listenerFields: readonly string[];
  readonly routeFields: readonly string[];
  /**
   * Per listener its `listenerFields`, then per listener its route count and per route its
   * `routeFields`, in order. Updated in place to the latest equal values, so the next check
   * compares by identity.
   */
  readonly values: unknown[];
  readonly filters: readonly HttpFilter[];
}

/** Per filter, per connection manager (its first listener's name and mode), the last build. */
export type FilterMemo = WeakMap<HttpFilterTranslator, Map<string, FilterBuild>>;

const sameValue = (a: unknown, b: unknown) => a === b || isDeepStrictEqual(a, b);

/** `build`'s values for `listeners`, compared with (and refreshed in) `build.values`. */
const stillValid = (build: FilterBuild, listeners: readonly HTTPListener[]): boolean => {
  const { values, listenerFields, routeFields } = build;
  let i = 0;
  const same = (value: unknown): boolean => {
    if (i >= values.length) return false;
    const was = values[i];
    if (was !== value) {
      if (!sameValue(was, value)) return false;
      values[i] = value;
    }
    i++;
    return true;
  };
  for (const listener of listeners) {
    const l = listener as unknown as Record<string, unknown>;
    for (const field of listenerFields) if (!same(l[field])) return false;
  }
  for (const listener of listeners) {
    if (!same(listener.routes.length)) return false;
    for (const route of listener.routes) {
      const r = route as unknown as Record<string, unknown>;
      for (const field of routeFields) if (!same(r[field])) return false;
    }
  }
  return i === values.length;
};

/**
 * Runs `filter.patchListener` on views of `listeners` that record the top-level fields read.
 * Undefined reads when the filter looked at an object's keys (then it is not remembered).
 */
const recorded = (
  filter: HttpFilterTranslator,
  listeners: readonly HTTPListener[],
  mode: XdsMode,
): { filters: readonly HttpFilter[]; reads?: { listener: Set<string>; route: Set<string> } } => {
  const reads = { listener: new Set<string>(), route: new Set<string>() };
  let opaque = false;
  // The proxies' target is an empty object, not the IR one, which may be frozen (a proxy of a
  // frozen object must return its very values, and routes are given as views).
  const view = <T extends object>(target: T, into: Set<string>, get: (key: string) => unknown): T =>
    new Proxy({} as T, {
      get: (_, key) => {
        if (typeof key !== 'string') return Reflect.get(target, key);
        into.add(key);
        return get(key);
      },
      has: (_, key) => {
        opaque = true;
        return Reflect.has(target, key);
      },
      ownKeys: () => {
        opaque = true;
        return Reflect.ownKeys(target);
      },
      getOwnPropertyDescriptor: (_, key) => {
        opaque = true;
        const descriptor = Reflect.getOwnPropertyDescriptor(target, key);
        return descriptor && { ...descriptor, configurable: true };
      },
    });
  const views = listeners.map((listener) => {
    let routes: HTTPRouteIR[] | undefined;
    const l = listener as unknown as Record<string, unknown>;
    return view(listener, reads.listener, (key) => {
      if (key !== 'routes') return l[key];
      routes ??= listener.routes.map((route) => {
        const r = route as unknown as Record<string, unknown>;
        return view(route, reads.route, (k) => r[k]);
      });
      return routes;
    });
  });
  const filters = filter.patchListener(views, mode);
  reads.listener.delete('routes');
  return opaque ? { filters } : { filters, reads };
};

/** The values a build is keyed on (see FilterBuild.values). */
const valuesOf = (
  listeners: readonly HTTPListener[],
  listenerFields: readonly string[],
  routeFields: readonly string[],
): unknown[] => {
  const values: unknown[] = [];
  for (const listener of listeners) {
    const l = listener as unknown as Record<string, unknown>;
    for (const field of listenerFields) values.push(l[field]);
  }
  for (const listener of listeners) {
    values.push(listener.routes.length);
    for (const route of listener.routes) {
      const r = route as unknown as Record<string, unknown>;
      for (const field of routeFields) values.push(r[field]);
    }
  }
  return values;
};

/**
 * `filter`'s entries for the connection manager serving `listeners`: those built last time for
 * it when what the filter read is unchanged, else built again (and remembered).
 */
export const memoizedFilter = (
  memo: FilterMemo,
  filter: HttpFilterTranslator,
  listeners: readonly HTTPListener[],
  mode: XdsMode,
): readonly HttpFilter[] => {
  let builds = memo.get(filter);
  if (builds === undefined) {
    builds = new Map();
    memo.set(filter, builds);
  }
  const key = listeners[0]?.name ?? '';
  const last = builds.get(key);
  if (last !== undefined && last.mode === mode && stillValid(last, listeners)) return last.filters;
  const { filters, reads } = recorded(filter, listeners, mode);
  if (reads === undefined) {
    builds.delete(key);
    return filters;
  }
  const listenerFields = [...reads.listener].sort();
  const routeFields = [...reads.route].sort();
  builds.set(key, {
    mode,
    listenerFields,
    routeFields,
    values: valuesOf(listeners, listenerFields, routeFields),
    filters,
  });
  return filters;
};
