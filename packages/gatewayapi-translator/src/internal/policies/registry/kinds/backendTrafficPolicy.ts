// BackendTrafficPolicy fields: applied or not (see ../fieldRegistry.ts). Applied fields reach the
// IR (the golden case) and Envoy (the integration test that sends traffic through a real Envoy and
// tells the setting's effect from a route without it).
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
/** The module's load balancer picks the host (a module the Gateway's EnvoyProxy registers). */
const DYNAMIC_MODULE =
  'apps/conformance/src/tests/envoyGateway/dynamicModule.ts: EgtsDynamicModule';
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
/** Active health check settings, each against a route without it. */
const ACTIVE = (test: string) =>
  `apps/conformance/src/__tests__/backendTrafficActiveChecks.integration.test.ts: ${test}`;
/** DNS settings and slow start, on Backends resolved through a local DNS stand-in. */
const DNS = (test: string) =>
  `apps/conformance/src/__tests__/backendTrafficDns.integration.test.ts: ${test}`;
const OUTLIER = (test: string) =>
  `apps/conformance/src/__tests__/backendTrafficOutlier.integration.test.ts: ${test}`;
const EJECTED = 'maxEjectionPercent caps the endpoints ejected; alwaysEjectOneEndpoint ejects one';
const COMES_BACK = 'baseEjectionTime and interval decide when an ejected endpoint comes back';
const HEALTH = (test: string) =>
  `apps/conformance/src/__tests__/backendTrafficHealth.integration.test.ts: ${test}`;
const ACTIVE_HTTP = HEALTH(
  'active HTTP checks use the method, Host, request body and expected body given',
);
const PASSIVE = HEALTH('passive checks eject an endpoint after consecutive 5xx or gateway errors');
const RAW_TCP = (test: string) =>
  `apps/conformance/src/__tests__/backendTrafficRawTcp.integration.test.ts: ${test}`;
const HTTP2 =
  'apps/conformance/src/__tests__/backendTrafficHttp2.integration.test.ts: initial windows and concurrent streams reach the backend connection';
const CONNECTION_TIMEOUTS = HEALTH(
  'connectionIdleTimeout and maxConnectionDuration close upstream connections',
);

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

const ROUTE_CLIENT_SAMPLING =
  "apps/conformance/src/__tests__/envoyProxyTracing.integration.test.ts: traces a route's clients by its policy's clientSamplingFraction, and caps it with overallSamplingFraction";

