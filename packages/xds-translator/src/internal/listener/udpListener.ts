// A UDP IR listener -> an Envoy UDP Listener whose udp_proxy listener filter sends every datagram
// to the route's cluster (a matcher with only an on_no_match action, as the deprecated `cluster`
// field is replaced by) (https://www.envoyproxy.io/docs/envoy/latest/configuration/listeners/udp_filters/udp_proxy).
import { Listener, SocketAddress_Protocol, UdpProxyConfig, UdpProxyRoute } from '@egts/envoy-api';
import type { AccessLog, UDPListener } from '@egts/ir';
import { accessLogs } from '../accessLog.js';
import { addDestination, addEmptyDestination } from '../cluster/destinationClusters.js';
import { listenerAddress, typedConfig } from '../protoValues.js';
import type { ResourceSet } from '../resourceSet.js';

/**
 * Adds the listener and its cluster, once per IR listener object: a change elsewhere in the
 * fleet (a route) keeps the same messages, which the xDS server does not encode again.
 */
export const addUdpListener = (
  listener: UDPListener,
  out: ResourceSet,
  log?: AccessLog,
  dualStack = false,
): void => {
  // What the listener object added (listener, clusters, endpoints), per mode and access log.
  let entry = out.memo.udpListeners.get(listener);
  if (entry?.mode !== out.mode || entry.log !== log || entry.dualStack !== dualStack) {
    const own = out.nested();
    buildUdpListener(listener, own, log, dualStack);
    entry = { mode: out.mode, log, dualStack, added: own.toResources() };
    out.memo.udpListeners.set(listener, entry);
  }
  out.addResources(entry.added);
};

const buildUdpListener = (
  listener: UDPListener,
  out: ResourceSet,
  log: AccessLog | undefined,
  dualStack: boolean,
): void => {
  const route = listener.route;
  // Nothing to proxy to: no listener (a UDP listener needs its one route).
  if (route === undefined) return;
  const target = addDestination(route.destination, out, { single: true });
  const cluster =
    target.kind === 'cluster' ? target.cluster : addEmptyDestination(route.destination, out);
  const logs = accessLogs(log, out);
  const proxy = UdpProxyConfig.fromPartial({
    statPrefix: `udp-${route.name}`,
    matcher: {
      onNoMatch: {
        action: typedConfig('route', UdpProxyRoute, UdpProxyRoute.fromPartial({ cluster })),
      },
    },
  });
  // Placed as they are, not copied by fromPartial: the config is only packed, below.
  proxy.accessLog = logs.requests;
  out.addListener(
    Listener.fromPartial({
      name: listener.name,
      address: listenerAddress(
        listener.address,
        listener.port,
        SocketAddress_Protocol.UDP,
        dualStack,
      ),
      accessLog: logs.noRoute,
      listenerFilters: [typedConfig('envoy.filters.udp_listener.udp_proxy', UdpProxyConfig, proxy)],
    }),
  );
};
