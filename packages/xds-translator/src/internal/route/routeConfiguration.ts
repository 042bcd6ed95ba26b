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

export const routeConfiguration = (
  name: string,
  listeners: readonly HTTPListener[],
  out: ResourceSet,
): RouteConfiguration => {
  const byHost = new Map<string, { routes: HTTPRouteIR[]; names: Set<string> }>();
  let group: { routes: HTTPRouteIR[]; names: Set<string> } | undefined;
  for (const listener of listeners) {
    for (const route of listener.routes) {
      // Routes come grouped by hostname: look the group up only when the hostname changes.
      if (group === undefined || route.hostname !== group.routes[0]?.hostname) {
        group = byHost.get(route.hostname) ?? { routes: [], names: new Set() };
        byHost.set(route.hostname, group);
      }
      // A route attached to two merged listeners appears twice; once is enough.
      if (group.names.has(route.name)) continue;
      group.names.add(route.name);
      group.routes.push(route);
    }
  }
  const hostnames = [...byHost.keys()].sort();
  const hostStats = listeners.some((listener) => listener.virtualHostStats === true);
  const virtualHosts = hostnames.map((hostname) => {
    const host = memoizedVirtualHost(
      virtualHostName(name, hostname),
      hostname,
      byHost.get(hostname)?.routes ?? [],
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
