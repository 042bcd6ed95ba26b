// A ClientTrafficPolicy's settings (IR ClientTraffic) as Envoy listener and connection manager
// fields, as Envoy Gateway sets them: client IP detection (original IP detection extensions
// turn use_remote_address off), timeouts, HTTP/1 options, path handling, request IDs, XFCC,
// early header mutation, connection limits, TCP keepalive and PROXY protocol
// (https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto).
import {
  ConnectionLimit,
  CustomHeaderConfig,
  EarlyHeaderMutation,
  HttpConnectionManager_PathWithEscapedSlashesAction as EscapedSlashes,
  type Filter,
  HttpConnectionManager_ForwardClientCertDetails as ForwardClientCert,
  HeaderValueOption,
  HeaderValueOption_HeaderAppendAction,
  HttpConnectionManager,
  PreserveCaseFormatterConfig,
  ProxyProtocolListenerFilter,
  type SocketOption,
  type TypedExtensionConfig,
  XffConfig,
} from '@egts/envoy-api';
import type { ClientTraffic, HeaderMutation, HTTPListener } from '@egts/ir';
import type { MutationRule } from '../envoyTypes.js';
import { durationMs, typedConfig } from '../protoValues.js';
import { stringMatcher } from '../route/routeMatch.js';

type Hcm = HttpConnectionManager;

/**
 * Where the client's address comes from (Envoy "original IP detection"): a custom header by an
 * extension, with use_remote_address off and the header's address trusted, as Envoy Gateway sets
 * it; trusted CIDRs (the first address from the right that is not in a trusted range) and
 * trusted hops by the xff extension, as Envoy Gateway sets them.
 */
function clientIp(ip: ClientTraffic['clientIPDetection']): Partial<Hcm> {
  if (ip === undefined) return {};
  // The TCP peer is the client: its address, never x-forwarded-for's (`directSourceIP`).
  if (ip.directSource) return { useRemoteAddress: true, xffNumTrustedHops: 0 };
  const extensions: TypedExtensionConfig[] = [];
  if (ip.customHeader) {
    extensions.push(
      typedConfig(
        'envoy.extensions.http.original_ip_detection.custom_header',
        CustomHeaderConfig,
        CustomHeaderConfig.fromPartial({
          headerName: ip.customHeader.name,
          allowExtensionToSetAddressAsTrusted: true,
          ...(ip.customHeader.failClosed ? { rejectWithStatus: { code: 403 } } : {}),
        }),
      ),
    );
  }
  const xff = (config: Partial<XffConfig>) =>
    typedConfig(
      'envoy.extensions.http.original_ip_detection.xff',
      XffConfig,
      XffConfig.fromPartial({ ...config, skipXffAppend: ip.skipXffAppend === true }),
    );
  if (ip.customHeader === undefined && ip.xffTrustedCidrs) {
    const cidrs = ip.xffTrustedCidrs.map((c) => ({
      addressPrefix: c.addressPrefix,
      prefixLen: c.prefixLen,
    }));
    extensions.push(xff({ xffTrustedCidrs: { cidrs } }));
  } else if (ip.customHeader === undefined && ip.xffNumTrustedHops !== undefined) {
    // With use_remote_address off the peer is not a hop: one fewer, as Envoy Gateway counts.
    extensions.push(xff({ xffNumTrustedHops: Math.max(0, ip.xffNumTrustedHops - 1) }));
  }
  if (extensions.length > 0)
    return { useRemoteAddress: false, originalIpDetectionExtensions: extensions };
  return {
    ...(ip.xffNumTrustedHops === undefined ? {} : { xffNumTrustedHops: ip.xffNumTrustedHops }),
    ...(ip.skipXffAppend ? { skipXffAppend: true } : {}),
  };
}

const ESCAPED_SLASHES: Record<
  NonNullable<NonNullable<ClientTraffic['path']>['escapedSlashesAction']>,
  EscapedSlashes
> = {
  KeepUnchanged: EscapedSlashes.KEEP_UNCHANGED,
  RejectRequest: EscapedSlashes.REJECT_REQUEST,
  UnescapeAndRedirect: EscapedSlashes.UNESCAPE_AND_REDIRECT,
  UnescapeAndForward: EscapedSlashes.UNESCAPE_AND_FORWARD,
};

