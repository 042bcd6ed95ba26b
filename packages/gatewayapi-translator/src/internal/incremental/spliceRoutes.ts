// HTTPRoute and GRPCRoute changes applied in place (DESIGN.md "Cost follows change"): only the
// changed routes are translated, before and after the change, each time with just the Gateways
// they name; their old IR routes leave the previous IR listeners and the new ones go in where a
// full translation puts them (compareListenerRoutes), the routes' statuses are replaced and the
// Gateways' attachedRoutes counts adjusted. Everything else keeps its object, so the xDS side
// re-encodes only what changed. A route's translation depends on nothing but itself, its
// Gateways and the non-route input, which is what makes this equal a full translation; anything
// else (BackendTLSPolicies, L4 routes, a Gateway status that moves) returns undefined. Policy
// statuses are the caller's (routesOnly.ts). An edit that keeps every route's footprint (its
// parents and hostnames: all that attachment reads, routes/attachRoute.ts) attaches as before,
// so the old routes are not translated: what they put in the IR is found by source. New routes
// put nothing there before: only their translation after the change is needed (a route added to
// 1,000 translates its Gateways once, not twice).
import type { GRPCRoute, HTTPRoute, ResourceStatus, Resources } from '@egts/api';
import type { HTTPListener, HTTPRouteIR, ProxyInfra, XdsIR } from '@egts/ir';
import { type TranslateOptions, type TranslateResult, translateWith } from '../../translate.js';
import type { IncrementalMemo } from './incrementalMemo.js';
import { type ChangedNames, type Lookup, Refused, spliceListenerRoutes } from './listenerSplice.js';
import { footprintsKept, policiesReaching } from './policyFootprint.js';
import { reachableListeners } from './reachableListeners.js';
import { type Route, type RouteChange, routeIndex, routeKeyOf, statusKey } from './routeDiff.js';
import { sameJson } from './sameJson.js';
import type { Translation } from './translation.js';

/** Position of each status by key, per statuses array (handed on when positions do not move). */
const statusIndex = (
  memo: IncrementalMemo,
  statuses: readonly ResourceStatus[],
): Map<string, number> => {
  let index = memo.statusPositions.get(statuses);
  if (index === undefined) {
    index = new Map(statuses.map((s, i) => [statusKey(s), i]));
    memo.statusPositions.set(statuses, index);
  }
  return index;
};

const NONE: ReadonlySet<string> = new Set();

/** What a route changes in a listener: compared apart from everything else. */
const ROUTES: ReadonlySet<string> = new Set(['routes', 'route']);

const sameShape = <T extends { routes?: unknown; route?: unknown }>(
  a: readonly T[],
  b: readonly T[],
): boolean => a.length === b.length && a.every((x, i) => sameJson(x, b[i], ROUTES));

/** `previous` without the listeners left out of the reduced translation (by IR name). */
const reached = <T extends { name: string }>(
  previous: readonly T[],
  dropped: ReadonlySet<string>,
) => (dropped.size === 0 ? previous : previous.filter((l) => !dropped.has(l.name)));

const LISTENERS_KEY: ReadonlySet<string> = new Set(['listeners']);

/** A fleet's Infra IR as the reduced translation gives it: the previous one, but for listeners left out. */
const sameProxy = (
  previous: ProxyInfra | undefined,
  now: ProxyInfra,
  dropped: ReadonlySet<string>,
): boolean =>
  previous !== undefined &&
  (dropped.size === 0
    ? sameJson(previous, now)
    : sameJson(previous, now, LISTENERS_KEY) &&
      sameJson(reached(previous.listeners, dropped), now.listeners));

/**
 * What the changed routes gave before the change: their translation, 'same' when they attach as
 * before (edits keeping their footprint: what they gave is found by source), or 'none' when they
 * are all new (they gave nothing: no route to translate, the Gateways alone would be checked
 * against the previous run again).
 */
type Before = TranslateResult | 'same' | 'none';

/**
 * The previous HTTP listeners with the changed routes' IR replaced; `before` (the changed routes
 * translated before the change) checks what leaves. `overlaps` when a changed route selects an
 * unchanged one's requests (then a full translation must decide).
 */
const spliceListeners = (
  memo: IncrementalMemo,
  previous: readonly HTTPListener[],
  before: readonly HTTPListener[] | 'same' | 'none',
  after: readonly HTTPListener[],
  changed: ChangedNames,
  lookup: Lookup,
): { listeners: HTTPListener[]; overlaps: boolean } => {
  if (!sameShape(previous, after) || (typeof before === 'object' && !sameShape(before, after)))
    throw new Refused('listeners');
  let overlaps = false;
  const listeners = previous.map((listener, i) => {
    const spliced = spliceListenerRoutes(memo, listener.routes, after[i]!.routes, changed, lookup);
    overlaps ||= spliced.overlaps;
    // What leaves must be what the changed routes contributed before the change.
    const contributed =
      before === 'same' ? spliced.removed : before === 'none' ? 0 : before[i]!.routes.length;
    if (spliced.removed !== contributed) throw new Refused('routes');
    return spliced.routes === listener.routes
      ? listener
      : { ...listener, routes: spliced.routes as HTTPRouteIR[] };
  });
  return { listeners, overlaps };
};

