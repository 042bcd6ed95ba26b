// ClientTrafficPolicy fields: applied or not (see ../fieldRegistry.ts). Applied fields reach Envoy:
// the integration test sends traffic through a real Envoy for each behaviour, and has Envoy load
// (and dump) the settings that have no behaviour a short test can see.
import type { KindFields } from '../fieldRegistry.js';
import { TARGETING_PROOF } from './proofs.js';

const ENVOY = 'apps/conformance/src/__tests__/clientTrafficPolicy.integration.test.ts';
const envoy = (test: string) => `${ENVOY}: ${test}`;

const CLIENT_IP = envoy('finds the client address from trusted hops or a custom header');
const HEADERS = envoy('changes request and response headers early and late');
const REQUEST_HEADERS = envoy('underscores, request IDs, header size and Envoy headers');
const TIMEOUT = envoy('answers 408 when a request is not received in time');
const CONNECTION_LIMIT = envoy('closes connections over the connection limit');
const PROXY_PROTOCOL = envoy('reads the client address from a PROXY protocol header');
const HEALTH_CHECK = envoy('answers the health check path itself');
const PATH = envoy('keeps or rejects escaped slashes and merges slashes as told');
const HTTP10 = envoy('accepts HTTP/1.0 with the default host');
const PRESERVE_CASE = envoy('keeps the case of HTTP/1 header names both ways');
const PINS = envoy('refuses revoked, unpinned and unnamed client certificates');
const TCP_IDLE = envoy('closes idle TCP proxy connections after the idle timeout');
const HTTP3 = envoy('serves HTTP/3 over QUIC beside HTTPS and advertises it');
const HOST_DOT = envoy('strips the trailing dot of a host');
const TLS = envoy('negotiates the TLS versions and ALPN the policy allows');
const MTLS = envoy('verifies client certificates and forwards their details');
const MORE = 'apps/conformance/src/__tests__/clientTrafficSettings.integration.test.ts';
const more = (test: string) => `${MORE}: ${test}`;
const DIRECT_IP = more('takes the TCP peer as the client with directSourceIP');
const UPGRADES = more('serves ignored HTTP/1.1 upgrades as plain requests');
const SAFE_DURATION = more('closes HTTP/1 connections past their duration safely or at once');
const GRPC_WEB = more('turns gRPC-Web into gRPC with grpc.enableWeb');
const FINGERPRINTS = more('computes the JA3 and JA4 fingerprints asked for');
const CONNECTIONS = 'apps/conformance/src/__tests__/clientTrafficConnections.integration.test.ts';
const connections = (test: string) => `${CONNECTIONS}: ${test}`;
const PER_CONNECTION = connections('closes a connection after maxRequestsPerConnection requests');
const IDLE = connections('closes an idle connection after timeout.http.idleTimeout');
const HEADERS_TIMEOUT = connections(
  'gives up on unfinished request headers after requestHeadersReceivedTimeout',
);
const STREAM_LIMITS = connections(
  'ends a request past maxStreamDuration or streamIdleTimeout, not a plain one',
);
const H2_SETTINGS = connections(
  'advertises http2 maxConcurrentStreams and initialStreamWindowSize in its SETTINGS',
);
const TLS_FILE = 'apps/conformance/src/__tests__/clientTrafficTls.integration.test.ts';
const tls = (test: string) => `${TLS_FILE}: ${test}`;
const CIPHERS = tls('refuses a TLS 1.2 cipher tls.ciphers leaves out, serves one it lists');
const CURVES = tls('refuses a client offering only a curve tls.ecdhCurves leaves out');
const RESUMPTION = tls('resumes a TLS session from a ticket with tls.session.resumption stateless');
const EXPIRED = tls('admits an expired client certificate only with allowExpiredCertificate');
const HANDSHAKE = tls(
  'closes a handshake that never finishes after timeout.tcp.tlsHandshakeTimeout',
);
const INSPECTION = tls('closes a silent connection after timeout.tcp.connectionInspectionTimeout');
const HTTP_FILE = 'apps/conformance/src/__tests__/clientTrafficHttp.integration.test.ts';
const http = (test: string) => `${HTTP_FILE}: ${test}`;
const TRAILERS = http('passes HTTP/1 request trailers to the backend with http1.enableTrailers');
const BUFFER = http('answers 413 for a buffered body over connection.bufferLimit');
const CLOSE_DELAY = http('holds a connection over the limit open for connectionLimit.closeDelay');
const CONNECTION_WINDOW = http('grants an h2c client the http2.initialConnectionWindowSize');
const SIGNATURES = tls(
  'refuses a client certificate signed only with an algorithm tls.signatureAlgorithms leaves out',
);
const H2_KEEPALIVE = http(
  'sends HTTP/2 PINGs on an idle connection with http2.connectionKeepalive',
);
const SCHEME = http('sends the backend its own scheme with scheme MatchBackend');
const INVALID_MESSAGE = http(
  'resets only the stream of an invalid HTTP/2 request with onInvalidMessage TerminateStream',
);
const TCP_KEEPALIVE = http(
  'arms the kernel TCP keepalive timer on accepted connections with tcpKeepalive',
);
const SOCKET_BUFFER = http(
  'sizes the receive buffer of accepted sockets with connection.socketBufferLimit',
);
/** Settings Envoy loads, checked in its config dump. */
const LOADED = envoy('Envoy loads every applied setting');