const XFCC: Record<
  NonNullable<NonNullable<ClientTraffic['headers']>['xfcc']>['mode'],
  ForwardClientCert
> = {
  Sanitize: ForwardClientCert.SANITIZE,
  ForwardOnly: ForwardClientCert.FORWARD_ONLY,
  AppendForward: ForwardClientCert.APPEND_FORWARD,
  SanitizeSet: ForwardClientCert.SANITIZE_SET,
  AlwaysForwardOnly: ForwardClientCert.ALWAYS_FORWARD_ONLY,
};

/** A header mutation as Envoy's mutation rules (config.common.mutation_rules.v3.HeaderMutation). */
export const headerMutations = (m: HeaderMutation): MutationRule[] => {
  const append = (headers: HeaderMutation['add'], action: HeaderValueOption_HeaderAppendAction) =>
    headers.map((h) => ({
      append: HeaderValueOption.fromPartial({
        header: { key: h.name, value: h.value },
        appendAction: action,
      }),
    }));
  return [
    ...m.remove.map((remove) => ({ remove })),
    ...(m.removeOnMatch ?? []).map((match) => ({
      removeOnMatch: { keyMatcher: stringMatcher(match) },
    })),
    ...append(m.add, HeaderValueOption_HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD),
    ...append(m.set, HeaderValueOption_HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD),
    ...append(m.addIfAbsent, HeaderValueOption_HeaderAppendAction.ADD_IF_ABSENT),
  ];
};

/** HTTP/2 PING keepalives (core.v3.KeepaliveSettings). */
const keepalive = (k: NonNullable<ClientTraffic['http2Keepalive']>) => ({
  ...(k.intervalMs === undefined ? {} : { interval: durationMs(k.intervalMs) }),
  ...(k.timeoutMs === undefined ? {} : { timeout: durationMs(k.timeoutMs) }),
  ...(k.intervalJitterPercent === undefined
    ? {}
    : { intervalJitter: { value: k.intervalJitterPercent } }),
  ...(k.idleIntervalMs === undefined
    ? {}
    : { connectionIdleInterval: durationMs(k.idleIntervalMs) }),
});

/** Request IDs: preserve a client's, generate one, both or neither (`headers.requestID`). */
function requestId(headers: ClientTraffic['headers']): Partial<Hcm> {
  switch (headers?.requestId) {
    case 'Preserve':
      return { preserveExternalRequestId: true, generateRequestId: false };
    case 'Generate':
      return { preserveExternalRequestId: false, generateRequestId: true };
    case 'Disable':
      return { preserveExternalRequestId: false, generateRequestId: false };
    case 'PreserveOrGenerate':
      return { preserveExternalRequestId: true, generateRequestId: true };
    default:
      return headers?.preserveExternalRequestId === undefined
        ? {}
        : { preserveExternalRequestId: headers.preserveExternalRequestId };
  }
}

/**
 * The hostname HTTP/1.0 requests without one get (`http10.useDefaultHost`): the listener's own, or
 * else the only one of its routes (Envoy Gateway). Worked out from the listener's routes here, so
 * that a change to the routes alone moves it.
 */
export function http10DefaultHost(listener: HTTPListener): string | undefined {
  const own = listener.hostnames.filter((h) => h !== '*');
  if (own.length === 1) return own[0];
  const routes = new Set(listener.routes.map((r) => r.hostname).filter((h) => h !== '*'));
  return routes.size === 1 ? [...routes][0] : undefined;
}

