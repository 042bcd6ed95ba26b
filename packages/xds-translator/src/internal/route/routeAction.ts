// Forwarding part of a route: the cluster(s), URL rewrite, timeouts, retries and mirrors
// (https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/route/v3/route_components.proto#config-route-v3-routeaction).
import { FractionalPercent_DenominatorType, RouteAction, WeightedCluster } from '@egts/envoy-api';
import type { HTTPRouteIR, Mirror, Retry } from '@egts/ir';
import type { DestinationTarget } from '../cluster/destinationClusters.js';
import { addDestination } from '../cluster/destinationClusters.js';
import type { RequestMirrorPolicy, RetryPolicy } from '../envoyTypes.js';
import { localRateLimitActions } from '../httpfilters/localRateLimit.js';
import { durationMs } from '../protoValues.js';
import type { ResourceSet } from '../resourceSet.js';
import { headersToAdd, headersToRemove } from './headers.js';
import { pathRewrite } from './pathRewrite.js';

type Target = Exclude<DestinationTarget, { kind: 'none' }>;

/** `{ [key]: value }`, or nothing when the value is undefined (exactOptionalPropertyTypes). */
const optional = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };

const clusterSpecifier = (target: Target): Partial<RouteAction> =>
  target.kind === 'cluster'
    ? { cluster: target.cluster }
    : {
        weightedClusters: WeightedCluster.fromPartial({
          clusters: target.clusters.map(({ name, weight, setting }) => ({
            name,
            weight,
            requestHeadersToAdd: headersToAdd(setting.requestHeaders?.add ?? []),
            requestHeadersToRemove: headersToRemove(setting.requestHeaders?.remove ?? []),
          })),
        }),
      };

/**
 * GEP-1731 retries: retry on the listed status codes, and on connection failures and resets,
 * which Gateway API treats as retriable; backendRequest timeout is the per-try timeout.
 */
const retryPolicy = (
  retry: Retry | undefined,
  perTryMs: number | undefined,
): RetryPolicy | undefined => {
  if (retry === undefined && perTryMs === undefined) return undefined;
  // A BackendTrafficPolicy names its triggers (retry.retryOn.triggers); retriable status codes
  // need the retriable-status-codes trigger, added once.
  const retryOn = [...(retry?.triggers ?? ['connect-failure', 'refused-stream', 'reset'])];
  if ((retry?.codes.length ?? 0) > 0 && !retryOn.includes('retriable-status-codes'))
    retryOn.push('retriable-status-codes');
  return {
    retryOn: retryOn.join(','),
    numRetries: retry?.attempts ?? (retry === undefined ? 0 : 2),
    ...(perTryMs === undefined ? {} : { perTryTimeout: durationMs(perTryMs) }),
    retryHostPredicate: [],
    retryOptionsPredicates: [],
    hostSelectionRetryMaxAttempts: 0,
    retriableStatusCodes: retry?.codes ?? [],
    ...(retry?.backoffMs === undefined
      ? {}
      : {
          retryBackOff: {
            baseInterval: durationMs(retry.backoffMs),
            ...(retry.maxBackoffMs === undefined
              ? {}
              : { maxInterval: durationMs(retry.maxBackoffMs) }),
          },
        }),
    retriableHeaders: [],
    retriableRequestHeaders: [],
  };
};

/** Mirrors take one cluster each; a share below 100% is a runtime fraction per million. */
const mirrorPolicy = (mirror: Mirror, out: ResourceSet): RequestMirrorPolicy | undefined => {
  const target = addDestination(mirror.destination, out, { single: true });
  if (target.kind !== 'cluster') return undefined;
  return {
    cluster: target.cluster,
    clusterHeader: '',
    ...(mirror.percentage === undefined || mirror.percentage >= 100
      ? {}
      : {
          runtimeFraction: {
            defaultValue: {
              numerator: Math.round(mirror.percentage * 10_000),
              denominator: FractionalPercent_DenominatorType.MILLION,
            },
            runtimeKey: '',
          },
        }),
    disableShadowHostSuffixAppend: false,
  };
};

/**
 * Consistent hashing input of a Maglev cluster (BackendTrafficPolicy `loadBalancer.consistentHash`,
 * https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/route/v3/route_components.proto#config-route-v3-routeaction-hashpolicy).
 */
const hashPolicy = (route: HTTPRouteIR): Partial<RouteAction> => {
  const lb = route.destination?.loadBalancer;
  const hash = lb?.type === 'ConsistentHash' ? lb.consistentHash : undefined;
  if (hash === undefined) return {};
  const policies =
    hash.type === 'SourceIP'
      ? [{ connectionProperties: { sourceIp: true } }]
      : hash.type === 'Cookie' && hash.cookie
        ? [
            {
              cookie: {
                name: hash.cookie.name,
                ...(hash.cookie.ttlMs === undefined ? {} : { ttl: durationMs(hash.cookie.ttlMs) }),
                attributes: Object.entries(hash.cookie.attributes ?? {}).map(([name, value]) => ({
                  name,
                  value,
                })),
              },
            },
          ]
        : hash.type === 'QueryParams'
          ? (hash.queryParams ?? []).map((name) => ({ queryParameter: { name } }))
          : (hash.headers ?? []).map((headerName) => ({ header: { headerName } }));
  return { hashPolicy: policies as RouteAction['hashPolicy'] };
};

export const routeAction = (route: HTTPRouteIR, target: Target, out: ResourceSet): RouteAction => {
  const rewrite = pathRewrite(route, route.urlRewrite?.path);
  return RouteAction.fromPartial({
    ...clusterSpecifier(target),
    ...(rewrite === undefined
      ? {}
      : 'fullPath' in rewrite
        ? { regexRewrite: { pattern: { regex: '^/.*$' }, substitution: rewrite.fullPath } }
        : rewrite),
    ...(route.urlRewrite?.hostname === undefined
      ? {}
      : { hostRewriteLiteral: route.urlRewrite.hostname }),
    // Gateway API `timeouts.request`; 0 disables the timeout in both.
    ...(route.timeout?.requestMs === undefined
      ? {}
      : { timeout: durationMs(route.timeout.requestMs) }),
    ...optional('retryPolicy', retryPolicy(route.retry, route.timeout?.backendRequestMs)),
    ...hashPolicy(route),
    rateLimits: localRateLimitActions(route),
    requestMirrorPolicies: route.mirrors
      .map((mirror) => mirrorPolicy(mirror, out))
      .filter((policy) => policy !== undefined),
  });
};
