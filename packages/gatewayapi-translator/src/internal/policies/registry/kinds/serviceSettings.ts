// The `backendSettings` of a service a policy calls (a SecurityPolicy's JWKS, OpenID and
// authorization services, an EnvoyExtensionPolicy's processor) are BackendTrafficPolicy's cluster
// settings: Envoy Gateway builds their clusters as a route's under a BackendTrafficPolicy
// (createExtServiceXDSCluster with the settings' traffic), and so does egts (serviceSettings()).
// Their registry entries are derived from BackendTrafficPolicy's, so a field proven or dropped
// there changes for every service at once.
import { backendTrafficPolicyFields } from './backendTrafficPolicy.js';

/** The BackendTrafficPolicy groups a service's `backendSettings` carry. */
const SETTING_GROUPS = new Set([
  'circuitBreaker',
  'connection',
  'dns',
  'healthCheck',
  'http2',
  'loadBalancer',
  'proxyProtocol',
  'retry',
  'tcpKeepalive',
  'timeout',
]);

const inGroups = (btpPath: string) => SETTING_GROUPS.has(btpPath.split('.')[1] ?? '');

/**
 * BackendTrafficPolicy fields a service cluster takes only where the service says so (`also`): a
 * dynamic module load balancer needs the module registry of an EnvoyProxy, which a telemetry
 * service's (its own) and an external processor's (its Gateway's) have at hand.
 */
const ROUTE_ONLY = new Set(['spec.loadBalancer.dynamicModule']);

/**
 * Retry fields a service's calls cannot take: they retry by Envoy's core RetryPolicy (a gRPC or
 * HTTP service's retry_policy, serviceRetryPolicy), which has no per-try timeout and no retriable
 * status codes.
 */
const NOT_FOR_SERVICE_CALLS = new Set([
  'spec.retry.perRetry.timeout',
  'spec.retry.retryOn.httpStatusCodes',
]);

/**
 * `numAttemptsPerPriority`: the retry priority (previous_priorities) every service's retry policy
 * takes from the one serviceRetryPolicy, shown with a telemetry sink's calls.
 */
const RETRY_PRIORITY = 'spec.retry.numAttemptsPerPriority';
const RETRY_PRIORITY_PROOF =
  'apps/conformance/src/__tests__/telemetryServiceRetry.integration.test.ts: retries on the fallback priority after numAttemptsPerPriority attempts';

/**
 * The registry entries of `<service>.backendSettings`: applied (with `proof`) where
 * BackendTrafficPolicy applies the field, except `notApplied` (full paths the service cannot take);
 * not applied where BackendTrafficPolicy does not apply it, and `notApplied`. `also`: full paths
 * applied with their own proof (taking them out of the not-applied ones).
 */
export function serviceBackendSettings(
  service: string,
  proof: string,
  notApplied: readonly string[] = [],
  also: Readonly<Record<string, string>> = {},
): { applied: Record<string, string>; notApplied: string[] } {
  const settingPath = (btpPath: string) =>
    `${service}.backendSettings.${btpPath.slice('spec.'.length)}`;
  return {
    applied: {
      ...Object.fromEntries(
        Object.keys(backendTrafficPolicyFields.applied)
          .filter(
            (path) => inGroups(path) && !ROUTE_ONLY.has(path) && !NOT_FOR_SERVICE_CALLS.has(path),
          )
          .map(settingPath)
          .filter((path) => !notApplied.includes(path))
          .map((path) => [path, proof]),
      ),
      [settingPath(RETRY_PRIORITY)]: RETRY_PRIORITY_PROOF,
      ...also,
    },
    notApplied: [
      ...backendTrafficPolicyFields.notApplied.filter(inGroups).map(settingPath),
      ...[...ROUTE_ONLY, ...NOT_FOR_SERVICE_CALLS].map(settingPath),
      ...notApplied,
    ].filter((path) => !(path in also)),
  };
}