/** The connection manager `base` (Envoy Gateway's defaults) with the listener's policy's changes. */
export function connectionManagerSettings(listener: HTTPListener, base: Hcm): Hcm {
  const client = listener.clientTraffic;
  if (client === undefined) return base;
  const defaultHost = client.http1?.http10?.useDefaultHost
    ? http10DefaultHost(listener)
    : undefined;
  const { timeouts, path, http1, headers, connectionLifetime } = client;
  const xfcc = headers?.xfcc;
  const details = new Set(xfcc?.certDetails ?? []);
  return HttpConnectionManager.fromPartial({
    ...base,
    ...clientIp(client.clientIPDetection),
    ...(timeouts?.requestReceivedMs === undefined
      ? {}
      : { requestTimeout: durationMs(timeouts.requestReceivedMs) }),
    ...(timeouts?.requestHeadersReceivedMs === undefined
      ? {}
      : { requestHeadersTimeout: durationMs(timeouts.requestHeadersReceivedMs) }),
    ...(timeouts?.streamIdleMs === undefined
      ? {}
      : { streamIdleTimeout: durationMs(timeouts.streamIdleMs) }),
    commonHttpProtocolOptions: {
      ...base.commonHttpProtocolOptions,
      ...(timeouts?.idleMs === undefined ? {} : { idleTimeout: durationMs(timeouts.idleMs) }),
      ...(connectionLifetime?.maxConnectionDurationMs === undefined
        ? {}
        : { maxConnectionDuration: durationMs(connectionLifetime.maxConnectionDurationMs) }),
      ...(connectionLifetime?.maxRequestsPerConnection === undefined
        ? {}
        : { maxRequestsPerConnection: connectionLifetime.maxRequestsPerConnection }),
      ...(connectionLifetime?.maxStreamDurationMs === undefined
        ? {}
        : { maxStreamDuration: durationMs(connectionLifetime.maxStreamDurationMs) }),
    },
    ...(path?.escapedSlashesAction === undefined
      ? {}
      : { pathWithEscapedSlashesAction: ESCAPED_SLASHES[path.escapedSlashesAction] }),
    ...(path?.disableMergeSlashes ? { mergeSlashes: false } : {}),
    ...(http1
      ? {
          httpProtocolOptions: {
            ...(http1.http10
              ? {
                  acceptHttp10: true,
                  ...(defaultHost ? { defaultHostForHttp10: defaultHost } : {}),
                }
              : {}),
            ...(http1.enableTrailers ? { enableTrailers: true } : {}),
            ...(http1.preserveHeaderCase ? { headerKeyFormat: preserveCase() } : {}),
            ...(http1.ignoredUpgradeTypes
              ? { ignoreHttp11Upgrade: http1.ignoredUpgradeTypes.map(stringMatcher) }
              : {}),
          },
        }
      : {}),
    // Past max_connection_duration an HTTP/1 connection closes after its next response (with
    // `connection: close`) rather than at once, unless http1.disableSafeMaxConnectionDuration.
    ...(connectionLifetime?.maxConnectionDurationMs === undefined
      ? {}
      : { http1SafeMaxConnectionDuration: http1?.disableSafeMaxConnectionDuration !== true }),
    ...(client.schemeMatchesBackend ? { schemeHeaderTransformation: { matchUpstream: true } } : {}),
    ...(client.http2OnInvalidMessage === undefined && client.http2Keepalive === undefined
      ? {}
      : {
          http2ProtocolOptions: {
            ...base.http2ProtocolOptions,
            ...(client.http2OnInvalidMessage === undefined
              ? {}
              : {
                  overrideStreamErrorOnInvalidHttpMessage:
                    client.http2OnInvalidMessage === 'TerminateStream',
                }),
            ...(client.http2Keepalive
              ? { connectionKeepalive: keepalive(client.http2Keepalive) }
              : {}),
          },
        }),
    ...requestId(headers),
    ...(headers?.earlyRequest
      ? {
          earlyHeaderMutationExtensions: [
            typedConfig(
              'envoy.http.early_header_mutation.header_mutation',
              EarlyHeaderMutation,
              EarlyHeaderMutation.fromPartial({ mutations: headerMutations(headers.earlyRequest) }),
            ),
          ],
        }
      : {}),
    ...(xfcc
      ? {
          forwardClientCertDetails: XFCC[xfcc.mode],
          ...(xfcc.mode === 'SanitizeSet' || xfcc.mode === 'AppendForward'
            ? {
                setCurrentClientCertDetails: {
                  cert: details.has('Cert'),
                  chain: details.has('Chain'),
                  subject: details.has('Subject'),
                  uri: details.has('URI'),
                  dns: details.has('DNS'),
                },
              }
            : {}),
        }
      : {}),
    ...(headers?.maxRequestHeadersKb === undefined
      ? {}
      : { maxRequestHeadersKb: headers.maxRequestHeadersKb }),
    ...(headers?.stripTrailingHostDot ? { stripTrailingHostDot: true } : {}),
  });
}