export const backendTrafficPolicyFields: KindFields = {
  applied: {
    'spec.telemetry.tracing.samplingFraction': ROUTE_TRACING,
    'spec.telemetry.tracing.clientSamplingFraction': ROUTE_CLIENT_SAMPLING,
    'spec.telemetry.tracing.overallSamplingFraction': ROUTE_CLIENT_SAMPLING,
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
    'spec.circuitBreaker.maxParallelRetries': OUTLIER('maxParallelRetries 0 lets no retry through'),
    'spec.circuitBreaker.maxRequestsPerConnection': HEALTH(
      'maxRequestsPerConnection 1 gives every request its own upstream connection',
    ),
    'spec.circuitBreaker.perEndpoint.maxConnections': OUTLIER(
      'perEndpoint.maxConnections holds an endpoint to that many connections',
    ),
    'spec.circuitBreaker.retryBudget': envoy('a retry budget of 0% stops retries'),
    'spec.connection.bufferLimit':
      'apps/conformance/src/__tests__/backendTrafficBufferLimit.integration.test.ts: bufferLimit backs the upstream connection up sooner',
    'spec.connection.preconnect': OUTLIER(
      'preconnect.perEndpointPercent opens connections ahead of requests',
    ),
    'spec.http2.initialStreamWindowSize': HTTP2,
    'spec.http2.initialConnectionWindowSize': HTTP2,
    'spec.http2.maxConcurrentStreams': HTTP2,
    'spec.http2.connectionKeepalive':
      'apps/conformance/src/__tests__/backendTrafficHttp2.integration.test.ts: connectionKeepalive pings the backend connection',
    'spec.http2.onInvalidMessage':
      'apps/conformance/src/__tests__/backendTrafficInvalidMessage.integration.test.ts: TerminateStream resets only the invalid stream; otherwise the connection goes',
    'spec.useClientProtocol': suite('backendTrafficResilience', 'UseClientProtocol'),
    'spec.healthCheck.active.http.retriableStatuses': ACTIVE(
      'retriableStatuses counts a retriable failure toward the threshold',
    ),
    'spec.healthCheck.active.http.requestBody': ACTIVE_HTTP,
    'spec.healthCheck.passive.alwaysEjectOneEndpoint': OUTLIER(EJECTED),
    'spec.healthCheck.passive.failurePercentageThreshold':
      'apps/conformance/src/__tests__/backendTrafficFailurePercentage.integration.test.ts: ejects the endpoints failing past the percentage, and only with it',
    'spec.dns.dnsRefreshRate': DNS(
      'dnsRefreshRate and respectDnsTtl decide how often a name is resolved',
    ),
    'spec.dns.respectDnsTtl': DNS(
      'dnsRefreshRate and respectDnsTtl decide how often a name is resolved',
    ),
    'spec.dns.lookupFamily': DNS('lookupFamily picks the address families asked and reached'),
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
    'spec.healthCheck.active.initialJitter': ACTIVE(
      'initialJitter spreads the first checks over the jitter',
    ),
    'spec.healthCheck.active.overrides': envoy(
      'health check overrides send the checks to another port',
    ),
    'spec.healthCheck.active.http.path': HEALTH_CHECK,
    'spec.healthCheck.active.http.hostname': ACTIVE_HTTP,
    'spec.healthCheck.active.http.method': ACTIVE_HTTP,
    'spec.healthCheck.active.http.expectedStatuses': HEALTH_CHECK,
    'spec.healthCheck.active.http.expectedResponse': ACTIVE_HTTP,
    'spec.healthCheck.active.tcp': RAW_TCP(
      'an active TCP check keeps only the endpoint answering the expected payload',
    ),
    'spec.healthCheck.active.grpc': ACTIVE('grpc checks ask for the service named'),
    'spec.healthCheck.passive.baseEjectionTime': OUTLIER(COMES_BACK),
    'spec.healthCheck.passive.consecutive5XxErrors': PASSIVE,
    'spec.healthCheck.passive.consecutiveGatewayErrors': PASSIVE,
    'spec.healthCheck.passive.consecutiveLocalOriginFailures': HEALTH(
      'local origin failures, split from the 5xx, eject an unreachable endpoint',
    ),
    'spec.healthCheck.passive.interval': OUTLIER(COMES_BACK),
    'spec.healthCheck.passive.maxEjectionPercent': OUTLIER(EJECTED),
    'spec.healthCheck.passive.splitExternalLocalOriginErrors': HEALTH(
      'local origin failures, split from the 5xx, eject an unreachable endpoint',
    ),
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
    'spec.loadBalancer.consistentHash.tableSize': OUTLIER(
      'consistentHash.tableSize sizes the Maglev table',
    ),
    'spec.loadBalancer.slowStart': DNS(
      'slowStart gives an endpoint added later a small share for the window',
    ),
    'spec.loadBalancer.endpointOverride': suite('loadBalancing', 'EndpointOverrideLoadBalancing'),
    'spec.proxyProtocol': RAW_TCP(
      'proxyProtocol opens upstream connections with a PROXY header of the version given',
    ),
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
    'spec.rateLimit.local.rules.cost.request.number':
      'apps/conformance/src/__tests__/backendTrafficRateLimitZeroCost.integration.test.ts: a rule with cost 0 never refuses and the other rule still counts',
    'spec.rateLimit.local.rules.xRateLimitHeaders': LOCAL_OPTIONS,
    'spec.rateLimit.local.rules.shared': LOCAL_OPTIONS,
    'spec.rateLimit.local.rules.clientSelectors.sourceCIDR.invert': LOCAL_OPTIONS,
    'spec.retry.numRetries': RETRY,
    'spec.retry.retryOn': RETRY,
    'spec.retry.perRetry': RETRY,
    'spec.retry.numAttemptsPerPriority':
      'apps/conformance/src/__tests__/backendTrafficRetryPriority.integration.test.ts: numAttemptsPerPriority moves the retry of a 503 to the fallback priority',
    'spec.tcpKeepalive': HEALTH('tcpKeepalive turns on keepalive probes on upstream sockets'),
    'spec.timeout.tcp.connectTimeout':
      'apps/conformance/src/__tests__/backendTrafficConnectTimeout.integration.test.ts: connectTimeout fails a connection that hangs sooner than the default',
    'spec.timeout.http.requestTimeout': TIMEOUT,
    'spec.timeout.http.connectionIdleTimeout': CONNECTION_TIMEOUTS,
    'spec.timeout.http.maxConnectionDuration': CONNECTION_TIMEOUTS,
    'spec.timeout.http.maxStreamDuration': HEALTH(
      'maxStreamDuration cuts an upstream stream that lasts longer',
    ),
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
    'spec.loadBalancer.backendUtilization.outOfBand': UTILIZATION(
      'outOfBand weighs endpoints by the reports of their ORCA streams',
    ),
    'spec.loadBalancer.backendUtilization.keepResponseHeaders': UTILIZATION(
      'ORCA report headers are removed from responses unless kept',
    ),
    'spec.loadBalancer.zoneAware.weightedZones': ZONE_AWARE(
      'weightedZones splits traffic by zone weight',
    ),
    'spec.loadBalancer.dynamicModule': DYNAMIC_MODULE,
    'spec.routingType': ROUTING(
      'routingType Service reaches the cluster IP, endpoint routing the endpoints',
    ),
  },
  notApplied: [
    // Envoy (1.40) cannot take these in its local filter; localRateLimitEnvoyLimits.integration
    // fails when an Envoy can. A response cost (a rate limit applied when the stream is done, as
    // Envoy Gateway emits it) loads but takes no token: the filter counts only as requests come.
    'spec.rateLimit.local.rules.cost.response',
    // A limit read from dynamic metadata (the rate limit's `limit` override, as the global filter
    // takes it): refused in the local filter's rate_limits ("'limit' field is not supported"),
    // and its descriptors' token buckets are fixed in the configuration.
    'spec.rateLimit.local.rules.limit.fromMetadata',
    'spec.telemetry',
  ],
  notAppliedIn: (spec) => [...localRateLimitCombinations(spec), ...zoneAwareCombinations(spec)],
};

