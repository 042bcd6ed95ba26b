// A RouteConfiguration for one or more HTTP IR listeners (plain HTTP listeners sharing a port are
// served by one): one virtual host per hostname, routes in the IR's precedence order
// (https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/route/v3/route.proto).
import {
  HeaderValueOption,
  HeaderValueOption_HeaderAppendAction,
  RouteConfiguration,
  VirtualCluster,
  type VirtualHost,
} from '@egts/envoy-api';
import type { HTTPListener, HTTPRouteIR } from '@egts/ir';
import { servesHttp3 } from '../listener/clientTraffic.js';
import type { ResourceSet } from '../resourceSet.js';
import { memoizedVirtualHost } from './routeMemo.js';

/** Virtual host names: `<route config>/<hostname>`, `*` spelled out for readability. */
const virtualHostName = (config: string, hostname: string): string =>
  `${config}/${hostname === '*' ? 'wildcard' : hostname}`;

/**
 * The routes of `listeners` per hostname, in order. The IR lists a listener's routes grouped by
 * hostname, so one listener (most ports) is cut into its runs: a one-route change costs a walk
 * comparing hostnames, with no set of names (the IR names each route of a listener once). A
 * route attached to two merged listeners appears in both; it is placed once.
 */
const routesByHost = (listeners: readonly HTTPListener[]): Map<string, HTTPRouteIR[]> => {
  const byHost = new Map<string, HTTPRouteIR[]>();
  if (listeners.length === 1) {
    const { routes } = listeners[0]!;
    let start = 0;
    for (let i = 1; i <= routes.length; i++) {
      if (i < routes.length && routes[i]!.hostname === routes[start]!.hostname) continue;
      const run = routes.slice(start, i);
      const hostRoutes = byHost.get(routes[start]!.hostname);
      if (hostRoutes === undefined) byHost.set(routes[start]!.hostname, run);
      else hostRoutes.push(...run);
      start = i;
    }
    return byHost;
  }
  const names = new Map<string, Set<string>>();
  for (const listener of listeners) {
    for (const route of listener.routes) {
      let group = byHost.get(route.hostname);
      let seen = names.get(route.hostname);
      if (group === undefined || seen === undefined) {
        group = [];
        seen = new Set();
        byHost.set(route.hostname, group);
        names.set(route.hostname, seen);
      }
      if (seen.has(route.name)) continue;
      seen.add(route.name);
      group.push(route);
    }
  }
  return byHost;
};

export const routeConfiguration = (
  name: string,
  listeners: readonly HTTPListener[],
  out: ResourceSet,
): RouteConfiguration => {
  const byHost = routesByHost(listeners);
  const hostnames = [...byHost.keys()].sort();
  const hostStats = listeners.some((listener) => listener.virtualHostStats === true);
  const virtualHosts = hostnames.map((hostname) => {
    const host = memoizedVirtualHost(
      virtualHostName(name, hostname),
      hostname,
      byHost.get(hostname) ?? [],
      out,
    );
    return hostStats ? withHostStats(host, hostname) : host;
  });
  const config = RouteConfiguration.fromPartial({
    name,
    // Gateway API hostnames never carry a port; clients' Host headers may.
    ignorePortInHostMatching: true,
    // Routes name a missing cluster on purpose (invalid backendRefs answer 500): a static
    // route table must load anyway.
    validateClusters: false,
  });
  config.virtualHosts = virtualHosts;
  const http3 = listeners.find(servesHttp3);
  if (http3 !== undefined) config.responseHeadersToAdd = [altSvc(http3.externalPort)];
  return config;
};

/**
 * EnvoyProxy `metrics.enableVirtualHostStats`: one virtual cluster over the host's requests
 * (`vhost.<host>.vcluster.<hostname with _ for .>.*` stats), matched on `:authority` by prefix as
 * Envoy Gateway writes it (so a wildcard hostname's cluster counts nothing there either).
 */
const withHostStats = (host: VirtualHost, hostname: string): VirtualHost => ({
  ...host,
  virtualClusters: [
    VirtualCluster.fromPartial({
      name: hostname.replaceAll('.', '_'),
      headers: [{ name: ':authority', stringMatch: { prefix: hostname } }],
    }),
  ],
});

/**
 * Responses advertise HTTP/3 on the Gateway's port for a day, as Envoy Gateway writes it
 * (RFC 7838 Alt-Svc; RFC 9114 3.1.1).
 */
const altSvc = (port: number) =>
  HeaderValueOption.fromPartial({
    header: { key: 'alt-svc', value: `h3=":${port}"; ma=86400` },
    appendAction: HeaderValueOption_HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD,
  });
