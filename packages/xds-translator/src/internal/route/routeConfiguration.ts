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
import type { BuiltHost } from '../xdsMemo.js';
import { memoizedVirtualHost } from './routeMemo.js';

/** Virtual host names: `<route config>/<hostname>`, `*` spelled out for readability. */
const virtualHostName = (config: string, hostname: string): string =>
  `${config}/${hostname === '*' ? 'wildcard' : hostname}`;

/**
 * The routes of `listeners` per hostname, in order. The IR lists a listener's routes grouped by
 * hostname, so one listener (most ports) is cut into its runs: a one-route change costs a walk
 * comparing hostnames, with no set of names (the IR names each route of a listener once). A
 * route attached to two merged listeners appears in both; it is placed once. With `hosts` (a
 * translator's virtual hosts, by first route), a run that is a host's routes as built before is
 * recognised by identity and given as that host's list: its routes' hostnames are not read (a
 * read per route, each IR route of its own shape) and the host is found unchanged at once.
 */
const routesByHost = (
  listeners: readonly HTTPListener[],
  hosts: WeakMap<HTTPRouteIR, BuiltHost> | undefined,
): Map<string, readonly HTTPRouteIR[]> => {
  const byHost = new Map<string, readonly HTTPRouteIR[]>();
  if (listeners.length === 1) {
    const { routes } = listeners[0]!;
    let start = 0;
    while (start < routes.length) {
      const hostname = routes[start]!.hostname;
      // A known run followed by more routes of its hostname (one added at its end) is joined
      // with them below, as a hostname's runs are.
      const known = hosts === undefined ? undefined : knownRun(hosts, routes, start);
      let end = start + (known?.length ?? 1);
      if (known === undefined)
        while (end < routes.length && routes[end]!.hostname === hostname) end++;
      const run = known ?? routes.slice(start, end);
      const hostRoutes = byHost.get(hostname);
      byHost.set(hostname, hostRoutes === undefined ? run : [...hostRoutes, ...run]);
      start = end;
    }
    return byHost;
  }
  const names = new Map<string, Set<string>>();
  for (const listener of listeners) {
    for (const route of listener.routes) {
      let group = byHost.get(route.hostname) as HTTPRouteIR[] | undefined;
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

/** The routes of the host built last from `routes[start]` on, when `routes` has them there. */
const knownRun = (
  hosts: WeakMap<HTTPRouteIR, BuiltHost>,
  routes: readonly HTTPRouteIR[],
  start: number,
): readonly HTTPRouteIR[] | undefined => {
  const known = hosts.get(routes[start]!)?.routes;
  if (known === undefined || start + known.length > routes.length) return undefined;
  for (let i = 0; i < known.length; i++) if (known[i] !== routes[start + i]) return undefined;
  return known;
};

export const routeConfiguration = (
  name: string,
  listeners: readonly HTTPListener[],
  out: ResourceSet,
): RouteConfiguration => {
  const byHost = routesByHost(listeners, out.memo.remembers ? out.memo.hosts : undefined);
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
