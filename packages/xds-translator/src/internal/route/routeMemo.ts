// Envoy Routes per IR route object: a caller that passes the same IR route objects again (the
// gateway pipeline shares unchanged IR between translations) gets the same Route message and the
// same cluster, endpoint and secret messages, so unchanged routes cost neither translation nor,
// in the xDS server, encoding and hashing. IR objects must not be mutated once translated.
import type { Route } from '@egts/envoy-api';
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
  for (const cluster of entry.added.clusters) out.addCluster(cluster);
  for (const endpoints of entry.added.endpoints) out.addEndpoints(endpoints);
  for (const secret of entry.added.secrets) out.addSecret(secret);
  for (const listener of entry.added.listeners) out.addListener(listener);
  for (const route of entry.added.routes) out.addRoute(route);
  return entry.route;
};
