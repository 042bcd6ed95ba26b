// Forwarding part of a route: the cluster(s), URL rewrite, timeouts, retries and mirrors
// (https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/route/v3/route_components.proto#config-route-v3-routeaction).
import { FractionalPercent_DenominatorType, RouteAction, WeightedCluster } from '@egts/envoy-api';
import type { HTTPRouteIR, Mirror, Retry } from '@egts/ir';
import type { DestinationTarget } from '../cluster/destinationClusters.js';
import { addDestination } from '../cluster/destinationClusters.js';
import type { RequestMirrorPolicy, RetryPolicy } from '../envoyTypes.js';
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
  const retryOn = ['connect-failure', 'refused-stream', 'reset'];
  if ((retry?.codes.length ?? 0) > 0) retryOn.push('retriable-status-codes');
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
      : { retryBackOff: { baseInterval: durationMs(retry.backoffMs) } }),
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
    requestMirrorPolicies: route.mirrors
      .map((mirror) => mirrorPolicy(mirror, out))
      .filter((policy) => policy !== undefined),
  });
};