/** Header names sent as they were received (HTTP/1 is case-insensitive; some clients are not). */
export const preserveCase = () => ({
  statefulFormatter: typedConfig(
    'envoy.http.stateful_header_formatters.preserve_case',
    PreserveCaseFormatterConfig,
    PreserveCaseFormatterConfig.fromPartial({}),
  ),
});

/** A TLS filter chain's handshake timeout (`timeout.tcp.tlsHandshakeTimeout`). */
export const tlsChainSettings = (client: ClientTraffic | undefined) => {
  const ms = client?.timeouts?.tlsHandshakeMs;
  return ms === undefined ? {} : { transportSocketConnectTimeout: durationMs(ms) };
};

/** Network filters in front of the connection manager or TCP proxy: the connection limit. */
export function connectionFilters(client: ClientTraffic | undefined, statPrefix: string): Filter[] {
  const limit = client?.connectionLimit;
  if (limit === undefined) return [];
  return [
    typedConfig(
      'envoy.filters.network.connection_limit',
      ConnectionLimit,
      ConnectionLimit.fromPartial({
        statPrefix,
        maxConnections: limit.maxConnections,
        ...(limit.closeDelayMs === undefined ? {} : { delay: durationMs(limit.closeDelayMs) }),
      }),
    ),
  ];
}

/** Listener filters a policy adds before the others: PROXY protocol must read the first bytes. */
export function proxyProtocolFilters(client: ClientTraffic | undefined): TypedExtensionConfig[] {
  const proxy = client?.proxyProtocol;
  if (proxy === undefined) return [];
  return [
    typedConfig(
      'envoy.filters.listener.proxy_protocol',
      ProxyProtocolListenerFilter,
      ProxyProtocolListenerFilter.fromPartial({
        ...(proxy.optional ? { allowRequestsWithoutProxyProtocol: true } : {}),
      }),
    ),
  ];
}

// Linux socket option numbers (SOL_SOCKET / IPPROTO_TCP), as Envoy Gateway sets them.
const SOL_SOCKET = 1;
const SO_KEEPALIVE = 9;
const IPPROTO_TCP = 6;
const TCP_KEEPIDLE = 4;
const TCP_KEEPINTVL = 5;
const TCP_KEEPCNT = 6;

const SO_RCVBUF = 8;

const option = (level: number, name: number, value: number): SocketOption =>
  ({ description: '', level, name, intValue: value, state: 0 }) as SocketOption;

/**
 * Options of the listening socket, which accepted sockets inherit: TCP keepalive (`tcpKeepalive`;
 * absent values keep the system's) and the kernel receive buffer (`connection.socketBufferLimit`).
 */
export const listenerSocketOptions = (client: ClientTraffic | undefined): SocketOption[] => [
  ...keepaliveSocketOptions(client),
  ...(client?.socketBufferLimitBytes === undefined
    ? []
    : [option(SOL_SOCKET, SO_RCVBUF, client.socketBufferLimitBytes)]),
];

function keepaliveSocketOptions(client: ClientTraffic | undefined): SocketOption[] {
  const keepalive = client?.tcpKeepalive;
  if (keepalive === undefined) return [];
  return [
    option(SOL_SOCKET, SO_KEEPALIVE, 1),
    ...(keepalive.probes === undefined ? [] : [option(IPPROTO_TCP, TCP_KEEPCNT, keepalive.probes)]),
    ...(keepalive.idleTimeS === undefined
      ? []
      : [option(IPPROTO_TCP, TCP_KEEPIDLE, keepalive.idleTimeS)]),
    ...(keepalive.intervalS === undefined
      ? []
      : [option(IPPROTO_TCP, TCP_KEEPINTVL, keepalive.intervalS)]),
  ];
}

/** Whether an IR listener also serves HTTP/3 (an HTTPS listener whose policy asks for it). */
export const servesHttp3 = (listener: HTTPListener): boolean =>
  listener.clientTraffic?.http3 !== undefined && listener.tls?.mode === 'Terminate';
