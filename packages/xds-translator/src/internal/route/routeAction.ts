// Forwarding part of a route: the cluster(s), URL rewrite, timeouts, retries and mirrors
// (https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/route/v3/route_components.proto#config-route-v3-routeaction).
import {
  FractionalPercent_DenominatorType,
  PreviousHostsPredicate,
  packAny,
  RouteAction,
  RouteAction_ClusterNotFoundResponseCode,
  WeightedCluster,
} from '@egts/envoy-api';
import type { DestinationSetting, HTTPRouteIR, Mirror, Retry } from '@egts/ir';
import type { DestinationTarget } from '../cluster/destinationClusters.js';
import { addDestination, hasBackendFilters } from '../cluster/destinationClusters.js';
import type { RegexMatchAndSubstitute, RequestMirrorPolicy, RetryPolicy } from '../envoyTypes.js';
import { credentialInjectorName } from '../httpfilters/credentialInjector.js';
import { enabledAsConfigured } from '../httpfilters/securityPolicies.js';
import { retryBackOff, retryPriority } from '../httpfilters/serviceRetry.js';
import { durationMs, shared } from '../protoValues.js';
import type { ResourceSet } from '../resourceSet.js';
import { headersToAdd, headersToRemove } from './headers.js';
import { pathRewrite } from './pathRewrite.js';

type Target = Exclude<DestinationTarget, { kind: 'none' }>;
type WeightedTarget = Extract<DestinationTarget, { kind: 'weighted' }>;

/** A backend without filters, for the entry of invalid backends. */
const NO_FILTERS = {
  name: '',
  weight: 0,
  protocol: 'HTTP',
  addressType: 'IP',
  endpoints: [],
} as const satisfies DestinationSetting;

/**
 * Where invalid backendRefs' share of traffic goes: a cluster that does not exist, answered with
 * 500 (cluster_not_found_response_code), as Gateway API asks for requests to an invalid backend.
 */
const INVALID_BACKEND_CLUSTER = 'invalid-backend-cluster';

/** An hour: the least route idle timeout that comes with a request timeout. */
const HOUR_MS = 3_600_000;

/** `{ [key]: value }`, or nothing when the value is undefined (exactOptionalPropertyTypes). */
const optional = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };

/** One backend's entry in a split, with the filters of its backendRef. */
const clusterWeight = ({ name, weight, setting }: WeightedTarget['clusters'][number]) => ({
  name,
  weight,
  requestHeadersToAdd: headersToAdd(setting.requestHeaders?.add ?? []),
  requestHeadersToRemove: headersToRemove(setting.requestHeaders?.remove ?? []),
  responseHeadersToAdd: headersToAdd(setting.responseHeaders?.add ?? []),
  responseHeadersToRemove: headersToRemove(setting.responseHeaders?.remove ?? []),
  ...(setting.hostRewrite === undefined ? {} : { hostRewriteLiteral: setting.hostRewrite }),
  ...(setting.credentialInjection === undefined
    ? {}
    : {
        typedPerFilterConfig: {
          [credentialInjectorName(setting.credentialInjection)]: enabledAsConfigured,
        },
      }),
});

const clusterSpecifier = (target: Target): Partial<RouteAction> => {
  if (target.kind === 'cluster') return { cluster: target.cluster };
  const clusters = target.clusters.map(clusterWeight);
  if (target.invalidWeight > 0) {
    clusters.push(
      clusterWeight({
        name: INVALID_BACKEND_CLUSTER,
        weight: target.invalidWeight,
        setting: NO_FILTERS,
      }),
    );
  }
  return {
    weightedClusters: WeightedCluster.fromPartial({ clusters }),
    // Envoy Gateway sets it on every split it makes for invalid backends, backend filters or
    // shared backend clusters.
    ...(target.invalidWeight > 0 ||
    target.shared === true ||
    target.clusters.some(({ setting }) => hasBackendFilters(setting))
      ? {
          clusterNotFoundResponseCode:
            RouteAction_ClusterNotFoundResponseCode.INTERNAL_SERVER_ERROR,
        }
      : {}),
  };
};

