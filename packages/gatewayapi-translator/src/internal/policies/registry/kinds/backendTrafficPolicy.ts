// BackendTrafficPolicy fields: applied or not (see ../fieldRegistry.ts). Applied fields reach the
// IR (the golden case) and Envoy (the integration test that sends traffic through a real Envoy,
// or, for settings without a behaviour test yet, has Envoy load the golden case's configuration).
import type { KindFields } from '../fieldRegistry.js';
import { goldenProof, TARGETING_PROOF } from './proofs.js';

const GOLDEN = goldenProof('backend-traffic-policy');
const ENVOY = 'apps/conformance/src/__tests__/backendTrafficPolicy.integration.test.ts';
const envoy = (test: string) => `${ENVOY}: ${test}`;
const FILTERS = 'apps/conformance/src/__tests__/backendTrafficFilters.integration.test.ts';
const filters = (test: string) => `${FILTERS}: ${test}`;
const COMPRESSION = filters('compresses responses with gzip, brotli or zstd as the client accepts');
const RESPONSE_OVERRIDE = filters('overrides responses by status code and response header');
const BANDWIDTH = filters('limits the request and response transfer rates');

const RETRY = envoy('retries a failing backend');
const RATE_LIMIT = envoy('answers 429 past the local rate limit');
const HEALTH_CHECK = envoy('active health checks take a failing endpoint out');
const LOAD_BALANCER = envoy('consistent hashing sends a header value to one endpoint');
const CIRCUIT_BREAKER = envoy('circuit breakers reject requests over the limit');
const TIMEOUT = envoy('times out a slow backend');
/** Global rate limits: real Envoy, the real Rate Limit Service and Redis. */
const GLOBAL = (test: string) =>
  `apps/conformance/src/__tests__/globalRateLimit.integration.test.ts: ${test}`;
const GLOBAL_LIMIT = GLOBAL(
  'a distinct header value past its global limit gets 429 from either proxy',
);
const GLOBAL_SELECTORS = GLOBAL(
  'selectors on client address, method, path and query parameters pick what counts',
);
/** Envoy Gateway's own global rate limit e2e tests (ratelimit.go), re-expressed. */
const EG_GLOBAL = (test: string) =>
  `apps/conformance/src/tests/envoyGateway/globalRateLimit.ts: ${test}`;
/** Envoy Gateway's e2e tests, re-expressed in the envoy-gateway conformance suite. */
const SUITE = 'apps/conformance/src/tests/envoyGateway';
const suite = (file: string, test: string) => `${SUITE}/${file}.ts: ${test}`;
/** Local rate limit options: egts's own suite test. */
const LOCAL_OPTIONS = suite('localRateLimitOptions', 'EgtsLocalRateLimitOptions');
/** Settings Envoy loads from the golden case (their IR is in the golden output). */
const LOADED = envoy('Envoy loads every setting of the golden case');

/** Routing settings through real Envoy. */
const ROUTING = (test: string) =>
  `apps/conformance/src/__tests__/backendTrafficRouting.integration.test.ts: ${test}`;

/** Zone-aware routing through real Envoy (the proxy in one zone, endpoints in two). */
const ZONE_AWARE = (test: string) =>
  `apps/conformance/src/__tests__/backendTrafficZoneAware.integration.test.ts: ${test}`;

/** Client-side weighted round robin from ORCA load reports, through real Envoy. */
const UTILIZATION = (test: string) =>
  `apps/conformance/src/__tests__/backendTrafficUtilization.integration.test.ts: ${test}`;

/** A route's own tracing over its fleet's (#19). */
const ROUTE_TRACING =
  "apps/conformance/src/__tests__/envoyProxyTracing.integration.test.ts: traces a route by its policy's sampling and tags, and nothing a zero fraction leaves out";

