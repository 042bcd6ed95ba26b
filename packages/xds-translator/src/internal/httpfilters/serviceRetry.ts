// Retries of a request Envoy makes itself to a service a SecurityPolicy names (a JWKS fetch, a
// gRPC authorization check), from the service's `backendSettings.retry`: the core RetryPolicy,
// as Envoy Gateway builds it for non-route requests (its default triggers when none are named),
// with the retry priority a route's takes (`numAttemptsPerPriority`).
import { type GrpcService, PreviousPrioritiesConfig, packAny } from '@egts/envoy-api';
import type { Retry } from '@egts/ir';
import { durationMs } from '../protoValues.js';

type CoreRetryPolicy = NonNullable<GrpcService['retryPolicy']>;

/** Envoy Gateway's retry_on for non-route retries without retryOn triggers. */
const DEFAULT_RETRY_ON =
  'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes';

/** `retry_back_off` from a retry's back-off, for route and service retries alike. */
export const retryBackOff = (retry: Retry | undefined) =>
  retry?.backoffMs === undefined
    ? {}
    : {
        retryBackOff: {
          baseInterval: durationMs(retry.backoffMs),
          ...(retry.maxBackoffMs === undefined
            ? {}
            : { maxInterval: durationMs(retry.maxBackoffMs) }),
        },
      };

/**
 * `retry_priority` previous_priorities, as Envoy Gateway sets it for `numAttemptsPerPriority`:
 * after that many attempts on a priority, retries go to the next one (fallback backends are
 * priority 1). A route's retry policy and a service call's alike.
 */
export const retryPriority = (retry: Retry | undefined) =>
  retry?.attemptsPerPriority === undefined
    ? {}
    : {
        retryPriority: {
          name: 'envoy.retry_priorities.previous_priorities',
          typedConfig: packAny(
            PreviousPrioritiesConfig,
            PreviousPrioritiesConfig.fromPartial({ updateFrequency: retry.attemptsPerPriority }),
          ),
        },
      };

export const serviceRetryPolicy = (retry: Retry): CoreRetryPolicy => ({
  retryOn:
    retry.triggers && retry.triggers.length > 0 ? retry.triggers.join(',') : DEFAULT_RETRY_ON,
  ...(retry.attempts === undefined ? {} : { numRetries: retry.attempts }),
  ...retryBackOff(retry),
  ...retryPriority(retry),
  retryHostPredicate: [],
  hostSelectionRetryMaxAttempts: 0,
});
