// TCP and TLS IR listeners -> one tcp_proxy filter chain per route: TLS routes match by SNI
// (read by tls_inspector) and pass the stream through or terminate it; a TCP route catches
// everything (https://www.envoyproxy.io/docs/envoy/latest/configuration/listeners/network_filters/tcp_proxy_filter).
import {
  Cluster,
  Cluster_DiscoveryType,
  FilterChain,
  NetworkRBAC,
  RBAC_Action,
  SniDynamicForwardProxyFilterConfig,
  TcpProxy,
} from '@egts/envoy-api';
import type { TCPListener, TCPRouteIR } from '@egts/ir';
import { dynamicForwardProxyDnsCache } from '../cluster/buildCluster.js';
import { addDestination, addEmptyDestination } from '../cluster/destinationClusters.js';
import type { AccessLog } from '../envoyTypes.js';
import { authorizationRules } from '../httpfilters/rbac.js';
import { durationMs, typedConfig } from '../protoValues.js';
import type { ResourceSet } from '../resourceSet.js';
import type { ChainClaims } from './chainClaims.js';
import { connectionFilters, tlsChainSettings } from './clientTraffic.js';
import { downstreamTlsSocket } from './downstreamTls.js';

const tcpProxy = (
  route: TCPRouteIR,
  out: ResourceSet,
  accessLog: AccessLog[],
  idleMs: number | undefined,
): TcpProxy => {
  const target = addDestination(route.destination, out);
  const upstream =
    target.kind === 'weighted'
      ? {
          weightedClusters: {
            clusters: [
              ...target.clusters.map(({ name, weight }) => ({ name, weight })),
              // Invalid backendRefs' share: a cluster without endpoints refuses the connection.
              ...(target.invalidWeight > 0
                ? [
                    {
                      name: addEmptyDestination(
                        { name: `${route.destination.name}/invalid`, settings: [] },
                        out,
                      ),
                      weight: target.invalidWeight,
                    },
                  ]
                : []),
            ],
          },
        }
      : {
          cluster:
            target.kind === 'cluster'
              ? target.cluster
              : addEmptyDestination(route.destination, out),
        };
  return TcpProxy.fromPartial({
    // BackendTrafficPolicy metrics.routeStatName, else the route's name.
    statPrefix: route.statName ?? `tcp-${route.name}`,
    ...upstream,
    accessLog,
    // ClientTrafficPolicy timeout.tcp.idleTimeout (Envoy's default is an hour).
    ...(idleMs === undefined ? {} : { idleTimeout: durationMs(idleMs) }),
  });
};

/** Loopback names a client's SNI may not make the proxy forward to (Envoy Gateway's list). */
const LOOPBACK_SNI =
  '(?i)^(localhost|localhost\\.localdomain|ip6-localhost|ip6-loopback|127\\.0\\.0\\.1|::1|\\[::1\\])\\.?$';

/** The port the SNI dynamic forward proxy connects to: SNI carries no port (Envoy Gateway's 443). */
const SNI_UPSTREAM_PORT = 443;

/**
 * A Passthrough TLS route to a DynamicResolver Backend forwards to the host its SNI names, as
 * Envoy Gateway does: a network RBAC refusing loopback names (else a client could reach the
 * proxy itself), then sni_dynamic_forward_proxy resolving the SNI through the DNS cache of the
 * route's dynamic forward proxy cluster, which tcp_proxy then connects through
 * (https://www.envoyproxy.io/docs/envoy/latest/configuration/listeners/network_filters/sni_dynamic_forward_proxy_filter).
 */