interface ListenerStatus {
  name: string;
  attachedRoutes: number;
}
const listenersOf = (s: ResourceStatus) =>
  (s.status.listeners ?? []) as readonly (ListenerStatus & Record<string, unknown>)[];
const STATUS: ReadonlySet<string> = new Set(['status']);
const COUNT: ReadonlySet<string> = new Set(['attachedRoutes']);

/**
 * `b` (a reduced translation's) equal to `a` but for the listeners' attachedRoutes, all that
 * routes may change in a Gateway's status, and for the listeners left out of `b` (`dropped`).
 */
const sameUncounted = (
  a: ResourceStatus,
  b: ResourceStatus,
  dropped: ReadonlySet<string>,
): boolean => {
  if (!sameJson(a, b, STATUS) || !sameJson(a.status, b.status, LISTENERS_KEY)) return false;
  const x = reached(listenersOf(a), dropped);
  const y = listenersOf(b);
  return x.length === y.length && x.every((l, i) => sameJson(l, y[i], COUNT));
};

/**
 * A Gateway's status, attachedRoutes moved by what the changed routes attach before (their
 * translation's status, 'none' when they are new) and after; the listeners left out of those
 * translations (`dropped`) as they were.
 */
const gatewayStatus = (
  previous: ResourceStatus,
  before: ResourceStatus | 'none',
  after: ResourceStatus,
  dropped: ReadonlySet<string>,
): ResourceStatus => {
  if (
    (before !== 'none' && before !== after && !sameUncounted(previous, before, dropped)) ||
    !sameUncounted(previous, after, dropped)
  )
    throw new Refused('gateway status');
  const counts = (s: ResourceStatus | 'none', like: ResourceStatus) =>
    s === 'none' ? listenersOf(like).map(() => 0) : listenersOf(s).map((l) => l.attachedRoutes);
  const old = counts(before, after);
  if (sameJson(old, counts(after, after))) return previous;
  // The translated listeners, in order, are the previous ones but those left out.
  const now = listenersOf(after);
  let i = 0;
  const listeners = listenersOf(previous).map((was) => {
    if (dropped.has(was.name)) return was;
    const l = now[i]!;
    const attachedRoutes = was.attachedRoutes - old[i]! + l.attachedRoutes;
    i++;
    return { ...l, attachedRoutes };
  });
  return { ...after, status: { ...after.status, listeners } };
};

const byStatusKey = (statuses: readonly ResourceStatus[]) =>
  new Map(statuses.map((s) => [statusKey(s), s]));

const translateOnly = (
  next: Resources,
  gateways: Resources['gateways'],
  routes: readonly Route[],
  options: TranslateOptions | undefined,
  memo: IncrementalMemo,
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
  // The policies that reach these routes and Gateways stay in: what they write to the routes'
  // IR must be in the splice. Their statuses are the caller's (see routesOnly.ts).
  return translateWith(
    { ...reduced, ...policiesReaching(memo, next, routes, gateways) },
    options,
    memo.lookups,
  );
};

/**
 * `previous` updated for `changes` (HTTPRoutes and GRPCRoutes naming only Gateways, the
 * `touched` ones); undefined when splicing could differ from translating `next` in full, and
 * 'overlaps' when a changed route selects the same requests as an unchanged one (its
 * RouteRulesOverlap condition may move: only a full translation says).
 */