/**
 * Zone settings the chosen load balancer cannot take: neither Maglev (ConsistentHash) nor
 * BackendUtilization's wrr_locality prefers the local zone; both take zone weights (Envoy
 * Gateway's zone-aware routing docs, "Supported Combinations").
 */
function zoneAwareCombinations(spec: Readonly<Record<string, unknown>>): string[] {
  const lb = spec.loadBalancer as
    | { type?: unknown; zoneAware?: { preferLocal?: unknown; weightedZones?: unknown } }
    | undefined;
  const zoneAware = lb?.zoneAware;
  if (zoneAware === undefined) return [];
  const noPreferLocal = lb?.type === 'ConsistentHash' || lb?.type === 'BackendUtilization';
  return noPreferLocal && zoneAware.preferLocal !== undefined
    ? ['spec.loadBalancer.zoneAware.preferLocal']
    : [];
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
  // A shared bucket checked without taking a token (cost 0) has no Envoy form: the rule takes one.
  const free = (r: Record<string, unknown>) => {
    const request = (r.cost as { request?: { from?: unknown; number?: unknown } } | undefined)
      ?.request;
    return request !== undefined && request.from !== 'Metadata' && request.number === 0;
  };
  if (rules.some((r) => r.shared === true && free(r)))
    problems.push('spec.rateLimit.local.rules.cost.request.number');
  return problems;
}

/**
 * `zoneAware.preferLocal` where the proxies have no zone (TranslateOptions.proxiesWithoutZone):
 * Envoy routes zone-aware only with its own locality and a local cluster.
 */
export const preferLocalWithoutZone = (spec: object): string[] =>
  (
    (spec as { loadBalancer?: unknown }).loadBalancer as
      | { zoneAware?: { preferLocal?: unknown } }
      | undefined
  )?.zoneAware?.preferLocal === undefined
    ? []
    : ['spec.loadBalancer.zoneAware.preferLocal'];
