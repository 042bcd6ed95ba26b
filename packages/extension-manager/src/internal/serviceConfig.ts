// The gRPC service config egts dials an extension with: Envoy Gateway's retry policy (gRFC A6),
// its defaults overridden by `service.retry`, for every method of the extension service.
import type { ExtensionManager } from '@egts/api';

/** Envoy Gateway's defaults (ExtensionServiceRetry). */
const DEFAULT_RETRY = {
  maxAttempts: 4,
  initialBackoff: '0.1s',
  maxBackoff: '1s',
  backoffMultiplier: 2,
  retryableStatusCodes: ['UNAVAILABLE'],
};

/** A Gateway API duration (`100ms`, `1s`, `1m30s`) as the seconds string gRPC service configs take. */
export function grpcDuration(duration: string): string {
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
  let seconds = 0;
  for (const [, value, unit] of duration.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g))
    seconds += Number(value) * (units[unit as string] ?? 0);
  return `${Number(seconds.toFixed(9))}s`;
}

export function serviceConfig(service: ExtensionManager['service']): string {
  const retry = service.retry;
  const multiplier = retry?.backoffMultiplier;
  return JSON.stringify({
    methodConfig: [
      {
        name: [{ service: 'envoygateway.extension.EnvoyGatewayExtension' }],
        // As Envoy Gateway: a call waits for the connection (within its deadline) instead of
        // failing at once while the extension starts.
        waitForReady: true,
        retryPolicy: {
          maxAttempts: retry?.maxAttempts ?? DEFAULT_RETRY.maxAttempts,
          initialBackoff: grpcDuration(retry?.initialBackoff ?? DEFAULT_RETRY.initialBackoff),
          maxBackoff: grpcDuration(retry?.maxBackoff ?? DEFAULT_RETRY.maxBackoff),
          backoffMultiplier: multiplier
            ? multiplier.numerator / (multiplier.denominator ?? 1)
            : DEFAULT_RETRY.backoffMultiplier,
          retryableStatusCodes: retry?.RetryableStatusCodes ?? DEFAULT_RETRY.retryableStatusCodes,
        },
      },
    ],
  });
}
