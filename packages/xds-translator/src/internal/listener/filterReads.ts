// What an HTTP filter reads of the IR listeners and routes it is built from (filterMemo.ts):
// views that record the top-level fields read of each listener, and of each route its fields,
// one level down for an object-valued one. A route's `security` holds every part of its
// SecurityPolicy; jwt_authn reads `security.jwt`, RBAC `security.authorization`, so a policy's
// authorization changing rebuilds RBAC's entries alone, not jwt_authn's providers of every policy.
import { isDeepStrictEqual } from 'node:util';
import type { HttpFilter } from '@egts/envoy-api';
import type { HTTPListener, HTTPRouteIR } from '@egts/ir';
import type { XdsMode } from '../../xdsResources.js';
import type { HttpFilterTranslator } from '../httpfilters/httpFilter.js';

/** What one filter read of the listeners and of the routes. */
export interface Reads {
  /** Top-level fields of the listeners (but `routes`). */
  readonly listener: Set<string>;
  /** Of the routes, as RouteRead.text. */
  readonly route: Set<string>;
  /** It looked at a listener's or a route's keys: not remembered. */
  opaque: boolean;
}

/**
 * A read of a route: `field` whole (text `field`), whether it is an object and otherwise its
 * value (`field.`: what a filter learns from a field it gets a view of), or one `key` of it when
 * it is an object (`field.key`).
 */
export interface RouteRead {
  readonly text: string;
  readonly field: string;
  readonly key?: string;
}

export const routeRead = (text: string): RouteRead => {
  const dot = text.indexOf('.');
  return dot < 0
    ? { text, field: text }
    : { text, field: text.slice(0, dot), key: text.slice(dot + 1) };
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const sameValue = (a: unknown, b: unknown): boolean => a === b || isDeepStrictEqual(a, b);

/** Whether routes `a` and `b` give the same answer to `read`. */
export const sameRead = (a: HTTPRouteIR, b: HTTPRouteIR, { field, key }: RouteRead): boolean => {
  const x = (a as unknown as Record<string, unknown>)[field];
  const y = (b as unknown as Record<string, unknown>)[field];
  if (key === undefined) return sameValue(x, y);
  if (key === '') return isRecord(x) ? isRecord(y) : sameValue(x, y);
  return sameValue(isRecord(x) ? x[key] : undefined, isRecord(y) ? y[key] : undefined);
};

/**
 * Where a view's holder keeps the IR object it stands for: a property of the holder, read by the
 * traps with one monomorphic load (a WeakMap from view to object cost a lookup per read, and a
 * cold build reads each of thousands of routes through several filters).
 */
const BEHIND = Symbol('behind');

interface Holder {
  readonly [BEHIND]: Record<string, unknown>;
}

/**
 * Runs filters' `patchListener` on views of `listeners` recording what each reads. The views are
 * made once (on the first filter that needs them), one per IR object so that identity holds among
 * them, and shared by the filters of one connection manager: each run records into its own Reads.
 * A view's target is a holder, not the IR object, which may be frozen (a proxy of a frozen object
 * must return its very values, and routes are given as views); the holder keeps the IR object
 * under a symbol the traps never expose (the holder is extensible and the property configurable,
 * so leaving it out of keys and descriptors keeps the proxy invariants).
 */
export const recorder = (listeners: readonly HTTPListener[], mode: XdsMode) => {
  let reads: Reads = { listener: new Set(), route: new Set(), opaque: false };
  const viewOf = (target: object, handler: ProxyHandler<Holder>): object =>
    new Proxy<Holder>({ [BEHIND]: target as Record<string, unknown> }, handler);
  /** Keys and descriptors of a view: what a caller enumerating it sees. */
  const enumerating = (onEnumerate: () => void): ProxyHandler<Holder> => ({
    has: (holder, key) => {
      onEnumerate();
      return Reflect.has(holder[BEHIND], key);
    },
    ownKeys: (holder) => {
      onEnumerate();
      return Reflect.ownKeys(holder[BEHIND]);
    },
    getOwnPropertyDescriptor: (holder, key) => {
      onEnumerate();
      const descriptor = Reflect.getOwnPropertyDescriptor(holder[BEHIND], key);
      return descriptor && { ...descriptor, configurable: true };
    },
  });
  const opaque = () => {
    reads.opaque = true;
  };
  // The text of a value read (`field.`), per field: made once, not a new string per read.
  const valueTexts = new Map<string, string>();
  const valueText = (field: string) => {
    let text = valueTexts.get(field);
    if (text === undefined) {
      text = `${field}.`;
      valueTexts.set(field, text);
    }
    return text;
  };
  // Views of a route's object-valued fields, by field, then by object.
  const fieldViews = new Map<
    string,
    { handler: ProxyHandler<Holder>; views: WeakMap<object, object> }
  >();
  const fieldView = (field: string, value: Record<string, unknown>) => {
    let known = fieldViews.get(field);
    if (known === undefined) {
      // Enumerated, the field is read whole.
      const handler: ProxyHandler<Holder> = {
        ...enumerating(() => reads.route.add(field)),
        get: (holder, key) => {
          if (typeof key === 'string') reads.route.add(`${field}.${key}`);
          return holder[BEHIND][key as string];
        },
      };
      known = { handler, views: new WeakMap() };
      fieldViews.set(field, known);
    }
    let view = known.views.get(value);
    if (view === undefined) {
      view = viewOf(value, known.handler);
      known.views.set(value, view);
    }
    return view;
  };
  const routeHandler: ProxyHandler<Holder> = {
    ...enumerating(opaque),
    get: (holder, key) => {
      const value = holder[BEHIND][key as string];
      if (typeof key !== 'string') return value;
      if (isRecord(value)) {
        reads.route.add(valueText(key));
        return fieldView(key, value);
      }
      // Arrays are read whole; other values are what `field.` compares.
      reads.route.add(Array.isArray(value) ? key : valueText(key));
      return value;
    },
  };
  let views: HTTPListener[] | undefined;
  const viewsOf = () =>
    (views ??= listeners.map((listener) => {
      let routes: HTTPRouteIR[] | undefined;
      return viewOf(listener, {
        ...enumerating(opaque),
        get: (holder, key) => {
          if (typeof key !== 'string') return holder[BEHIND][key as unknown as string];
          if (key === 'routes') {
            routes ??= listener.routes.map((route) => viewOf(route, routeHandler) as HTTPRouteIR);
            return routes;
          }
          reads.listener.add(key);
          return holder[BEHIND][key];
        },
      }) as HTTPListener;
    }));
  return (filter: HttpFilterTranslator): { filters: readonly HttpFilter[]; reads: Reads } => {
    reads = { listener: new Set(), route: new Set(), opaque: false };
    const filters = filter.patchListener(viewsOf(), mode);
    return { filters, reads };
  };
};
