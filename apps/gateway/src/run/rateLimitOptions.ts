// What the EnvoyGateway `rateLimit` block asks of the Rate Limit Service, as both gateway modes
// (host processes, Kubernetes objects) take it.
import type { RateLimitTelemetry } from '@egts/infra-manager';

export interface RateLimitOptions {
  /** `host:port` of the Redis server. */
  redisUrl: string;
  failClosed?: boolean | undefined;
  timeoutMs?: number | undefined;
  /** Redis over TLS (`backend.redis.tls`), with the name of the client certificate's Secret. */
  redisTls?: { certificateRef: string } | undefined;
  /** Metrics and tracing of the service (`rateLimit.telemetry`). */
  telemetry?: RateLimitTelemetry | undefined;
  /** `rateLimit` settings read but not applied, logged when the service is started or applied. */
  problems?: readonly string[] | undefined;
}
