// HTTPRoute and GRPCRoute changes applied in place (DESIGN.md "Cost follows change"): only the
// changed routes are translated, before and after the change, each time with just the Gateways
// they name; their old IR routes leave the previous IR listeners and the new ones go in where a
// full translation puts them (compareListenerRoutes), the routes' statuses are replaced and the
// Gateways' attachedRoutes counts adjusted. Everything else keeps its object, so the xDS side
// re-encodes only what changed. A route's translation depends on nothing but itself, its
// Gateways and the non-route input, which is what makes this equal a full translation; anything
// else (BackendTLSPolicies, L4 routes, a Gateway status that moves) returns undefined. Policy
// statuses are kept: the caller splices only changes they cannot see.
import { isDeepStrictEqual } from 'node:util';
import {
  type GRPCRoute,
  type HTTPRoute,
  POLICY_COLLECTIONS,
  type ResourceStatus,
  type Resources,
} from '@egts/api';
import type { HTTPListener, HTTPRouteIR, XdsIR } from '@egts/ir';
import { type TranslateOptions, type TranslateResult, translate } from '../../translate.js';
import { overlapsAny } from '../routes/routeOverlaps.js';
import { compareListenerRoutes, type ListenerRoute } from './listenerRouteOrder.js';
import { type Route, type RouteChange, routeIndex } from './routeDiff.js';
import { shareUnchanged } from './shareUnchanged.js';
import type { Translation } from './translation.js';

/**
 * The policies a route-only translation leaves out: they give only their own statuses, which the
 * caller keeps. SecurityPolicies stay in, because they also shape the routes they protect
 * (their filters, or a 500 when not accepted).
 */
export const STATUS_ONLY_POLICIES = POLICY_COLLECTIONS.filter(
  (kind) => kind !== 'securityPolicies',
);

const statusKey = (s: {
  kind: string;
  metadata: { name: string; namespace?: string | null | undefined };
}) => `${s.kind}/${s.metadata.namespace ?? ''}/${s.metadata.name}`;

/** Position of each status by key, per statuses array (handed on when positions do not move). */
const statusIndexes = new WeakMap<readonly ResourceStatus[], Map<string, number>>();
const statusIndex = (statuses: readonly ResourceStatus[]): Map<string, number> => {
  let index = statusIndexes.get(statuses);
  if (index === undefined) {
    index = new Map(statuses.map((s, i) => [statusKey(s), i]));
    statusIndexes.set(statuses, index);
  }
  return index;
};

/** The `<kind>/<namespace>/<name>` prefix of an IR route name (names never contain `/`). */
const routeKeyOfIR = (name: string): string => {
  const first = name.indexOf('/');
  return name.slice(0, name.indexOf('/', name.indexOf('/', first + 1) + 1));
};

const withoutRoutes = <T extends { routes?: unknown; route?: unknown }>(listener: T) => ({
  ...listener,
  routes: undefined,
  route: undefined,
});

const sameShape = <T extends { routes?: unknown; route?: unknown }>(
  a: readonly T[],
  b: readonly T[],
): boolean =>
  a.length === b.length &&
  a.every((x, i) => isDeepStrictEqual(withoutRoutes(x), withoutRoutes(b[i]!)));

type Lookup = (key: string) => HTTPRoute | GRPCRoute | undefined;

class Refused extends Error {}

/** `kept` (sorted) with `added` (sorted the same way) merged in where a full translation puts them. */
const merge = (kept: HTTPRouteIR[], added: readonly HTTPRouteIR[], lookup: Lookup) => {
  const entry = (ir: HTTPRouteIR): ListenerRoute => {
    const route = lookup(routeKeyOfIR(ir.name));
    if (route === undefined) throw new Refused(`no route for ${ir.name}`);
    return { ir, route };
  };
  const out: HTTPRouteIR[] = [];
  let from = 0;
  for (const ir of added) {
    const x = entry(ir);
    let lo = from;
    let hi = kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareListenerRoutes(entry(kept[mid]!), x) <= 0) lo = mid + 1;
      else hi = mid;
    }
    while (from < lo) out.push(kept[from++]!);
    out.push(ir);
  }
  while (from < kept.length) out.push(kept[from++]!);
  return out;
};

