// One HTTP IR listener's routes with the changed routes' IR replaced (spliceRoutes.ts), without
// reading the thousands of unchanged route objects: each route list has columns beside it (the
// routes' source names and a rough requests key), built once for a list a full translation made
// and handed on to the list a splice makes. Profiled at 5,000 routes, reading `source` and
// `hostname` off every route (IR routes come in many shapes, so each read is a slow megamorphic
// one) was a third of a one-route change. The same walk says whether a changed route selects the
// requests of an unchanged one (RouteRulesOverlap, see overlapsMove.ts).
import type { GRPCRoute, HTTPRoute } from '@egts/api';
import type { HTTPRouteIR } from '@egts/ir';
import { requestsKey } from '../routes/routeOverlaps.js';
import type { IncrementalMemo } from './incrementalMemo.js';
import { compareListenerRoutes, type ListenerRoute } from './listenerRouteOrder.js';
import { pathOf } from './overlapsMove.js';
import { shareUnchanged } from './shareUnchanged.js';

/** A splice that cannot equal a full translation. */
export class Refused extends Error {}

/** Where an IR route comes from; only IR the translator made (which says) is spliced. */
export const sourceOf = (ir: HTTPRouteIR): HTTPRouteIR['source'] => {
  if (ir.source.ruleIndex === undefined) throw new Refused(`no rule index for ${ir.name}`);
  return ir.source;
};

export type Lookup = (source: HTTPRouteIR['source']) => HTTPRoute | GRPCRoute | undefined;

/** Changed routes by name (then kind and namespace): no key string per unchanged route. */
export type ChangedNames = ReadonlyMap<string, readonly { kind: string; namespace: string }[]>;

/** Per route list, in its order: each route's source name and rough requests key. */
export interface RouteColumns {
  readonly names: readonly string[];
  readonly requests: readonly string[];
}

/** Hostname and path: routes that differ here never select the same requests. */
const roughRequests = (r: HTTPRouteIR) => `${r.hostname}\x02${pathOf(r)}`;

const columnsOf = (memo: IncrementalMemo, routes: readonly HTTPRouteIR[]): RouteColumns => {
  let columns = memo.routeColumns.get(routes);
  if (columns === undefined) {
    columns = { names: routes.map((r) => sourceOf(r).name), requests: routes.map(roughRequests) };
    memo.routeColumns.set(routes, columns);
  }
  return columns;
};

export interface SplicedListener {
  readonly routes: readonly HTTPRouteIR[];
  /** How many routes left (the changed routes' IR before the change). */
  readonly removed: number;
  /** A changed route, before or after, selects the same requests as an unchanged one. */
  readonly overlaps: boolean;
}

/**
 * `routes` without the changed routes' IR and with `fresh` (their IR after the change, in the
 * listener's order) merged in where a full translation puts them; `routes` itself when nothing
 * changes.
 */
export function spliceListenerRoutes(
  memo: IncrementalMemo,
  routes: readonly HTTPRouteIR[],
  fresh: readonly HTTPRouteIR[],
  changed: ChangedNames,
  lookup: Lookup,
): SplicedListener {
  const columns = columnsOf(memo, routes);
  const first = columns.names.findIndex((name) => changed.has(name));
  if (first === -1 && fresh.length === 0) return { routes, removed: 0, overlaps: false };
  const kept: HTTPRouteIR[] = [];
  const keptNames: string[] = [];
  const keptRequests: string[] = [];
  const removed = new Map<string, HTTPRouteIR>();
  for (let i = 0; i < routes.length; i++) {
    const route = routes[i]!;
    const candidates = i < first || first === -1 ? undefined : changed.get(columns.names[i]!);
    if (
      candidates?.some(
        (c) => c.kind === route.source.kind && c.namespace === route.source.namespace,
      ) === true
    ) {
      removed.set(route.name, route);
    } else {
      kept.push(route);
      keptNames.push(columns.names[i]!);
      keptRequests.push(columns.requests[i]!);
    }
  }
  if (removed.size === 0 && fresh.length === 0) return { routes, removed: 0, overlaps: false };
  // Parts equal to the old IR keep its objects (a new header leaves the destination's, so the
  // xds-translator keeps its cluster messages).
  const added = fresh.map((route) => shareUnchanged(removed.get(route.name), route));
  const touching = [...removed.values(), ...added];
  const rough = new Set(touching.map(roughRequests));
  const exact = new Set(touching.map((r) => requestsKey(r.hostname, r)));
  const overlaps = keptRequests.some(
    (request, i) => rough.has(request) && exact.has(requestsKey(kept[i]!.hostname, kept[i]!)),
  );

  const entry = (ir: HTTPRouteIR): ListenerRoute => {
    const route = lookup(sourceOf(ir));
    if (route === undefined) throw new Refused(`no route for ${ir.name}`);
    return { ir, route };
  };
  const out: HTTPRouteIR[] = [];
  const names: string[] = [];
  const requests: string[] = [];
  let from = 0;
  const keep = (until: number) => {
    for (; from < until; from++) {
      out.push(kept[from]!);
      names.push(keptNames[from]!);
      requests.push(keptRequests[from]!);
    }
  };
  for (const ir of added) {
    const x = entry(ir);
    let lo = from;
    let hi = kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareListenerRoutes(entry(kept[mid]!), x) <= 0) lo = mid + 1;
      else hi = mid;
    }
    keep(lo);
    out.push(ir);
    names.push(x.ir.source.name);
    requests.push(roughRequests(ir));
  }
  keep(kept.length);
  memo.routeColumns.set(out, { names, requests });
  return { routes: out, removed: removed.size, overlaps };
}