const PREVIOUS_HOSTS = {
  name: 'envoy.retry_host_predicates.previous_hosts',
  typedConfig: packAny(PreviousHostsPredicate, PreviousHostsPredicate.fromPartial({})),
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
    // A retry goes to another host than the ones already tried (Envoy Gateway's previous_hosts,
    // 5 host selections per retry).
    ...(retry === undefined
      ? { retryHostPredicate: [], hostSelectionRetryMaxAttempts: 0 }
      : { retryHostPredicate: [PREVIOUS_HOSTS], hostSelectionRetryMaxAttempts: 5 }),
    retryOptionsPredicates: [],
    retriableStatusCodes: retry?.codes ?? [],
    ...retryBackOff(retry),
    ...retryPriority(retry),
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
    // The copy keeps the original Host; Envoy would append `-shadow` to it.
    disableShadowHostSuffixAppend: true,
  };
};

/**
 * Consistent hashing input of a Maglev cluster (BackendTrafficPolicy `loadBalancer.consistentHash`,
 * https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/route/v3/route_components.proto#config-route-v3-routeaction-hashpolicy).
 */
const hashPolicy = (route: HTTPRouteIR): RouteAction['hashPolicy'] | undefined => {
  const lb = route.destination?.loadBalancer;
  const hash = lb?.type === 'ConsistentHash' ? lb.consistentHash : undefined;
  if (hash === undefined) return undefined;
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
  return policies as RouteAction['hashPolicy'];
};

/** The Host rewrite of a route (RouteAction's host_rewrite_specifier and x-forwarded-host). */
interface HostRewrite {
  readonly hostRewriteLiteral?: string;
  readonly hostRewriteHeader?: string;
  readonly autoHostRewrite?: boolean;
  /** Partial: completed with the route's other rare parts (see routeAction). */
  readonly hostRewritePathRegex?: Partial<RegexMatchAndSubstitute>;
  readonly appendXForwardedHost?: boolean;
}

const NO_HOST_REWRITE: HostRewrite = {};

/**
 * The Host the upstream gets: a literal (URLRewrite), or from a request header, the upstream's
 * hostname or the path by regex (HTTPRouteFilter). The backend learns the Host the client asked
 * for from x-forwarded-host.
 */
const hostRewrite = (rewrite: HTTPRouteIR['urlRewrite']): HostRewrite => {
  // An HTTPRouteFilter's appendXForwardedHost (default true) may turn x-forwarded-host off.
  const appendXForwardedHost = rewrite?.appendXForwardedHost ?? true;
  if (rewrite?.hostname !== undefined)
    return { hostRewriteLiteral: rewrite.hostname, appendXForwardedHost };
  if (rewrite?.hostnameFromHeader !== undefined)
    return { hostRewriteHeader: rewrite.hostnameFromHeader, appendXForwardedHost };
  if (rewrite?.hostnameFromBackend === true) return { autoHostRewrite: true, appendXForwardedHost };
  if (rewrite?.hostnameFromPath !== undefined)
    return {
      hostRewritePathRegex: {
        pattern: { regex: rewrite.hostnameFromPath.pattern },
        substitution: rewrite.hostnameFromPath.substitution,
      },
      appendXForwardedHost,
    };
  return NO_HOST_REWRITE;
};

/**
 * The upgrades a route allows: a policy's list (a terminated CONNECT gets a connect_config), else
 * WebSocket on HTTP routes (gRPC runs over HTTP/2 and never upgrades). A route-level upgrade is
 * enough for Envoy, whatever the connection manager lists
 * (https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/http/upgrades).
 */
const upgradeConfigs = (route: HTTPRouteIR) =>
  route.grpc || route.upgrades === undefined
    ? []
    : route.upgrades.map((upgrade) => ({
        upgradeType: upgrade.type,
        enabled: true,
        ...(upgrade.terminate ? { connectConfig: {} } : {}),
      }));

/** WebSocket, what most routes allow: one list shared by them all (not two objects per route). */
const WEBSOCKET_ONLY = shared(
  RouteAction.fromPartial({ upgradeConfigs: [{ upgradeType: 'websocket' }] }).upgradeConfigs,
);

/**
 * The route's RouteAction, written out whole: every field in the order and with the values
 * RouteAction.fromPartial gives. The parts most routes have (cluster or split, rewrites, timeouts)
 * are complete values placed as they are; the nested messages few routes have (regex rewrites,
 * retries, hash policies, mirrors, upgrades other than WebSocket) are completed by one
 * RouteAction.fromPartial of those parts alone. fromPartial of the whole action read some forty
 * fields of a partial of varying shape for each route of a cold translation.
 */