/** The previous HTTP listeners with the changed routes' IR replaced. */
const spliceListeners = (
  previous: readonly HTTPListener[],
  before: readonly HTTPListener[],
  after: readonly HTTPListener[],
  changed: ReadonlySet<string>,
  lookup: Lookup,
): HTTPListener[] => {
  if (!sameShape(previous, after) || !sameShape(before, after)) throw new Refused('listeners');
  // IR route names start with `<route key>/`: for a few changed routes, prefix tests are cheaper
  // than cutting the key out of every name.
  const prefixes = [...changed].map((key) => `${key}/`);
  const isChanged =
    prefixes.length <= 4
      ? (name: string) => prefixes.some((prefix) => name.startsWith(prefix))
      : (name: string) => changed.has(routeKeyOfIR(name));
  return previous.map((listener, i) => {
    const kept: HTTPRouteIR[] = [];
    const removed = new Map<string, HTTPRouteIR>();
    for (const route of listener.routes) {
      if (isChanged(route.name)) removed.set(route.name, route);
      else kept.push(route);
    }
    // What leaves must be what the changed routes contributed before the change.
    if (listener.routes.length - kept.length !== before[i]!.routes.length)
      throw new Refused('routes');
    // Parts equal to the old IR keep its objects (a new header leaves the destination's, so
    // the xds-translator keeps its cluster messages).
    const added = after[i]!.routes.map((route) => shareUnchanged(removed.get(route.name), route));
    if (kept.length === listener.routes.length && added.length === 0) return listener;
    return { ...listener, routes: merge(kept, added, lookup) };
  });
};

interface ListenerStatus {
  attachedRoutes: number;
}
const listenersOf = (s: ResourceStatus) =>
  (s.status.listeners ?? []) as readonly (ListenerStatus & Record<string, unknown>)[];
const uncounted = (s: ResourceStatus) => ({
  ...s,
  status: { ...s.status, listeners: listenersOf(s).map((l) => ({ ...l, attachedRoutes: 0 })) },
});

/** A Gateway's status, attachedRoutes moved by what the changed routes attach before and after. */
const gatewayStatus = (
  previous: ResourceStatus,
  before: ResourceStatus,
  after: ResourceStatus,
): ResourceStatus => {
  const expected = uncounted(previous);
  if (
    !isDeepStrictEqual(expected, uncounted(before)) ||
    !isDeepStrictEqual(expected, uncounted(after))
  )
    throw new Refused('gateway status');
  const counts = (s: ResourceStatus) => listenersOf(s).map((l) => l.attachedRoutes);
  if (isDeepStrictEqual(counts(before), counts(after))) return previous;
  const was = listenersOf(previous);
  const listeners = listenersOf(after).map((l, i) => ({
    ...l,
    attachedRoutes:
      was[i]!.attachedRoutes - listenersOf(before)[i]!.attachedRoutes + l.attachedRoutes,
  }));
  return { ...after, status: { ...after.status, listeners } };
};

const byStatusKey = (statuses: readonly ResourceStatus[]) =>
  new Map(statuses.map((s) => [statusKey(s), s]));

const translateOnly = (
  next: Resources,
  gateways: Resources['gateways'],
  routes: readonly Route[],
  options: TranslateOptions | undefined,
): TranslateResult => {
  const reduced: Resources = {
    ...next,
    gateways,
    httpRoutes: routes.filter((r) => r.kind === 'HTTPRoute') as HTTPRoute[],
    grpcRoutes: routes.filter((r) => r.kind === 'GRPCRoute') as GRPCRoute[],
    tlsRoutes: [],
    tcpRoutes: [],
    udpRoutes: [],
  };
  for (const kind of STATUS_ONLY_POLICIES) (reduced[kind] as unknown[]) = [];
  return translate(reduced, options);
};

/**
 * `previous` updated for `changes` (HTTPRoutes and GRPCRoutes naming only Gateways, the
 * `touched` ones), or undefined when that could differ from translating `next` in full.
 */
