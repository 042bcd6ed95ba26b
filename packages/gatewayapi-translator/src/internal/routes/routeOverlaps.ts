// Envoy Gateway's RouteRulesOverlap warning: when matches of two different HTTPRoutes or
// GRPCRoutes on the same listener and hostname select exactly the same requests, Gateway API's
// precedence gives them all to the oldest route (HTTPRouteRule "matches" ordering), so the
// others silently receive nothing. Each such route gets RouteRulesOverlap=True on the parents
// where it happens; the routes stay Accepted. Matches differing in anything (a query parameter,
// a header, a cookie, the path) do not overlap.
import type { HTTPListener, StringMatch } from '@egts/ir';
import type { AnyRouteContext, RouteParentContext } from '../context/routeContext.js';
import type { TranslatorContext } from '../context/translatorContext.js';
import type { HTTPRouteTemplate } from './ruleOutcome.js';

const matchKey = (m: StringMatch, lowerName: boolean) =>
  [lowerName ? m.name?.toLowerCase() : m.name, m.type, m.value, m.invert ? '!' : ''].join('\0');

const listKey = (list: readonly StringMatch[], lowerName: boolean) =>
  list
    .map((m) => matchKey(m, lowerName))
    .sort()
    .join('\x01');

/** No path match is PathPrefix "/"; a prefix other than "/" ignores one trailing slash. */
function pathKey(path: StringMatch | undefined): string {
  if (!path) return matchKey({ type: 'PathPrefix', value: '/' }, false);
  const prefix = path.type === 'PathPrefix' || path.type === 'Prefix';
  const value = prefix && path.value !== '/' ? path.value.replace(/\/$/, '') : path.value;
  return matchKey({ ...path, value }, false);
}

/** A canonical key of what requests one IR route template matches (header names fold case). */
function requestsKey(hostname: string, t: HTTPRouteTemplate): string {
  return [
    hostname,
    pathKey(t.pathMatch),
    listKey(t.headerMatches, true),
    listKey(t.queryParamMatches, false),
  ].join('\x02');
}

const routeName = (r: AnyRouteContext) => `${r.kind} ${r.namespace}/${r.name}`;

export function markRouteOverlaps(ctx: TranslatorContext): void {
  // listener -> request key -> the routes (and their parents there) whose matches select it
  const buckets = new Map<string, Map<AnyRouteContext, RouteParentContext[]>>();
  for (const route of ctx.routes) {
    if (route.kind !== 'HTTPRoute' && route.kind !== 'GRPCRoute') continue;
    const outcomes = (ctx.routeOutcomes.get(route) ?? []).filter((o) => !o.invalid);
    for (const parent of route.parents) {
      if (!parent.accepted) continue;
      for (const { listener, hostnames } of parent.attachments) {
        if (!listener.ready) continue;
        for (const hostname of hostnames)
          for (const outcome of outcomes)
            for (const template of outcome.httpRoutes) {
              const key = `${listener.irName}\x03${requestsKey(hostname, template)}`;
              const routes = buckets.get(key) ?? new Map<AnyRouteContext, RouteParentContext[]>();
              buckets.set(key, routes);
              const parents = routes.get(route) ?? [];
              if (!parents.includes(parent)) parents.push(parent);
              routes.set(route, parents);
            }
      }
    }
  }
  const overlapping = new Map<RouteParentContext, Set<string>>();
  for (const routes of buckets.values()) {
    if (routes.size < 2) continue;
    for (const [route, parents] of routes)
      for (const parent of parents) {
        const others = overlapping.get(parent) ?? new Set<string>();
        for (const other of routes.keys()) if (other !== route) others.add(routeName(other));
        overlapping.set(parent, others);
      }
  }
  for (const [parent, others] of overlapping) {
    parent.conditions.set(
      'RouteRulesOverlap',
      'True',
      'RouteRulesOverlap',
      `Overlapping match conditions with route(s): ${[...others].sort().join(', ')}`,
    );
  }
}

/** A route as IR routes name their source. */
export interface RouteIdentity {
  kind: string;
  namespace: string;
  name: string;
}

const identity = (r: RouteIdentity) => `${r.kind}/${r.namespace}/${r.name}`;

/**
 * Whether one of `routes` ties with another route on one of `listeners`: then changing it
 * changes the other's status too, which callers updating a translation in place must not miss.
 */
export function overlapsAny(
  listeners: readonly HTTPListener[],
  routes: readonly RouteIdentity[],
): boolean {
  const wanted = new Set(routes.map(identity));
  for (const listener of listeners) {
    const buckets = new Map<string, Set<string>>();
    for (const ir of listener.routes) {
      const key = requestsKey(ir.hostname, ir);
      const sources = buckets.get(key) ?? new Set<string>();
      sources.add(identity(ir.source));
      buckets.set(key, sources);
    }
    for (const sources of buckets.values())
      if (sources.size > 1 && [...sources].some((s) => wanted.has(s))) return true;
  }
  return false;
}
