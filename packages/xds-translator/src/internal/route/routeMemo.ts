// Envoy Routes per IR route object, and VirtualHosts per list of them: a caller that passes the
// same IR route objects again (the gateway pipeline shares unchanged IR between translations)
// gets the same Route and VirtualHost messages and the same cluster, endpoint and secret
// messages, so unchanged routes cost neither translation nor, in the xDS server, encoding and
// hashing; one route change rebuilds one virtual host. IR objects must not be mutated once translated.
import { type Route, VirtualHost } from '@egts/envoy-api';
import type { HTTPListener, HTTPRouteIR } from '@egts/ir';
import type { XdsResources } from '../../xdsResources.js';
import { HTTP_FILTERS } from '../httpfilters/httpFilters.js';
import type { ResourceSet } from '../resourceSet.js';
import { buildRoute } from './buildRoute.js';

/** The filters whose resources are a function of each route alone (HttpFilterTranslator.resourcesPerRoute). */
const PER_ROUTE_RESOURCES = HTTP_FILTERS.filter((filter) => filter.resourcesPerRoute === true);

/**
 * buildRoute, once per IR route object and mode, with the resources the per-route filters need
 * for it; the route's resources go to `out` every time.
 */
export const memoizedRoute = (ir: HTTPRouteIR, out: ResourceSet): Route => {
  // One translation (translateXds): nothing asks again, so the route adds straight to `out`.
  if (!out.memo.remembers) return routeWithResources(ir, out);
  let entry = out.memo.routes.get(ir);
  if (entry === undefined || entry.mode !== out.mode) {
    // Built in isolation, so what it needs is recorded even when `out` already has it.
    const own = out.nested();
    const route = routeWithResources(ir, own);
    entry = { mode: out.mode, route, added: own.toResources() };
    out.memo.routes.set(ir, entry);
  }
  out.addResources(entry.added);
  return entry.route;
};

/** The route, its resources and those the per-route filters need for it, added to `out`. */
const routeWithResources = (ir: HTTPRouteIR, out: ResourceSet): Route => {
  const route = buildRoute(ir, out);
  // Those filters read only `routes` of the listener they are given (see resourcesPerRoute).
  const alone = { routes: [ir] } as unknown as HTTPListener;
  for (const filter of PER_ROUTE_RESOURCES) filter.addResources?.(alone, out);
  return route;
};

/** Equal lists of the same message objects. */
const sameLists = (a: XdsResources, b: XdsResources): boolean =>
  (['listeners', 'routes', 'clusters', 'endpoints', 'secrets'] as const).every(
    (type) =>
      a[type].length === b[type].length &&
      (a[type] as readonly object[]).every((item, i) => item === b[type][i]),
  );

/**
 * A VirtualHost for one hostname's IR routes (in order), once per list of route objects. Memoized
 * under the host's first two IR routes; the entry holds for the same name and route objects. A
 * rebuilt host finds the one it replaces through them, and keeps its list of clusters and
 * endpoints when equal: the route configuration's lists then need no sorting again.
 */
export const memoizedVirtualHost = (
  name: string,
  hostname: string,
  routes: readonly HTTPRouteIR[],
  out: ResourceSet,
): VirtualHost => {
  // One translation: the host and its routes add straight to `out`, as for routes.
  if (!out.memo.remembers) return virtualHost(name, hostname, routes, out);
  const hosts = out.memo.hosts;
  const [first] = routes;
  let entry = first === undefined ? undefined : hosts.get(first);
  if (
    entry === undefined ||
    entry.mode !== out.mode ||
    entry.name !== name ||
    (entry.routes !== routes &&
      (entry.routes.length !== routes.length ||
        entry.routes.some((route, i) => route !== routes[i])))
  ) {
    const own = out.nested();
    const host = virtualHost(name, hostname, routes, own);
    let added = own.toResources();
    // The host this one replaces: found through its first route, which most changes keep (or
    // through the route after a first one that changed). Setting the entry under every route
    // cost thousands of WeakMap writes per change to one route.
    const before = [entry, ...routes.slice(1, 3).map((route) => hosts.get(route))].find(
      (e) => e !== undefined && e.mode === out.mode && e.name === name,
    );
    if (before !== undefined && sameLists(before.added, added)) added = before.added;
    entry = { mode: out.mode, name, routes: [...routes], host, added };
    hosts.set(first!, entry);
    if (routes[1] !== undefined) hosts.set(routes[1], entry);
  }
  out.addResources(entry.added);
  return entry.host;
};

const virtualHost = (
  name: string,
  hostname: string,
  routes: readonly HTTPRouteIR[],
  out: ResourceSet,
): VirtualHost => {
  const host = VirtualHost.fromPartial({ name, domains: [hostname] });
  // Routes are memoized message objects: placed as they are (fromPartial would copy each one).
  host.routes = routes.map((route) => memoizedRoute(route, out));
  return host;
};