const sniDynamicForwardProxyFilters = (route: TCPRouteIR, port: number, out: ResourceSet) => {
  if (!route.destination.settings.some((setting) => setting.dynamicResolver === true)) return [];
  // The cluster tcp_proxy goes to (added once: a second add finds it).
  const target = addDestination(route.destination, out);
  if (target.kind !== 'cluster') return [];
  const cache = dynamicForwardProxyDnsCache(target.cluster, route.destination);
  return [
    typedConfig(
      'envoy.filters.network.rbac',
      NetworkRBAC,
      NetworkRBAC.fromPartial({
        statPrefix: `tcp-dfp-loopback-${port}`,
        rules: {
          action: RBAC_Action.DENY,
          policies: {
            'deny-loopback-sni': {
              permissions: [{ requestedServerName: { safeRegex: { regex: LOOPBACK_SNI } } }],
              principals: [{ any: true }],
            },
          },
        },
      }),
    ),
    typedConfig(
      'envoy.filters.network.sni_dynamic_forward_proxy',
      SniDynamicForwardProxyFilterConfig,
      SniDynamicForwardProxyFilterConfig.fromPartial({
        dnsCacheConfig: cache,
        portValue: SNI_UPSTREAM_PORT,
      }),
    ),
  ];
};

/**
 * For a TCP/TLS listener no route attaches to: a chain that accepts connections and closes them,
 * through a cluster with no endpoints and Envoy's own settings, as Envoy Gateway serves such a
 * listener (its port stays open, like the Gateway says).
 */
export const emptyFilterChain = (
  listener: TCPListener,
  out: ResourceSet,
  accessLog: AccessLog[],
): FilterChain => {
  const cluster = addEmptyListenerCluster(listener, out);
  return FilterChain.fromPartial({
    name: cluster,
    filters: [
      typedConfig(
        'envoy.filters.network.tcp_proxy',
        TcpProxy,
        TcpProxy.fromPartial({ statPrefix: `tcp-${listener.name}`, cluster, accessLog }),
      ),
    ],
  });
};

/** The cluster of emptyFilterChain; returns its name. */
export const addEmptyListenerCluster = (listener: TCPListener, out: ResourceSet): string => {
  const name = `${listener.name}/empty`;
  out.addCluster(
    Cluster.fromPartial({
      name,
      type: Cluster_DiscoveryType.STATIC,
      loadAssignment: { clusterName: name, endpoints: [] },
    }),
  );
  return name;
};

/** The filter chains of one TCP/TLS IR listener. */
export const tcpFilterChains = (
  listener: TCPListener,
  claims: ChainClaims,
  out: ResourceSet,
  accessLog: AccessLog[],
): FilterChain[] => {
  const chains: FilterChain[] = [];
  for (const route of listener.routes) {
    const serverNames = claims.claim(route.sniHostnames);
    if (serverNames === undefined) continue;
    const terminate = route.tls?.mode === 'Terminate' ? route.tls : undefined;
    chains.push(
      FilterChain.fromPartial({
        name: route.name,
        ...(serverNames.length === 0 ? {} : { filterChainMatch: { serverNames } }),
        filters: [
          ...connectionFilters(listener.clientTraffic, `tcp-${listener.port}`),
          // A SecurityPolicy's authorization: a client it does not allow is disconnected.
          ...(route.authorization
            ? [
                typedConfig(
                  'envoy.filters.network.rbac',
                  NetworkRBAC,
                  NetworkRBAC.fromPartial({
                    statPrefix: `tcp-authz-${listener.port}`,
                    rules: authorizationRules(route.authorization),
                  }),
                ),
              ]
            : []),
          ...(terminate === undefined
            ? sniDynamicForwardProxyFilters(route, listener.port, out)
            : []),
          typedConfig(
            'envoy.filters.network.tcp_proxy',
            TcpProxy,
            tcpProxy(route, out, accessLog, listener.clientTraffic?.timeouts?.tcpIdleMs),
          ),
        ],
        ...(terminate === undefined
          ? {}
          : {
              transportSocket: downstreamTlsSocket(terminate, out, listener.clientTraffic?.tls),
              ...tlsChainSettings(listener.clientTraffic),
            }),
      }),
    );
  }
  return chains;
};