export const clientTrafficPolicyFields: KindFields = {
  applied: {
    'spec.targetRef': TARGETING_PROOF,
    'spec.targetRefs': TARGETING_PROOF,
    'spec.targetSelectors': TARGETING_PROOF,
    'spec.clientIPDetection.customHeader': CLIENT_IP,
    'spec.clientIPDetection.xForwardedFor.numTrustedHops': CLIENT_IP,
    'spec.clientIPDetection.xForwardedFor.disableXForwardedForAppend': CLIENT_IP,
    'spec.clientIPDetection.xForwardedFor.trustedCIDRs': CLIENT_IP,
    'spec.connection.bufferLimit': BUFFER,
    // Only how many pending connections a listener accepts per event loop wake-up: every
    // connection is still accepted, no listener stat counts wake-ups, and the order in which
    // the worker then serves them shows only under timing a test cannot hold; Envoy loading
    // it (max_connections_to_accept_per_socket_event in the config dump) is the proof.
    'spec.connection.maxAcceptPerSocketEvent': LOADED,
    'spec.connection.connectionLimit.value': CONNECTION_LIMIT,
    'spec.connection.connectionLimit.closeDelay': CLOSE_DELAY,
    'spec.connection.connectionLimit.maxConnectionDuration': SAFE_DURATION,
    'spec.connection.connectionLimit.maxRequestsPerConnection': PER_CONNECTION,
    'spec.connection.connectionLimit.maxStreamDuration': STREAM_LIMITS,
    'spec.enableProxyProtocol': PROXY_PROTOCOL,
    'spec.proxyProtocol': PROXY_PROTOCOL,
    'spec.headers.earlyRequestHeaders.add': HEADERS,
    'spec.headers.earlyRequestHeaders.set': HEADERS,
    'spec.headers.earlyRequestHeaders.addIfAbsent': HEADERS,
    'spec.headers.earlyRequestHeaders.remove': HEADERS,
    'spec.headers.earlyRequestHeaders.removeOnMatch': HEADERS,
    'spec.headers.lateResponseHeaders.add': HEADERS,
    'spec.headers.lateResponseHeaders.set': HEADERS,
    'spec.headers.lateResponseHeaders.addIfAbsent': HEADERS,
    'spec.headers.lateResponseHeaders.remove': HEADERS,
    'spec.headers.lateResponseHeaders.removeOnMatch': HEADERS,
    'spec.headers.enableEnvoyHeaders': REQUEST_HEADERS,
    'spec.headers.withUnderscoresAction': REQUEST_HEADERS,
    // The global rate limit filter's headers (#21): Envoy Gateway's RateLimitHeadersDisabled.
    'spec.headers.disableRateLimitHeaders':
      'apps/conformance/src/tests/envoyGateway/globalRateLimit.ts: RateLimitHeadersDisabled',
    'spec.headers.preserveXRequestID': REQUEST_HEADERS,
    'spec.headers.requestID': REQUEST_HEADERS,
    'spec.headers.maxRequestHeaderLimit': REQUEST_HEADERS,
    'spec.headers.host.stripTrailingHostDot': HOST_DOT,
    'spec.headers.xForwardedClientCert': MTLS,
    'spec.healthCheck.path': HEALTH_CHECK,
    'spec.http1.enableTrailers': TRAILERS,
    'spec.http1.http10.useDefaultHost': HTTP10,
    'spec.http1.preserveHeaderCase': PRESERVE_CASE,
    'spec.http3': HTTP3,
    'spec.http2.initialStreamWindowSize': H2_SETTINGS,
    'spec.http2.initialConnectionWindowSize': CONNECTION_WINDOW,
    'spec.http2.maxConcurrentStreams': H2_SETTINGS,
    'spec.http2.onInvalidMessage': INVALID_MESSAGE,
    'spec.path': PATH,
    'spec.tcpKeepalive': TCP_KEEPALIVE,
    'spec.timeout.http.requestReceivedTimeout': TIMEOUT,
    'spec.timeout.http.requestHeadersReceivedTimeout': HEADERS_TIMEOUT,
    'spec.timeout.http.idleTimeout': IDLE,
    'spec.timeout.http.streamIdleTimeout': STREAM_LIMITS,
    'spec.timeout.tcp.tlsHandshakeTimeout': HANDSHAKE,
    'spec.timeout.tcp.connectionInspectionTimeout': INSPECTION,
    'spec.timeout.tcp.idleTimeout': TCP_IDLE,
    'spec.http2.connectionKeepalive': H2_KEEPALIVE,
    'spec.tls.minVersion': TLS,
    'spec.tls.maxVersion': TLS,
    'spec.tls.alpnProtocols': TLS,
    'spec.tls.ciphers': CIPHERS,
    'spec.tls.ecdhCurves': CURVES,
    'spec.tls.signatureAlgorithms': SIGNATURES,
    'spec.tls.session.resumption': RESUMPTION,
    'spec.tls.clientValidation.caCertificateRefs': MTLS,
    'spec.tls.clientValidation.mode': MTLS,
    'spec.tls.clientValidation.optional': MTLS,
    'spec.tls.clientValidation.crl': PINS,
    'spec.tls.clientValidation.spkiHashes': PINS,
    'spec.tls.clientValidation.certificateHashes': PINS,
    'spec.tls.clientValidation.subjectAltNames': PINS,
    'spec.tls.clientValidation.allowExpiredCertificate': EXPIRED,
    'spec.clientIPDetection.directSourceIP': DIRECT_IP,
    'spec.connection.socketBufferLimit': SOCKET_BUFFER,
    'spec.grpc.enableWeb': GRPC_WEB,
    'spec.http1.disableSafeMaxConnectionDuration': SAFE_DURATION,
    'spec.http1.ignoredUpgradeTypes': UPGRADES,
    'spec.scheme': SCHEME,
    'spec.tls.fingerprints': FINGERPRINTS,
  },
  notApplied: [],
};