export function spliceRoutes(
  previous: Translation,
  next: Resources,
  changes: readonly RouteChange[],
  touched: ReadonlySet<string>,
  options: TranslateOptions | undefined,
  memo: IncrementalMemo,
): Translation | 'overlaps' | undefined {
  if (changes.some((c) => c.kind !== 'httpRoutes' && c.kind !== 'grpcRoutes')) return undefined;
  if (next.backendTLSPolicies.length > 0 || next.listenerSets.length > 0) return undefined;
  // Routes are spliced in at their precedence: an EnvoyProxy keeping the written order (#19b)
  // needs the full translation.
  if (next.envoyProxies.some((p) => p.spec.preserveRouteOrder === true)) return undefined;
  const http = routeIndex(memo, next.httpRoutes as Route[]);
  const grpc = routeIndex(memo, next.grpcRoutes as Route[]);
  if (http === undefined || grpc === undefined) return undefined;
  const lookup: Lookup = ({ kind, namespace, name }) =>
    (kind === 'HTTPRoute' ? http : grpc).get(routeKeyOf(kind, namespace, name)) as
      | HTTPRoute
      | GRPCRoute
      | undefined;

  const gateways = next.gateways.filter((g) =>
    touched.has(`${g.metadata.namespace ?? ''}/${g.metadata.name}`),
  );
  // Each Gateway with just the listeners these routes can reach, by fleet name.
  const routes = changes.flatMap((c) => [c.before, c.after].filter((r) => r !== undefined));
  const reach = new Map(
    gateways.map((g) => [
      `${g.metadata.namespace ?? ''}/${g.metadata.name}`,
      reachableListeners(g, routes),
    ]),
  );
  const reduced = [...reach.values()].map((r) => r.gateway);
  const droppedIR = (fleet: string) => reach.get(fleet)?.droppedIR ?? NONE;
  // Edits that attach as before need no translation of the old routes (see the top).
  const sameAttachment = footprintsKept(changes);
  const after = translateOnly(
    next,
    reduced,
    changes.flatMap((c) => c.after ?? []),
    options,
    memo,
  );
  const before: Before = sameAttachment
    ? 'same'
    : changes.every((c) => c.before === undefined)
      ? 'none'
      : translateOnly(
          next,
          reduced,
          changes.flatMap((c) => c.before ?? []),
          options,
          memo,
        );
  const earlier = typeof before === 'object' ? before : undefined;
  const changed = new Map<string, { kind: string; namespace: string }[]>();
  for (const c of changes) {
    const { kind, metadata } = (c.after ?? c.before)!;
    const same = changed.get(metadata.name) ?? [];
    same.push({ kind, namespace: metadata.namespace ?? 'default' });
    changed.set(metadata.name, same);
  }
  let overlaps = false;
  try {
    // IR: one per touched Gateway (fleets are Gateways: merged Gateways were refused before).
    const replaced = new Map<string, XdsIR>();
    for (const name of touched) {
      const was = previous.xdsIR.find((ir) => ir.name === name);
      const now = after.xdsIR.find((ir) => ir.name === name);
      const old = earlier === undefined ? now : earlier.xdsIR.find((ir) => ir.name === name);
      if (was === undefined && old === undefined && now === undefined) continue;
      if (was === undefined || old === undefined || now === undefined) return undefined;
      const dropped = droppedIR(name);
      if (!sameShape(reached(was.tcp, dropped), now.tcp)) return undefined;
      if (!sameShape(reached(was.udp, dropped), now.udp)) return undefined;
      const spliced = spliceListeners(
        memo,
        was.http,
        earlier === undefined ? (before as 'same' | 'none') : old.http,
        now.http,
        changed,
        lookup,
      );
      const listeners = spliced.listeners;
      overlaps ||= spliced.overlaps;
      if (listeners.some((l, i) => l !== was.http[i]))
        replaced.set(name, { ...was, http: listeners });
    }
    if ((earlier ?? after).xdsIR.length + after.xdsIR.length > 2 * touched.size) return undefined;
    if (overlaps) return 'overlaps';
    // Routes do not change what proxies run: the touched Gateways' Infra IR stays as it was.
    for (const proxy of [...(earlier?.infraIR.proxies ?? []), ...after.infraIR.proxies]) {
      const was = previous.infraIR.proxies.find((p) => p.name === proxy.name);
      if (!sameProxy(was, proxy, droppedIR(proxy.name))) return undefined;
    }

    // Statuses: the changed routes' from the run after the change; Gateways' counts adjusted.
    const index = statusIndex(memo, previous.statuses);
    const statuses = previous.statuses.slice();
    const newStatuses = byStatusKey(after.statuses);
    // Attached as before: the old routes' counts were the new ones'.
    const oldStatuses = earlier === undefined ? newStatuses : byStatusKey(earlier.statuses);
    for (const gateway of gateways) {
      const key = statusKey(gateway);
      const at = index.get(key);
      const now = newStatuses.get(key);
      const old = before === 'none' ? now && 'none' : oldStatuses.get(key);
      if (at === undefined && old === undefined && now === undefined) continue;
      if (at === undefined || old === undefined || now === undefined) return undefined;
      const dropped = reach.get(`${gateway.metadata.namespace ?? ''}/${gateway.metadata.name}`);
      statuses[at] = gatewayStatus(statuses[at]!, old, now, dropped?.dropped ?? NONE);
    }
    const removed = new Set<number>();
    const appended: ResourceStatus[] = [];
    for (const change of changes) {
      const route = (change.after ?? change.before)!;
      const key = statusKey(route);
      const at = index.get(key);
      const now = newStatuses.get(key);
      if (at !== undefined && now !== undefined) {
        if (!sameJson(statuses[at], now)) statuses[at] = now;
      } else if (at !== undefined) removed.add(at);
      else if (now !== undefined) appended.push(now);
    }
    let result = statuses;
    if (removed.size > 0) {
      // New routes go last (a full run lists them in input order; the set is the same).
      result = [...statuses.filter((_, i) => !removed.has(i)), ...appended];
    } else {
      // Positions kept, new routes' appended: the index moves on to the new list, updated (a
      // route added to 1,000 does not key every status again).
      for (const [i, status] of appended.entries())
        index.set(statusKey(status), statuses.length + i);
      result = appended.length > 0 ? [...statuses, ...appended] : statuses;
      memo.statusPositions.delete(previous.statuses);
      memo.statusPositions.set(result, index);
    }

    const xdsIR = previous.xdsIR.map((ir) => replaced.get(ir.name) ?? ir);
    return { resources: next, infraIR: previous.infraIR, xdsIR, statuses: result };
  } catch (error) {
    if (error instanceof Refused) return undefined;
    throw error;
  }
}
