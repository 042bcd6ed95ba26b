// Envoy Gateway's defaults, in one place: what a proxy gets when no policy sets the IR field
// (ClientTrafficPolicy on listeners, BackendTrafficPolicy on routes, EnvoyProxy on the fleet).
// Envoy's own defaults differ; these are the values Envoy Gateway serves, mostly Envoy's edge
// proxy recommendations (https://www.envoyproxy.io/docs/envoy/latest/configuration/best_practices/edge).
import type {
  AccessLog,
  CircuitBreaker,
  ConnectionSettings,
  HeaderSettings,
  HTTP2Settings,
  ListenerTLS,
  UpstreamTLS,
} from '@egts/ir';

/** Settings with every field filled in. */
type Resolved<T> = { readonly [K in keyof T]-?: NonNullable<T[K]> };

/** Per-connection buffer limit of listeners and clusters: 32 KiB (Envoy's default is 1 MiB). */
const BUFFER_LIMIT_BYTES = 32_768;

/** Downstream connection limits, absent fields filled in. */
export const connectionSettings = (
  settings: ConnectionSettings | undefined,
): Resolved<ConnectionSettings> => ({
  bufferLimitBytes: settings?.bufferLimitBytes ?? BUFFER_LIMIT_BYTES,
  // One accept per socket event spreads new connections across worker threads.
  maxAcceptPerSocketEvent: settings?.maxAcceptPerSocketEvent ?? 1,
});

/** Header handling: `_` in a header name is rejected, `x-envoy-*` response headers suppressed. */
export const headerSettings = (settings: HeaderSettings | undefined): Resolved<HeaderSettings> => ({
  withUnderscoresAction: settings?.withUnderscoresAction ?? 'RejectRequest',
  enableEnvoyHeaders: settings?.enableEnvoyHeaders ?? false,
  disableRateLimitHeaders: settings?.disableRateLimitHeaders ?? false,
});

/** HTTP/2 flow-control windows (64 KiB per stream, 1 MiB per connection) and 100 streams. */
export const http2Settings = (settings: HTTP2Settings | undefined): Resolved<HTTP2Settings> => ({
  initialStreamWindowSize: settings?.initialStreamWindowSize ?? 65_536,
  initialConnectionWindowSize: settings?.initialConnectionWindowSize ?? 1_048_576,
  maxConcurrentStreams: settings?.maxConcurrentStreams ?? 100,
});

/** Cluster buffer limit in bytes. */
export const clusterBufferLimitBytes = (bufferLimitBytes: number | undefined): number =>
  bufferLimitBytes ?? BUFFER_LIMIT_BYTES;

/**
 * Circuit breaker thresholds: Envoy's defaults (1024 connections, pending and parallel requests)
 * except retries, 1024 instead of 3, so a surge of retries (pods restarting) is not throttled.
 */
export const circuitBreaker = (settings: CircuitBreaker | undefined): CircuitBreaker =>
  // Most clusters have no settings (this runs for each): a plain literal, since V8 gives an
  // object literal opening with a spread a hidden class of its own.
  settings === undefined
    ? { maxParallelRetries: 1024 }
    : { ...settings, maxParallelRetries: settings.maxParallelRetries ?? 1024 };

/** TLS session resumption, stateless (tickets) and stateful (session ids): both off. */
export const sessionResumption = (
  tls: ListenerTLS,
): NonNullable<ListenerTLS['sessionResumption']> =>
  tls.sessionResumption ?? { stateless: false, stateful: false };

/** TLS versions offered to backends: 1.2 to 1.3. */
export const upstreamTlsVersions = (
  tls: UpstreamTLS,
): {
  min: NonNullable<UpstreamTLS['minVersion']>;
  max: NonNullable<UpstreamTLS['maxVersion']>;
} => ({
  min: tls.minVersion ?? '1.2',
  max: tls.maxVersion ?? '1.3',
});

/**
 * Envoy Gateway's default access log: one JSON object per request on the proxy's stdout, with
 * these fields (Envoy command operators,
 * https://www.envoyproxy.io/docs/envoy/latest/configuration/observability/access_log/usage#command-operators).
 */
const DEFAULT_JSON_FIELDS: Readonly<Record<string, string>> = {
  start_time: '%START_TIME%',
  method: '%REQ(:METHOD)%',
  'x-envoy-origin-path': '%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%',
  protocol: '%PROTOCOL%',
  response_code: '%RESPONSE_CODE%',
  response_flags: '%RESPONSE_FLAGS%',
  response_code_details: '%RESPONSE_CODE_DETAILS%',
  connection_termination_details: '%CONNECTION_TERMINATION_DETAILS%',
  upstream_transport_failure_reason: '%UPSTREAM_TRANSPORT_FAILURE_REASON%',
  bytes_received: '%BYTES_RECEIVED%',
  bytes_sent: '%BYTES_SENT%',
  duration: '%DURATION%',
  'x-envoy-upstream-service-time': '%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%',
  'x-forwarded-for': '%REQ(X-FORWARDED-FOR)%',
  'user-agent': '%REQ(USER-AGENT)%',
  'x-request-id': '%REQ(X-REQUEST-ID)%',
  ':authority': '%REQ(:AUTHORITY)%',
  upstream_host: '%UPSTREAM_HOST%',
  upstream_cluster: '%UPSTREAM_CLUSTER%',
  upstream_local_address: '%UPSTREAM_LOCAL_ADDRESS%',
  downstream_local_address: '%DOWNSTREAM_LOCAL_ADDRESS%',
  downstream_remote_address: '%DOWNSTREAM_REMOTE_ADDRESS%',
  requested_server_name: '%REQUESTED_SERVER_NAME%',
  route_name: '%ROUTE_NAME%',
};

const DEFAULT_ACCESS_LOG: AccessLog = {
  sinks: [{ path: '/dev/stdout', json: DEFAULT_JSON_FIELDS }],
};

/** The fleet's access logs; a sink without a format writes Envoy Gateway's default JSON. */
export const accessLog = (log: AccessLog | undefined): AccessLog =>
  log === undefined
    ? DEFAULT_ACCESS_LOG
    : {
        sinks: log.sinks.map((sink) =>
          sink.json !== undefined || sink.text !== undefined
            ? sink
            : { ...sink, json: DEFAULT_JSON_FIELDS },
        ),
      };
