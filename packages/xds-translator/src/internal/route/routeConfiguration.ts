// The RouteConfiguration of one HTTP listener: one virtual host per hostname, routes in the IR's
// precedence order (https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/route/v3/route.proto).
import { RouteConfiguration, VirtualHost } from '@egts/envoy-api';
import type { HTTPListener, HTTPRouteIR } from '@egts/ir';
import type { ResourceSet } from '../resourceSet.js';
import { buildRoute } from './buildRoute.js';

/** Virtual host names: `<listener>/<hostname>`, dots kept, `*` spelled out for readability. */
const virtualHostName = (listener: HTTPListener, hostname: string): string =>
  `${listener.name}/${hostname === '*' ? 'wildcard' : hostname}`;

export const routeConfiguration = (
  listener: HTTPListener,
  out: ResourceSet,
): RouteConfiguration => {
  const byHost = new Map<string, HTTPRouteIR[]>();
  for (const route of listener.routes) {
    const routes = byHost.get(route.hostname) ?? [];
    routes.push(route);
    byHost.set(route.hostname, routes);
  }
  const hostnames = [...byHost.keys()].sort();
  return RouteConfiguration.fromPartial({
    name: listener.name,
    virtualHosts: hostnames.map((hostname) =>
      VirtualHost.fromPartial({
        name: virtualHostName(listener, hostname),
        domains: [hostname],
        routes: (byHost.get(hostname) ?? []).map((route) => buildRoute(route, out)),
      }),
    ),
    // Gateway API hostnames never carry a port; clients' Host headers may.
    ignorePortInHostMatching: true,
  });
};