export const routeAction = (route: HTTPRouteIR, target: Target, out: ResourceSet): RouteAction => {
  const rewrite = pathRewrite(route, route.urlRewrite?.path);
  const host = hostRewrite(route.urlRewrite);
  const timeout = route.timeout;
  const retry = retryPolicy(route.retry, timeout?.backendRequestMs);
  const hash = hashPolicy(route);
  const mirrors =
    route.mirrors.length === 0
      ? []
      : route.mirrors
          .map((mirror) => mirrorPolicy(mirror, out))
          .filter((policy) => policy !== undefined);
  // WebSocket, what most routes allow, is a complete list shared by them all.
  const upgrades = !route.grpc && route.upgrades === undefined ? undefined : upgradeConfigs(route);
  const regexRewrite =
    rewrite === undefined || 'prefixRewrite' in rewrite
      ? undefined
      : 'fullPath' in rewrite
        ? { pattern: { regex: '^/.*$' }, substitution: rewrite.fullPath }
        : rewrite.regexRewrite;
  const rare =
    regexRewrite !== undefined ||
    host.hostRewritePathRegex !== undefined ||
    retry !== undefined ||
    hash !== undefined ||
    mirrors.length > 0 ||
    (upgrades !== undefined && upgrades.length > 0)
      ? RouteAction.fromPartial({
          ...optional('regexRewrite', regexRewrite),
          ...optional('hostRewritePathRegex', host.hostRewritePathRegex),
          ...optional('retryPolicy', retry),
          ...optional('hashPolicy', hash),
          requestMirrorPolicies: mirrors,
          upgradeConfigs: upgrades ?? [],
        })
      : undefined;
  const specifier = clusterSpecifier(target);
  return {
    cluster: specifier.cluster,
    clusterHeader: undefined,
    weightedClusters: specifier.weightedClusters,
    clusterSpecifierPlugin: undefined,
    inlineClusterSpecifierPlugin: undefined,
    // Envoy Gateway routes a zone-aware destination through weighted clusters (one per backend
    // setting), which carry this code; egts's single cluster gets it too, alike in effect.
    clusterNotFoundResponseCode:
      route.destination?.loadBalancer?.zoneAware === undefined
        ? (specifier.clusterNotFoundResponseCode ?? 0)
        : RouteAction_ClusterNotFoundResponseCode.INTERNAL_SERVER_ERROR,
    metadataMatch: undefined,
    prefixRewrite: rewrite !== undefined && 'prefixRewrite' in rewrite ? rewrite.prefixRewrite : '',
    regexRewrite: rare?.regexRewrite,
    pathRewritePolicy: undefined,
    hostRewriteLiteral: host.hostRewriteLiteral,
    autoHostRewrite: host.autoHostRewrite,
    hostRewriteHeader: host.hostRewriteHeader,
    hostRewritePathRegex: rare?.hostRewritePathRegex,
    appendXForwardedHost: host.appendXForwardedHost ?? false,
    // Gateway API `timeouts.request`; 0 disables the timeout in both. A stream idle for as long
    // would otherwise be cut by the connection manager's 5 minutes first.
    timeout: timeout?.requestMs === undefined ? undefined : durationMs(timeout.requestMs),
    // A policy's stream idle timeout wins over the one that comes with the request timeout.
    idleTimeout:
      timeout?.streamIdleMs !== undefined
        ? durationMs(timeout.streamIdleMs)
        : timeout?.requestMs === undefined
          ? undefined
          : durationMs(timeout.requestMs === 0 ? 0 : Math.max(HOUR_MS, timeout.requestMs)),
    earlyDataPolicy: undefined,
    retryPolicy: rare?.retryPolicy,
    retryPolicyTypedConfig: undefined,
    requestMirrorPolicies: rare?.requestMirrorPolicies ?? [],
    priority: 0,
    rateLimits: [],
    includeVhRateLimits: undefined,
    hashPolicy: rare?.hashPolicy ?? [],
    cors: undefined,
    maxGrpcTimeout: undefined,
    grpcTimeoutOffset: undefined,
    upgradeConfigs: upgrades === undefined ? WEBSOCKET_ONLY : (rare?.upgradeConfigs ?? []),
    internalRedirectPolicy: undefined,
    internalRedirectAction: 0,
    maxInternalRedirects: undefined,
    hedgePolicy: undefined,
    maxStreamDuration: undefined,
  };
};