export function spliceRoutes(
  previous: Translation,
  next: Resources,
  changes: readonly RouteChange[],
  touched: ReadonlySet<string>,
  options: TranslateOptions | undefined,
): Translation | undefined {
  if (changes.some((c) => c.kind !== 'httpRoutes' && c.kind !== 'grpcRoutes')) return undefined;
  if (next.backendTLSPolicies.length > 0 || next.listenerSets.length > 0) return undefined;
  const http = routeIndex(next.httpRoutes as Route[]);
  const grpc = routeIndex(next.grpcRoutes as Route[]);
  if (http === undefined || grpc === undefined) return undefined;
  const lookup: Lookup = (key) =>
    (key.startsWith('httproute/') ? http.get(key) : grpc.get(key)) as
      | HTTPRoute
      | GRPCRoute
      | undefined;

  const gateways = next.gateways.filter((g) =>
    touched.has(`${g.metadata.namespace ?? ''}/${g.metadata.name}`),
  );
  const before = translateOnly(
    next,
    gateways,
    changes.flatMap((c) => c.before ?? []),
    options,
  );
  const after = translateOnly(
    next,
    gateways,
    changes.flatMap((c) => c.after ?? []),
    options,
  );
  const changed = new Set(changes.map((c) => c.key));
  try {
    // IR: one per touched Gateway (fleets are Gateways: merged Gateways were refused before).
    const replaced = new Map<string, XdsIR>();
    for (const name of touched) {
      const was = previous.xdsIR.find((ir) => ir.name === name);
      const old = before.xdsIR.find((ir) => ir.name === name);
      const now = after.xdsIR.find((ir) => ir.name === name);
      if (was === undefined && old === undefined && now === undefined) continue;
      if (was === undefined || old === undefined || now === undefined) return undefined;
      if (!sameShape(was.tcp, now.tcp) || !sameShape(was.udp, now.udp)) return undefined;
      const listeners = spliceListeners(was.http, old.http, now.http, changed, lookup);
      // A changed route tying with another (RouteRulesOverlap) changes that one's status too.
      if (overlapsAny(was.http, changed) || overlapsAny(listeners, changed)) return undefined;
      if (listeners.some((l, i) => l !== was.http[i]))
        replaced.set(name, { ...was, http: listeners });
    }
    if (before.xdsIR.length + after.xdsIR.length > 2 * touched.size) return undefined;
    // Routes do not change what proxies run: the touched Gateways' Infra IR stays as it was.
    for (const proxy of [...before.infraIR.proxies, ...after.infraIR.proxies]) {
      const was = previous.infraIR.proxies.find((p) => p.name === proxy.name);
      if (!isDeepStrictEqual(was, proxy)) return undefined;
    }

    // Statuses: the changed routes' from the run after the change; Gateways' counts adjusted.
    const index = statusIndex(previous.statuses);
    const statuses = previous.statuses.slice();
    const oldStatuses = byStatusKey(before.statuses);
    const newStatuses = byStatusKey(after.statuses);
    for (const name of touched) {
      const slash = name.indexOf('/');
      const key = `Gateway/${name.slice(0, slash)}/${name.slice(slash + 1)}`;
      const at = index.get(key);
      const old = oldStatuses.get(key);
      const now = newStatuses.get(key);
      if (at === undefined && old === undefined && now === undefined) continue;
      if (at === undefined || old === undefined || now === undefined) return undefined;
      statuses[at] = gatewayStatus(statuses[at]!, old, now);
    }
    const removed = new Set<number>();
    const appended: ResourceStatus[] = [];
    for (const change of changes) {
      const route = (change.after ?? change.before)!;
      const key = statusKey(route);
      const at = index.get(key);
      const now = newStatuses.get(key);
      if (at !== undefined && now !== undefined) {
        if (!isDeepStrictEqual(statuses[at], now)) statuses[at] = now;
      } else if (at !== undefined) removed.add(at);
      else if (now !== undefined) appended.push(now);
    }
    let result = statuses;
    if (removed.size > 0 || appended.length > 0) {
      // New routes go last (a full run lists them in input order; the set is the same).
      result = [...statuses.filter((_, i) => !removed.has(i)), ...appended];
    } else {
      statusIndexes.set(result, index);
    }

    const xdsIR = previous.xdsIR.map((ir) => replaced.get(ir.name) ?? ir);
    return { resources: next, infraIR: previous.infraIR, xdsIR, statuses: result };
  } catch (error) {
    if (error instanceof Refused) return undefined;
    throw error;
  }
}
