// Envoy Gateway's RouteRulesOverlap warning: when matches of two different HTTPRoutes or
// GRPCRoutes on the same listener and hostname select exactly the same requests, Gateway API's
// precedence gives them all to the oldest route (HTTPRouteRule "matches" ordering), so the
// others silently receive nothing. Each such route gets RouteRulesOverlap=True on the parents
// where it happens; the routes stay Accepted. Matches differing in anything (a query parameter,
// a header, a cookie, the path) do not overlap.
import type { StringMatch } from '@egts/ir';
import type { ListenerContext } from '../context/listenerContext.js';
import type { AnyRouteContext, RouteParentContext } from '../context/routeContext.js';
import type { TranslatorContext } from '../context/translatorContext.js';
import type { HTTPRouteTemplate } from './ruleOutcome.js';

const stringMatchKey = (name: string | undefined, m: StringMatch, value: string) =>
  `${name ?? ''}\0${m.type}\0${value}\0${m.invert ? '!' : ''}`;

const matchKey = (m: StringMatch, lowerName: boolean) =>
  stringMatchKey(lowerName ? m.name?.toLowerCase() : m.name, m, m.value);

// Keyed for every match of every route: most lists are empty or hold one match.
const listKey = (list: readonly StringMatch[], lowerName: boolean) =>
  list.length === 0
    ? ''
    : list.length === 1
      ? matchKey(list[0]!, lowerName)
      : list
          .map((m) => matchKey(m, lowerName))
          .sort()
          .join('\x01');

const NO_PATH = matchKey({ type: 'PathPrefix', value: '/' }, false);

/** No path match is PathPrefix "/"; a prefix other than "/" ignores one trailing slash. */
function pathKey(path: StringMatch | undefined): string {
  if (!path) return NO_PATH;
  const prefix = path.type === 'PathPrefix' || path.type === 'Prefix';
  const value = prefix && path.value !== '/' ? path.value.replace(/\/$/, '') : path.value;
  return stringMatchKey(path.name, path, value);
}

/** A canonical key of what requests one IR route template matches (header names fold case). */
export function requestsKey(hostname: string, t: HTTPRouteTemplate): string {
  return `${hostname}\x02${pathKey(t.pathMatch)}\x02${listKey(t.headerMatches, true)}\x02${listKey(t.queryParamMatches, false)}`;
}

const routeName = (r: AnyRouteContext) => `${r.kind} ${r.namespace}/${r.name}`;

/** A route whose matches select one request key, and its parents where they do. */
interface Claim {
  readonly route: AnyRouteContext;
  readonly parents: RouteParentContext[];
}

/** One match of a route, served on a listener for a hostname. */
interface Place {
  readonly route: AnyRouteContext;
  readonly parent: RouteParentContext;
  readonly hostname: string;
  readonly template: HTTPRouteTemplate;
}

/** The path a template matches, a trailing slash of a prefix dropped: equal for overlapping ones. */
const roughPath = (path: StringMatch | undefined): string =>
  path === undefined
    ? '/'
    : path.value.length > 1 && path.value.endsWith('/')
      ? path.value.slice(0, -1)
      : path.value;

/**
 * The matches of routes per listener, hostname and path: only a group holding two routes can
 * overlap, and only those are keyed exactly (a key per match of every route cost a string and a
 * map entry each). A group holds its one place until a second comes (no list per path), and the
 * loops are indexed: this runs once per translation over every match of every route, before V8
 * optimizes it, when each for-of step allocates an iterator result.
 */
function placesByPath(ctx: TranslatorContext): Place[][] {
  const byListener = new Map<ListenerContext, Map<string, Map<string, Place | Place[]>>>();
  const routes = ctx.routes;
  for (let r = 0; r < routes.length; r++) {
    const route = routes[r]!;
    if (route.kind !== 'HTTPRoute' && route.kind !== 'GRPCRoute') continue;
    const outcomes = ctx.routeOutcomes.get(route);
    if (outcomes === undefined) continue;
    for (let p = 0; p < route.parents.length; p++) {
      const parent = route.parents[p]!;
      if (!parent.accepted) continue;
      for (let a = 0; a < parent.attachments.length; a++) {
        const { listener, hostnames } = parent.attachments[a]!;
        if (!listener.ready) continue;
        let byHost = byListener.get(listener);
        if (byHost === undefined) {
          byHost = new Map();
          byListener.set(listener, byHost);
        }
        for (let h = 0; h < hostnames.length; h++) {
          const hostname = hostnames[h]!;
          let byPath = byHost.get(hostname);
          if (byPath === undefined) {
            byPath = new Map();
            byHost.set(hostname, byPath);
          }
          for (let o = 0; o < outcomes.length; o++) {
            const outcome = outcomes[o]!;
            if (outcome.invalid) continue;
            for (let t = 0; t < outcome.httpRoutes.length; t++) {
              const template = outcome.httpRoutes[t]!;
              const path = roughPath(template.pathMatch);
              const place: Place = { route, parent, hostname, template };
              const places = byPath.get(path);
              if (places === undefined) byPath.set(path, place);
              else if (Array.isArray(places)) places.push(place);
              else byPath.set(path, [places, place]);
            }
          }
        }
      }
    }
  }
  const shared: Place[][] = [];
  for (const byHost of byListener.values())
    for (const byPath of byHost.values())
      for (const places of byPath.values())
        if (Array.isArray(places) && places.some((p) => p.route !== places[0]!.route))
          shared.push(places);
  return shared;
}

export function markRouteOverlaps(ctx: TranslatorContext): void {
  // request key (within one listener) -> the routes (and their parents there) whose matches select it
  const buckets: Claim[][] = [];
  for (const places of placesByPath(ctx)) {
    const byKey = new Map<string, Claim[]>();
    for (const { route, parent, hostname, template } of places) {
      const key = requestsKey(hostname, template);
      const claims = byKey.get(key);
      const claim = claims?.find((c) => c.route === route);
      if (claims === undefined) byKey.set(key, [{ route, parents: [parent] }]);
      else if (claim === undefined) claims.push({ route, parents: [parent] });
      else if (!claim.parents.includes(parent)) claim.parents.push(parent);
    }
    buckets.push(...byKey.values());
  }
  const overlapping = new Map<RouteParentContext, Set<string>>();
  for (const claims of buckets) {
    if (claims.length < 2) continue;
    for (const { route, parents } of claims)
      for (const parent of parents) {
        const others = overlapping.get(parent) ?? new Set<string>();
        for (const other of claims) if (other.route !== route) others.add(routeName(other.route));
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
