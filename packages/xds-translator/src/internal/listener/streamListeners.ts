// TCP-based Envoy listeners: the HTTP, HTTPS, TLS and TCP IR listeners that share an address and
// port become one Envoy listener (Gateway API merges compatible listeners by port), named after
// the first of them, with tls_inspector when any chain matches on SNI or terminates TLS
// (https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/listeners/listeners).
import { type FilterChain, Listener, SocketAddress_Protocol, TlsInspector } from '@egts/envoy-api';
import type { ClientTraffic, ConnectionSettings, HTTPListener, TCPListener, XdsIR } from '@egts/ir';
import { accessLogs } from '../accessLog.js';
import { connectionSettings } from '../defaults.js';
import type { AccessLog } from '../envoyTypes.js';
import { durationMs, listenerAddress, typedConfig } from '../protoValues.js';
import type { ResourceSet } from '../resourceSet.js';
import { ChainClaims } from './chainClaims.js';
import { listenerSocketOptions, proxyProtocolFilters } from './clientTraffic.js';
import { httpFilterChains } from './httpListener.js';
import { requestIdExtension } from './requestIdExtension.js';
import { emptyFilterChain, tcpFilterChains } from './tcpListener.js';
import { hcmTracing } from './tracing.js';

interface PortGroup {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly http: HTTPListener[];
  readonly tcp: TCPListener[];
  /** The first IR listener's connection settings: one Envoy listener has one set. */
  readonly connection: ConnectionSettings | undefined;
  /** The first IR listener's policy settings that shape the Envoy listener itself. */
  readonly clientTraffic: ClientTraffic | undefined;
}

const groupByPort = (ir: XdsIR): PortGroup[] => {
  const groups = new Map<string, PortGroup>();
  const group = (listener: HTTPListener | TCPListener): PortGroup => {
    const key = `${listener.address}:${listener.port}`;
    let found = groups.get(key);
    if (found === undefined) {
      found = {
        name: listener.name,
        address: listener.address,
        port: listener.port,
        http: [],
        tcp: [],
        connection: listener.connection,
        clientTraffic: listener.clientTraffic,
      };
      groups.set(key, found);
    }
    return found;
  };
  for (const listener of ir.http) group(listener).http.push(listener);
  for (const listener of ir.tcp) group(listener).tcp.push(listener);
  return [...groups.values()];
};

const needsTlsInspector = (chains: readonly FilterChain[]): boolean =>
  chains.some(
    (chain) =>
      (chain.filterChainMatch?.serverNames.length ?? 0) > 0 || chain.transportSocket !== undefined,
  );

/**
 * TLS client fingerprints (`tls.fingerprints`) the inspector computes for the listeners of a
 * port, for `%TLS_JA3_FINGERPRINT%` and `%TLS_JA4_FINGERPRINT%` in headers and access logs.
 */
const fingerprinting = (group: PortGroup) => {
  const kinds = new Set(
    [...group.http, ...group.tcp].flatMap((l) => l.clientTraffic?.tls?.fingerprints ?? []),
  );
  return {
    ...(kinds.has('JA3') ? { enableJa3Fingerprinting: true } : {}),
    ...(kinds.has('JA4') ? { enableJa4Fingerprinting: true } : {}),
  };
};

export const addStreamListeners = (ir: XdsIR, out: ResourceSet): void => {
  const logs = accessLogs(ir.accessLog, out);
  const telemetry = {
    accessLog: logs.requests,
    upstreamLog: logs.upstream,
    tracing: ir.http.length > 0 ? hcmTracing(ir.tracing, out) : undefined,
    requestIdExtension: requestIdExtension(ir.requestIdTracing),
  };
  const dualStack = ir.ipFamily === 'DualStack';
  for (const group of groupByPort(ir)) {
    const claims = new ChainClaims();
    const { chains: httpChains, quic } = httpFilterChains(group.http, claims, out, telemetry);
    // Plain HTTP matches every connection no other chain takes: Envoy Gateway serves it as the
    // listener's default_filter_chain, where EnvoyPatchPolicies written for it expect it.
    const plainHttp = httpChains.find(
      (c) => c.filterChainMatch === undefined && c.transportSocket === undefined,
    );
    const chains = [
      ...httpChains.filter((c) => c !== plainHttp),
      ...group.tcp.flatMap((listener) => tcpFilterChains(listener, claims, out, logs.requests)),
    ];
    const connection = connectionSettings(group.connection);
    const listenerFilters = [
      ...proxyProtocolFilters(group.clientTraffic),
      ...(needsTlsInspector(chains)
        ? [
            typedConfig(
              'envoy.filters.listener.tls_inspector',
              TlsInspector,
              TlsInspector.fromPartial(fingerprinting(group)),
            ),
          ]
        : []),
    ];
    const socketOptions = listenerSocketOptions(group.clientTraffic);
    const [firstTcp] = group.tcp;
    if (chains.length === 0 && firstTcp !== undefined) {
      chains.push(emptyFilterChain(firstTcp, out, logs.requests));
    }
    // A listener without filter chains would serve nothing.
    if (chains.length === 0 && plainHttp === undefined) continue;
    out.addListener(
      Listener.fromPartial({
        name: group.name,
        address: listenerAddress(group.address, group.port, SocketAddress_Protocol.TCP, dualStack),
        // Requests the connection managers do not log: those that matched no route.
        accessLog: logs.noRoute,
        perConnectionBufferLimitBytes: connection.bufferLimitBytes,
        // 0 is no limit: Envoy's default when the field is absent.
        ...(connection.maxAcceptPerSocketEvent === 0
          ? {}
          : { maxConnectionsToAcceptPerSocketEvent: connection.maxAcceptPerSocketEvent }),
        ...(group.clientTraffic?.timeouts?.connectionInspectionMs === undefined
          ? {}
          : {
              listenerFiltersTimeout: durationMs(
                group.clientTraffic.timeouts.connectionInspectionMs,
              ),
            }),
        ...(listenerFilters.length > 0 ? { listenerFilters } : {}),
        ...(socketOptions.length > 0 ? { socketOptions } : {}),
        filterChains: chains,
        ...(plainHttp === undefined ? {} : { defaultFilterChain: plainHttp }),
      }),
    );
    if (quic.length > 0) out.addListener(quicListener(group, quic, logs.noRoute, dualStack));
  }
};

/**
 * HTTP/3 beside the TCP listener: a UDP listener on the same port taking QUIC, as Envoy Gateway
 * names and sets it (https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/http/http3).
 */
const quicListener = (
  group: PortGroup,
  chains: FilterChain[],
  accessLog: AccessLog[],
  dualStack: boolean,
) =>
  Listener.fromPartial({
    name: `${group.name}-quic`,
    address: listenerAddress(group.address, group.port, SocketAddress_Protocol.UDP, dualStack),
    accessLog,
    udpListenerConfig: { quicOptions: {}, downstreamSocketConfig: { preferGro: true } },
    filterChains: chains,
  });
