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
// so the old routes are not translated: what they put in the IR is found by source.
import { isDeepStrictEqual } from 'node:util';
import type { GRPCRoute, HTTPRoute, ResourceStatus, Resources } from '@egts/api';
import type { HTTPListener, HTTPRouteIR, XdsIR } from '@egts/ir';
import { type TranslateOptions, type TranslateResult, translate } from '../../translate.js';
import type { IncrementalMemo } from './incrementalMemo.js';
import { compareListenerRoutes, type ListenerRoute } from './listenerRouteOrder.js';
import { policiesReaching, routeFootprint } from './policyFootprint.js';
import { type Route, type RouteChange, routeIndex, routeKeyOf, statusKey } from './routeDiff.js';
import { shareUnchanged } from './shareUnchanged.js';
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

class Refused extends Error {}

/** Where an IR route comes from; only IR the translator made (which says) is spliced. */
const sourceOf = (ir: HTTPRouteIR): HTTPRouteIR['source'] => {
  if (ir.source.ruleIndex === undefined) throw new Refused(`no rule index for ${ir.name}`);
  return ir.source;
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

type Lookup = (source: HTTPRouteIR['source']) => HTTPRoute | GRPCRoute | undefined;

/** `kept` (sorted) with `added` (sorted the same way) merged in where a full translation puts them. */
const merge = (kept: HTTPRouteIR[], added: readonly HTTPRouteIR[], lookup: Lookup) => {
  const entry = (ir: HTTPRouteIR): ListenerRoute => {
    const route = lookup(sourceOf(ir));
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

/**
 * The previous HTTP listeners with the changed routes' IR replaced; `before` (the changed routes
 * translated before the change) checks what leaves, when it was translated.
 */
const spliceListeners = (
  previous: readonly HTTPListener[],
  before: readonly HTTPListener[] | undefined,
  after: readonly HTTPListener[],
  changed: readonly Pick<HTTPRouteIR['source'], 'kind' | 'namespace' | 'name'>[],
  lookup: Lookup,
): HTTPListener[] => {
  if (!sameShape(previous, after) || (before !== undefined && !sameShape(before, after)))
    throw new Refused('listeners');
  // By name first: no key string is built for each of thousands of unchanged routes.
  const byName = new Map<string, { kind: string; namespace: string }[]>();
  for (const c of changed) byName.set(c.name, [...(byName.get(c.name) ?? []), c]);
  const isChanged = (ir: HTTPRouteIR) => {
    const source = sourceOf(ir);
    const candidates = byName.get(source.name);
    return (
      candidates?.some((c) => c.kind === source.kind && c.namespace === source.namespace) === true
    );
  };
  return previous.map((listener, i) => {
    const kept: HTTPRouteIR[] = [];
    const removed = new Map<string, HTTPRouteIR>();
    for (const route of listener.routes) {
      if (isChanged(route)) removed.set(route.name, route);
      else kept.push(route);
    }
    // What leaves must be what the changed routes contributed before the change.
    if (before !== undefined && listener.routes.length - kept.length !== before[i]!.routes.length)
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
    (before !== after && !isDeepStrictEqual(expected, uncounted(before))) ||
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
  return translate({ ...reduced, ...policiesReaching(memo, next, routes, gateways) }, options);
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
  memo: IncrementalMemo,
): Translation | undefined {
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
  // Edits that attach as before need no translation of the old routes (see the top).
  const sameAttachment = changes.every(
    (c) =>
      c.before !== undefined &&
      c.after !== undefined &&
      isDeepStrictEqual(routeFootprint(c.before), routeFootprint(c.after)),
  );
  const after = translateOnly(
    next,
    gateways,
    changes.flatMap((c) => c.after ?? []),
    options,
    memo,
  );
  const before = sameAttachment
    ? undefined
    : translateOnly(
        next,
        gateways,
        changes.flatMap((c) => c.before ?? []),
        options,
        memo,
      );
  const changed = changes.map((c) => {
    const route = (c.after ?? c.before)!;
    const { name, namespace } = route.metadata;
    return { kind: route.kind, namespace: namespace ?? 'default', name };
  });
  try {
    // IR: one per touched Gateway (fleets are Gateways: merged Gateways were refused before).
    const replaced = new Map<string, XdsIR>();
    for (const name of touched) {
      const was = previous.xdsIR.find((ir) => ir.name === name);
      const now = after.xdsIR.find((ir) => ir.name === name);
      const old = before === undefined ? now : before.xdsIR.find((ir) => ir.name === name);
      if (was === undefined && old === undefined && now === undefined) continue;
      if (was === undefined || old === undefined || now === undefined) return undefined;
      if (!sameShape(was.tcp, now.tcp) || !sameShape(was.udp, now.udp)) return undefined;
      const listeners = spliceListeners(was.http, before && old.http, now.http, changed, lookup);
      if (listeners.some((l, i) => l !== was.http[i]))
        replaced.set(name, { ...was, http: listeners });
    }
    if ((before ?? after).xdsIR.length + after.xdsIR.length > 2 * touched.size) return undefined;
    // Routes do not change what proxies run: the touched Gateways' Infra IR stays as it was.
    for (const proxy of [...(before?.infraIR.proxies ?? []), ...after.infraIR.proxies]) {
      const was = previous.infraIR.proxies.find((p) => p.name === proxy.name);
      if (!isDeepStrictEqual(was, proxy)) return undefined;
    }

    // Statuses: the changed routes' from the run after the change; Gateways' counts adjusted.
    const index = statusIndex(memo, previous.statuses);
    const statuses = previous.statuses.slice();
    const newStatuses = byStatusKey(after.statuses);
    // Attached as before: the old routes' counts were the new ones'.
    const oldStatuses = before === undefined ? newStatuses : byStatusKey(before.statuses);
    for (const gateway of gateways) {
      const key = statusKey(gateway);
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
      memo.statusPositions.set(result, index);
    }

    const xdsIR = previous.xdsIR.map((ir) => replaced.get(ir.name) ?? ir);
    return { resources: next, infraIR: previous.infraIR, xdsIR, statuses: result };
  } catch (error) {
    if (error instanceof Refused) return undefined;
    throw error;
  }
}
