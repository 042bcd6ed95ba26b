// Retry policy of a request: a route's (Gateway API HTTPRouteRetry, BackendTrafficPolicy retry), or
// of a request Envoy makes itself (a JWKS fetch, an authorization check: backendSettings retry).
import { z } from 'zod';

/** Retry policy (Gateway API HTTPRouteRetry, GEP-1731; Envoy Gateway `retry`). */
export const RetrySchema = z.object({
  /** Maximum retries. */
  attempts: z.number().int().optional(),
  /** Base back-off between retries, in milliseconds. */
  backoffMs: z.number().optional(),
  /** Longest back-off between retries, in milliseconds (absent: 10 times the base). */
  maxBackoffMs: z.number().optional(),
  /**
   * Envoy retry_on triggers (`5xx`, `reset`, `connect-failure`...), replacing the default set
   * (a BackendTrafficPolicy's `retry.retryOn.triggers`).
   */
  triggers: z.array(z.string()).optional(),
  /**
   * Attempts (initial + retries) sent to one priority before the next is tried (Envoy Gateway
   * `retry.numAttemptsPerPriority`; Envoy's previous_priorities update_frequency).
   */
  attemptsPerPriority: z.number().int().positive().optional(),
  /** Response codes that trigger a retry. */
  codes: z.array(z.number().int()),
});
export type Retry = z.infer<typeof RetrySchema>;
