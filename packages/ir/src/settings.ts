// Proxy settings that Envoy Gateway's policies change (ClientTrafficPolicy on listeners,
// BackendTrafficPolicy on routes, EnvoyProxy on the fleet). Every field is optional: absent means
// Envoy Gateway's default, which the xds-translator applies in one place (its defaults module),
// so a policy only sets what it changes.
import { z } from 'zod';

/** Downstream connection limits (ClientTrafficPolicy `connection`). */
export const ConnectionSettingsSchema = z.object({
  /** Per-connection buffer limit in bytes (`connection.bufferLimit`; default 32 KiB). */
  bufferLimitBytes: z.number().int().positive().optional(),
  /** Connections accepted per socket event (`connection.maxAcceptPerSocketEvent`; default 1). */
  maxAcceptPerSocketEvent: z.number().int().nonnegative().optional(),
});
export type ConnectionSettings = z.infer<typeof ConnectionSettingsSchema>;

/** Request and response header handling of an HTTP listener (ClientTrafficPolicy `headers`). */
export const HeaderSettingsSchema = z.object({
  /** What to do with a request header whose name has `_` (default RejectRequest). */
  withUnderscoresAction: z.enum(['Allow', 'RejectRequest', 'DropHeader']).optional(),
  /** Send Envoy's `x-envoy-*` response headers (`headers.enableEnvoyHeaders`; default false). */
  enableEnvoyHeaders: z.boolean().optional(),
  /** Leave out the global rate limit's `x-ratelimit-*` headers (`headers.disableRateLimitHeaders`). */
  disableRateLimitHeaders: z.boolean().optional(),
});
export type HeaderSettings = z.infer<typeof HeaderSettingsSchema>;

/** HTTP/2 limits (ClientTrafficPolicy `http2`; also used towards HTTP/2 backends). */
export const HTTP2SettingsSchema = z.object({
  /** Initial stream-level flow-control window in bytes (default 64 KiB). */
  initialStreamWindowSize: z.number().int().positive().optional(),
  /** Initial connection-level flow-control window in bytes (default 1 MiB). */
  initialConnectionWindowSize: z.number().int().positive().optional(),
  /** Concurrent streams per connection (default 100; downstream only). */
  maxConcurrentStreams: z.number().int().positive().optional(),
});
export type HTTP2Settings = z.infer<typeof HTTP2SettingsSchema>;

/** Circuit breaker thresholds of a backend cluster (BackendTrafficPolicy `circuitBreaker`). */
export const CircuitBreakerSchema = z.object({
  maxConnections: z.number().int().nonnegative().optional(),
  maxPendingRequests: z.number().int().nonnegative().optional(),
  maxParallelRequests: z.number().int().nonnegative().optional(),
  /** Concurrent retries (default 1024, as many as requests, so retries survive a surge). */
  maxParallelRetries: z.number().int().nonnegative().optional(),
  /** Requests per upstream connection (default unlimited). */
  maxRequestsPerConnection: z.number().int().nonnegative().optional(),
  /** Connections per endpoint (default unlimited). */
  perEndpointMaxConnections: z.number().int().nonnegative().optional(),
  /**
   * Active retries as a share of active requests (`retryBudget`): `percent` 0–100, and the
   * retries always allowed whatever the share (`minRetryConcurrency`; Envoy's default 3).
   */
  retryBudget: z
    .object({
      percent: z.number().min(0).max(100),
      minRetryConcurrency: z.number().int().optional(),
    })
    .optional(),
});
export type CircuitBreaker = z.infer<typeof CircuitBreakerSchema>;

/** Connection settings towards a backend (BackendTrafficPolicy `connection`). */
export const BackendConnectionSchema = z.object({
  /** Per-connection buffer limit in bytes (`connection.bufferLimit`; default 32 KiB). */
  bufferLimitBytes: z.number().int().positive().optional(),
  /** Connections opened ahead of need, in percent of what is needed (`connection.preconnect`). */
  preconnect: z
    .object({
      perEndpointPercent: z.number().int().optional(),
      predictivePercent: z.number().int().optional(),
    })
    .optional(),
});
export type BackendConnection = z.infer<typeof BackendConnectionSchema>;
