// A TCP or TLS IR listener -> an Envoy Listener with one tcp_proxy filter chain per route: TLS
// routes match by SNI (read by tls_inspector) and pass the stream through or terminate it; a TCP
// route catches everything (https://www.envoyproxy.io/docs/envoy/latest/configuration/listeners/network_filters/tcp_proxy_filter).
import { FilterChain, Listener, TcpProxy, TlsInspector } from '@egts/envoy-api';
import type { TCPListener, TCPRouteIR } from '@egts/ir';
import { addDestination, addEmptyDestination } from '../cluster/destinationClusters.js';
import { socketAddress, stdoutAccessLog, typedConfig } from '../protoValues.js';
import type { ResourceSet } from '../resourceSet.js';
import { downstreamTlsSocket, TLS_INSPECTOR } from './downstreamTls.js';

const tcpProxy = (route: TCPRouteIR, out: ResourceSet): TcpProxy => {
  const target = addDestination(route.destination, out);
  const upstream =
    target.kind === 'weighted'
      ? {
          weightedClusters: {
            clusters: target.clusters.map(({ name, weight }) => ({ name, weight })),
          },
        }
      : {
          cluster:
            target.kind === 'cluster'
              ? target.cluster
              : addEmptyDestination(route.destination, out),
        };
  return TcpProxy.fromPartial({
    statPrefix: `tcp-${route.name}`,
    ...upstream,
    accessLog: [stdoutAccessLog()],
  });
};

export const addTcpListener = (listener: TCPListener, out: ResourceSet): void => {
  // Envoy refuses two chains with the same match: each SNI name (and the catch-all) goes to the
  // first route, in IR order, that asks for it.
  const claimed = new Set<string>();
  let catchAllTaken = false;
  const chains: FilterChain[] = [];
  for (const route of listener.routes) {
    const names = route.sniHostnames.filter((name) => name !== '*' && !claimed.has(name));
    const catchAll = route.sniHostnames.length === 0 || route.sniHostnames.includes('*');
    if (catchAll ? catchAllTaken : names.length === 0) continue;
    for (const name of names) claimed.add(name);
    if (catchAll) catchAllTaken = true;
    const terminate = route.tls?.mode === 'Terminate' ? route.tls : undefined;
    chains.push(
      FilterChain.fromPartial({
        name: route.name,
        ...(catchAll ? {} : { filterChainMatch: { serverNames: names } }),
        filters: [typedConfig('envoy.filters.network.tcp_proxy', TcpProxy, tcpProxy(route, out))],
        ...(terminate === undefined
          ? {}
          : { transportSocket: downstreamTlsSocket(terminate, out) }),
      }),
    );
  }
  // A listener without filter chains serves nothing and Envoy may reject it.
  if (chains.length === 0) return;
  const inspectTls = listener.routes.some(
    (route) => route.tls !== undefined || route.sniHostnames.length > 0,
  );
  out.addListener(
    Listener.fromPartial({
      name: listener.name,
      address: socketAddress(listener.address, listener.port),
      ...(inspectTls
        ? {
            listenerFilters: [
              typedConfig(TLS_INSPECTOR, TlsInspector, TlsInspector.fromPartial({})),
            ],
          }
        : {}),
      filterChains: chains,
    }),
  );
};