export const backendTrafficPolicyFields: KindFields = {
  applied: {
    'spec.telemetry.tracing.samplingFraction': ROUTE_TRACING,
    'spec.telemetry.tracing.tags': ROUTE_TRACING,
    'spec.telemetry.tracing.customTags': ROUTE_TRACING,
    'spec.telemetry.tracing.spanName': ROUTE_TRACING,
    'spec.telemetry.metrics.routeStatName':
      'apps/conformance/src/__tests__/envoyProxyStatNames.integration.test.ts: names cluster, HTTP route and TCP route stats as asked',
    'spec.targetRef': TARGETING_PROOF,
    'spec.targetRefs': TARGETING_PROOF,
    'spec.targetSelectors': TARGETING_PROOF,
    'spec.mergeType': GOLDEN,
    'spec.circuitBreaker.maxConnections': CIRCUIT_BREAKER,
    'spec.circuitBreaker.maxPendingRequests': CIRCUIT_BREAKER,
    'spec.circuitBreaker.maxParallelRequests': CIRCUIT_BREAKER,
    'spec.circuitBreaker.maxParallelRetries': LOADED,
    'spec.circuitBreaker.maxRequestsPerConnection': LOADED,
    'spec.circuitBreaker.perEndpoint.maxConnections': LOADED,
    'spec.circuitBreaker.retryBudget': envoy('a retry budget of 0% stops retries'),
    'spec.connection.bufferLimit': LOADED,
    'spec.connection.preconnect': LOADED,
    'spec.http2.initialStreamWindowSize': LOADED,
    'spec.http2.initialConnectionWindowSize': LOADED,
    'spec.http2.maxConcurrentStreams': LOADED,
    'spec.http2.connectionKeepalive': LOADED,
    'spec.http2.onInvalidMessage': LOADED,
    'spec.useClientProtocol': suite('backendTrafficResilience', 'UseClientProtocol'),
    'spec.healthCheck.active.http.retriableStatuses': LOADED,
    'spec.healthCheck.active.http.requestBody': LOADED,
    'spec.healthCheck.passive.alwaysEjectOneEndpoint': LOADED,
    'spec.healthCheck.passive.failurePercentageThreshold': LOADED,
    'spec.dns': LOADED,
    'spec.faultInjection.abort': filters('injects an abort'),
    'spec.faultInjection.delay': filters('injects a delay before the abort'),
    'spec.compression': COMPRESSION,
    'spec.compressor': COMPRESSION,
    'spec.bandwidthLimit': BANDWIDTH,
    'spec.requestBuffer': filters('buffers request bodies up to the limit'),
    'spec.admissionControl': envoy('admission control sheds requests to a failing backend'),
    'spec.httpUpgrade': envoy('httpUpgrade lets a route upgrade to the protocols it names'),
    'spec.responseOverride.match': RESPONSE_OVERRIDE,
    'spec.responseOverride.response': RESPONSE_OVERRIDE,
    'spec.responseOverride.redirect': suite('responseOverride', 'ResponseOverrideSpecificUser'),
    'spec.responseOverride.source': suite('responseOverride', 'ResponseOverrideSource'),
    'spec.healthCheck.active.type': HEALTH_CHECK,
    'spec.healthCheck.active.timeout': HEALTH_CHECK,
    'spec.healthCheck.active.interval': HEALTH_CHECK,
    'spec.healthCheck.active.unhealthyThreshold': HEALTH_CHECK,
    'spec.healthCheck.active.healthyThreshold': HEALTH_CHECK,
    'spec.healthCheck.active.initialJitter': LOADED,
    'spec.healthCheck.active.overrides': envoy(
      'health check overrides send the checks to another port',
    ),
    'spec.healthCheck.active.http.path': HEALTH_CHECK,
    'spec.healthCheck.active.http.hostname': LOADED,
    'spec.healthCheck.active.http.method': LOADED,
    'spec.healthCheck.active.http.expectedStatuses': HEALTH_CHECK,
    'spec.healthCheck.active.http.expectedResponse': LOADED,
    'spec.healthCheck.active.tcp': LOADED,
    'spec.healthCheck.active.grpc': LOADED,
    'spec.healthCheck.passive.baseEjectionTime': LOADED,
    'spec.healthCheck.passive.consecutive5XxErrors': LOADED,
    'spec.healthCheck.passive.consecutiveGatewayErrors': LOADED,
    'spec.healthCheck.passive.consecutiveLocalOriginFailures': LOADED,
    'spec.healthCheck.passive.interval': LOADED,
    'spec.healthCheck.passive.maxEjectionPercent': LOADED,
    'spec.healthCheck.passive.splitExternalLocalOriginErrors': LOADED,
    'spec.healthCheck.panicThreshold': suite('backendHealthCheck', 'BackendPanicThresholdHTTPTest'),
    'spec.loadBalancer.type': LOAD_BALANCER,
    'spec.loadBalancer.consistentHash.type': LOAD_BALANCER,
    'spec.loadBalancer.consistentHash.header': LOAD_BALANCER,
    'spec.loadBalancer.consistentHash.headers': suite(
      'loadBalancing',
      'MultiHeaderBasedConsistentHashLoadBalancing',
    ),
    'spec.loadBalancer.consistentHash.cookie': suite(
      'loadBalancing',
      'CookieBasedConsistentHashLoadBalancing',
    ),
    'spec.loadBalancer.consistentHash.queryParams': suite(
      'loadBalancing',
      'QueryParamsBasedConsistentHashLoadBalancing',
    ),
    'spec.loadBalancer.consistentHash.tableSize': LOADED,
    'spec.loadBalancer.slowStart': LOADED,
    'spec.loadBalancer.endpointOverride': suite('loadBalancing', 'EndpointOverrideLoadBalancing'),
    'spec.proxyProtocol': LOADED,
    'spec.rateLimit.type': RATE_LIMIT,
    'spec.rateLimit.global.rules.clientSelectors.headers': GLOBAL_LIMIT,
    'spec.rateLimit.global.rules.clientSelectors.sourceCIDR': GLOBAL_SELECTORS,
    'spec.rateLimit.global.rules.clientSelectors.methods': GLOBAL_SELECTORS,
    'spec.rateLimit.global.rules.clientSelectors.path': GLOBAL_SELECTORS,
    'spec.rateLimit.global.rules.clientSelectors.queryParams': GLOBAL_SELECTORS,
    'spec.rateLimit.global.rules.limit.requests': GLOBAL_LIMIT,
    'spec.rateLimit.global.rules.limit.unit': GLOBAL_LIMIT,
    'spec.rateLimit.global.rules.shared': GLOBAL('a shared rule counts every route together'),
    'spec.rateLimit.global.rules.shadowMode': GLOBAL('shadow mode counts but never refuses'),
    'spec.rateLimit.global.rules.clientSelectors.sourceCIDR.invert': EG_GLOBAL(
      'RateLimitCIDRInvertMatchAlwaysEnforce',
    ),
    'spec.rateLimit.global.rules.cost': EG_GLOBAL('UsageRateLimit'),
    'spec.rateLimit.global.rules.xRateLimitHeaders': GLOBAL(
      'xRateLimitHeaders sends or drops the x-ratelimit-* headers rule by rule',
    ),
    'spec.rateLimit.global.rules.limit.fromMetadata': GLOBAL(
      'limit.fromMetadata takes the limit a filter wrote to dynamic metadata',
    ),
    'spec.rateLimit.local.rules.limit.requests': RATE_LIMIT,
    'spec.rateLimit.local.rules.limit.unit': RATE_LIMIT,
    'spec.rateLimit.local.rules.clientSelectors.headers': RATE_LIMIT,
    'spec.rateLimit.local.rules.clientSelectors.sourceCIDR': LOCAL_OPTIONS,
    'spec.rateLimit.local.rules.clientSelectors.methods': suite(
      'backendTrafficPolicy',
      'LocalRateLimit',
    ),
    'spec.rateLimit.local.rules.clientSelectors.path': suite(
      'backendTrafficPolicy',
      'LocalRateLimit',
    ),
    'spec.rateLimit.local.rules.shadowMode': suite('backendTrafficPolicy', 'LocalRateLimit'),
    'spec.rateLimit.local.rules.clientSelectors.queryParams': suite(
      'backendTrafficPolicy',
      'LocalRateLimitQueryParameters',
    ),
    'spec.rateLimit.local.rules.cost': LOCAL_OPTIONS,
    'spec.rateLimit.local.rules.cost.request.metadata':
      'apps/conformance/src/__tests__/backendTrafficRateLimitCost.integration.test.ts: cost.request from metadata takes the number a filter wrote',
    'spec.rateLimit.local.rules.xRateLimitHeaders': LOCAL_OPTIONS,
    'spec.rateLimit.local.rules.shared': LOCAL_OPTIONS,
    'spec.rateLimit.local.rules.clientSelectors.sourceCIDR.invert': LOCAL_OPTIONS,
    'spec.retry.numRetries': RETRY,
    'spec.retry.retryOn': RETRY,
    'spec.retry.perRetry': RETRY,
    'spec.retry.numAttemptsPerPriority':
      'apps/conformance/src/__tests__/backendTrafficRetryPriority.integration.test.ts: numAttemptsPerPriority moves the retry of a 503 to the fallback priority',
    'spec.tcpKeepalive': LOADED,
    'spec.timeout.tcp.connectTimeout': LOADED,
    'spec.timeout.http.requestTimeout': TIMEOUT,
    'spec.timeout.http.connectionIdleTimeout': LOADED,
    'spec.timeout.http.maxConnectionDuration': LOADED,
    'spec.timeout.http.maxStreamDuration': LOADED,
    'spec.timeout.http.streamIdleTimeout': envoy('a stream idle past the timeout is cut'),
    'spec.healthCheck.active.healthCheckLog': ROUTING(
      'healthCheckLog writes every success and failure to the file sink',
    ),
    'spec.connection.socketBufferLimit': ROUTING(
      'socketBufferLimit sets the receive buffer of upstream sockets',
    ),
    'spec.loadBalancer.zoneAware.preferLocal': ZONE_AWARE(
      'preferLocal force keeps every request in the local zone',
    ),
    'spec.loadBalancer.zoneAware.preferLocal.minEndpointsThreshold': ZONE_AWARE(
      'percentageEnabled 0 and a threshold above the endpoint count turn it off',
    ),
    'spec.loadBalancer.zoneAware.preferLocal.percentageEnabled': ZONE_AWARE(
      'percentageEnabled 0 and a threshold above the endpoint count turn it off',
    ),
    'spec.loadBalancer.backendUtilization': UTILIZATION(
      'BackendUtilization weighs endpoints by the utilization they report',
    ),
    'spec.loadBalancer.backendUtilization.keepResponseHeaders': UTILIZATION(
      'ORCA report headers are removed from responses unless kept',
    ),
    'spec.loadBalancer.zoneAware.weightedZones': ZONE_AWARE(
      'weightedZones splits traffic by zone weight',
    ),
    'spec.routingType': ROUTING(
      'routingType Service reaches the cluster IP, endpoint routing the endpoints',
    ),
  },
  notApplied: [
    // Out-of-band ORCA reports (a gRPC stream to each endpoint): not built yet.
    'spec.loadBalancer.backendUtilization.outOfBand',
    'spec.loadBalancer.dynamicModule',
    // Envoy's local filter ignores a cost applied when the stream is done (checked with 1.40).
    'spec.rateLimit.local.rules.cost.response',
    'spec.rateLimit.local.rules.limit.fromMetadata',
    'spec.telemetry',
  ],
  notAppliedIn: (spec) => [...localRateLimitCombinations(spec), ...zoneAwareCombinations(spec)],
};

