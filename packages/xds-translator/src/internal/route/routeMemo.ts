// Envoy Routes per IR route object, and VirtualHosts per list of them: a caller that passes the
// same IR route objects again (the gateway pipeline shares unchanged IR between translations)
// gets the same Route and VirtualHost messages and the same cluster, endpoint and secret
// messages, so unchanged routes cost neither translation nor, in the xDS server, encoding and
// hashing; one route change rebuilds one virtual host. IR objects must not be mutated once translated.
import { type Route, VirtualHost } from '@egts/envoy-api';
import type { HTTPRouteIR } from '@egts/ir';
import type { XdsMode, XdsResources } from '../../xdsResources.js';
import { ResourceSet } from '../resourceSet.js';
import { buildRoute } from './buildRoute.js';

interface Built {
  readonly mode: XdsMode;
  readonly route: Route;
  /** What building the route added (clusters, endpoints, secrets), replayed on every use. */
  readonly added: XdsResources;
}

const built = new WeakMap<HTTPRouteIR, Built>();

/** buildRoute, once per IR route object and mode; the route's resources go to `out` every time. */
export const memoizedRoute = (ir: HTTPRouteIR, out: ResourceSet): Route => {
  let entry = built.get(ir);
  if (entry === undefined || entry.mode !== out.mode) {
    // Built in isolation, so what it needs is recorded even when `out` already has it.
    const own = new ResourceSet(out.mode);
    entry = { mode: out.mode, route: buildRoute(ir, own), added: own.toResources() };
    built.set(ir, entry);
  }
  replay(entry.added, out);
  return entry.route;
};

const replay = (added: XdsResources, out: ResourceSet): void => {
  for (const cluster of added.clusters) out.addCluster(cluster);
  for (const endpoints of added.endpoints) out.addEndpoints(endpoints);
  for (const secret of added.secrets) out.addSecret(secret);
  for (const listener of added.listeners) out.addListener(listener);
  for (const route of added.routes) out.addRoute(route);
};

interface BuiltHost {
  readonly mode: XdsMode;
  readonly name: string;
  readonly routes: readonly HTTPRouteIR[];
  readonly host: VirtualHost;
  readonly added: XdsResources;
}

/** Keyed by the host's first IR route; the entry holds for the same name and route objects. */
const hosts = new WeakMap<HTTPRouteIR, BuiltHost>();

/** A VirtualHost for one hostname's IR routes (in order), once per list of route objects. */
export const memoizedVirtualHost = (
  name: string,
  hostname: string,
  routes: readonly HTTPRouteIR[],
  out: ResourceSet,
): VirtualHost => {
  const [first] = routes;
  let entry = first === undefined ? undefined : hosts.get(first);
  if (
    entry === undefined ||
    entry.mode !== out.mode ||
    entry.name !== name ||
    entry.routes.length !== routes.length ||
    entry.routes.some((route, i) => route !== routes[i])
  ) {
    const own = new ResourceSet(out.mode);
    const host = VirtualHost.fromPartial({ name, domains: [hostname] });
    // Routes are memoized message objects: placed as they are (fromPartial would copy each one).
    host.routes = routes.map((route) => memoizedRoute(route, own));
    entry = { mode: out.mode, name, routes: [...routes], host, added: own.toResources() };
    if (first !== undefined) hosts.set(first, entry);
  }
  replay(entry.added, out);
  return entry.host;
};