/**
 * Zone settings the chosen load balancer cannot take: Maglev (ConsistentHash) has no locality
 * config, and BackendUtilization's wrr_locality weighs localities but never prefers the local one.
 */
function zoneAwareCombinations(spec: Readonly<Record<string, unknown>>): string[] {
  const lb = spec.loadBalancer as
    | { type?: unknown; zoneAware?: { preferLocal?: unknown; weightedZones?: unknown } }
    | undefined;
  const zoneAware = lb?.zoneAware;
  if (zoneAware === undefined) return [];
  if (lb?.type === 'ConsistentHash') return ['spec.loadBalancer.zoneAware'];
  if (lb?.type === 'BackendUtilization' && zoneAware.preferLocal !== undefined)
    return ['spec.loadBalancer.zoneAware.preferLocal'];
  return [];
}

/**
 * Local rules egts cannot apply as this spec combines them: a cost or `shared` on the rule
 * without selectors (the route-wide bucket has no rate limit to carry hits_addend).
 */
function localRateLimitCombinations(spec: Readonly<Record<string, unknown>>): string[] {
  const local = (spec.rateLimit as { local?: { rules?: unknown } } | undefined)?.local;
  const rules = Array.isArray(local?.rules) ? (local.rules as Record<string, unknown>[]) : [];
  const problems: string[] = [];
  const routeWide = rules.filter(
    (r) => !Array.isArray(r.clientSelectors) || r.clientSelectors.length === 0,
  );
  if (routeWide.some((r) => r.cost !== undefined)) problems.push('spec.rateLimit.local.rules.cost');
  if (routeWide.some((r) => r.shared === true)) problems.push('spec.rateLimit.local.rules.shared');
  return problems;
}
