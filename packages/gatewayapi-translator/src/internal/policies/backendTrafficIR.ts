// A BackendTrafficPolicy's settings as IR: what it changes on a route's clusters (RouteDestination
// fields) and on the route (retry, request timeout, local rate limit). Only fields the registry
// lists as applied are read; the policy was validated before (validateBackendTrafficPolicy), so
// values here parse. Absent values keep Envoy Gateway's defaults, which the CRD declares and the
// API server would fill in (health check timings, passive thresholds, Maglev table size).
import type {
  ActiveHealthCheck,
  BandwidthLimit,
  CircuitBreaker,
  Compression,
  ConsistentHash,
  FaultInjection,
  GlobalRateLimit,
  HealthCheck,
  HealthCheckPayload,
  HTTPUpgrade,
  LoadBalancer,
  LocalRateLimit,
  LocalRateLimitRule,
  OutlierDetection,
  RateLimitCost,
  RateLimitValue,
  RequestBuffer,
  ResponseOverride,
  Retry,
  RouteDestination,
  RouteTracing,
  TCPKeepalive,
  UpstreamDNS,
  UpstreamTimeouts,
} from '@egts/ir';
import {
  admissionControl,
  bandwidthLimit,
  compression,
  faultInjection,
  requestBuffer,
  responseOverride,
} from './backendTrafficFilters.js';
import { moduleLoadBalancer } from './dynamicModules.js';
import { globalRateLimit } from './globalRateLimitIR.js';
import { routeTracing } from './tracingIR.js';
import { list, type Obj, obj, parseGoDuration, parseQuantity } from './validation/policyValues.js';
import { zoneAware } from './zoneAwareIR.js';

/** What a policy sets on the clusters of the routes it reaches. */
export type DestinationTraffic = Pick<
  RouteDestination,
  | 'circuitBreaker'
  | 'connection'
  | 'loadBalancer'
  | 'healthCheck'
  | 'timeouts'
  | 'proxyProtocol'
  | 'dns'
  | 'tcpKeepalive'
  | 'http2'
  | 'useClientProtocol'
  | 'admissionControl'
>;

/** What a policy sets on the HTTP routes it reaches. */
export interface RouteTraffic {
  retry?: Retry;
  /** Per-try timeout (`retry.perRetry.timeout`). */
  perTryTimeoutMs?: number;
  requestTimeoutMs?: number;
  streamIdleTimeoutMs?: number;
  localRateLimit?: LocalRateLimit;
  faultInjection?: FaultInjection;
  compression?: Compression[];
  bandwidthLimit?: BandwidthLimit;
  requestBuffer?: RequestBuffer;
  upgrades?: HTTPUpgrade[];
  responseOverride?: ResponseOverride[];
  globalRateLimit?: GlobalRateLimit;
  /** `telemetry.tracing` (#19's tracingIR.ts). */
  tracing?: RouteTracing;
  /** `telemetry.metrics.routeStatName`, a template (#19's statNames.ts). */
  statName?: string;
}

export interface BackendTraffic {
  destination: DestinationTraffic;
  route: RouteTraffic;
  /**
   * `routingType`: Service backends reached at their cluster IP (`Service`, serviceRouting.ts) or
   * their endpoints; unset, the EnvoyProxy's routingType decides.
   */
  routingType?: 'Service' | 'Endpoint';
}

const ms = (value: unknown): number | undefined => parseGoDuration(value);
const int = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isInteger(value) ? value : undefined;
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const bool = (value: unknown): boolean | undefined =>
  typeof value === 'boolean' ? value : undefined;

/**
 * `{...}` without its undefined fields (exactOptionalPropertyTypes), or undefined when empty.
 * A plain loop: called some twenty times per policy, where entries/filter/fromEntries allocated
 * three arrays per call.
 */
function defined<T extends object>(value: { [K in keyof T]?: T[K] | undefined }): T | undefined {
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined) continue;
    out ??= {};
    out[key] = v;
  }
  return out as T | undefined;
}

function retryBudget(budget: Obj | undefined): CircuitBreaker['retryBudget'] {
  const percent = obj(budget?.percent);
  if (!budget || !percent) return undefined;
  const denominator = int(percent.denominator) ?? 100;
  const min = int(budget.minRetryConcurrency);
  return {
    percent: ((int(percent.numerator) ?? 0) * 100) / denominator,
    ...(min === undefined ? {} : { minRetryConcurrency: min }),
  };
}

function circuitBreaker(cb: Obj | undefined): CircuitBreaker | undefined {
  if (!cb) return undefined;
  return defined<CircuitBreaker>({
    maxConnections: int(cb.maxConnections),
    maxPendingRequests: int(cb.maxPendingRequests),
    maxParallelRequests: int(cb.maxParallelRequests),
    maxParallelRetries: int(cb.maxParallelRetries),
    maxRequestsPerConnection: int(cb.maxRequestsPerConnection),
    perEndpointMaxConnections: int(obj(cb.perEndpoint)?.maxConnections),
    retryBudget: retryBudget(obj(cb.retryBudget)),
  });
}

function consistentHash(hash: Obj | undefined): ConsistentHash | undefined {
  const type = str(hash?.type) as ConsistentHash['type'] | undefined;
  if (!hash || !type) return undefined;
  const cookie = obj(hash.cookie);
  const headerNames = [
    ...(obj(hash.header) ? [str(obj(hash.header)?.name)] : []),
    ...list(hash.headers).map((h) => str(h.name)),
  ].filter((n): n is string => n !== undefined);
  return defined<ConsistentHash>({
    type,
    headers: headerNames.length > 0 ? headerNames : undefined,
    queryParams: list(hash.queryParams)
      .map((q) => str(q.name))
      .filter((n): n is string => n !== undefined),
    cookie: cookie
      ? (defined({
          name: str(cookie.name) ?? '',
          ttlMs: ms(cookie.ttl),
          attributes: obj(cookie.attributes) as Record<string, string> | undefined,
        }) as ConsistentHash['cookie'])
      : undefined,
    tableSize: int(hash.tableSize),
  });
}

/** `backendUtilization.outOfBand`: present (even empty) turns out-of-band reports on. */
const outOfBand = (oob: Obj | undefined) =>
  oob === undefined
    ? undefined
    : {
        ...defined({
          reportingPeriodMs: ms(oob.reportingPeriod),
          port: int(oob.port),
          authority: str(oob.authority),
        }),
      };

function backendUtilization(bu: Obj | undefined): LoadBalancer['backendUtilization'] {
  const metricNames = Array.isArray(bu?.metricNamesForComputingUtilization)
    ? (bu.metricNamesForComputingUtilization as unknown[]).filter(
        (name): name is string => typeof name === 'string',
      )
    : [];
  return (
    defined<NonNullable<LoadBalancer['backendUtilization']>>({
      blackoutPeriodMs: ms(bu?.blackoutPeriod),
      weightExpirationPeriodMs: ms(bu?.weightExpirationPeriod),
      weightUpdatePeriodMs: ms(bu?.weightUpdatePeriod),
      errorUtilizationPenaltyPercent: int(bu?.errorUtilizationPenaltyPercent),
      metricNamesForComputingUtilization: metricNames.length > 0 ? metricNames : undefined,
      keepResponseHeaders: bool(bu?.keepResponseHeaders),
      outOfBand: outOfBand(obj(bu?.outOfBand)),
    }) ?? {}
  );
}

function loadBalancer(lb: Obj | undefined): LoadBalancer | undefined {
  const type = str(lb?.type) as LoadBalancer['type'] | undefined;
  if (!lb || !type) return undefined;
  const overrideHeaders = list(obj(lb.endpointOverride)?.extractFrom)
    .map((source) => str(source.header))
    .filter((header): header is string => header !== undefined);
  return defined<LoadBalancer>({
    type,
    consistentHash: type === 'ConsistentHash' ? consistentHash(obj(lb.consistentHash)) : undefined,
    slowStartWindowMs: ms(obj(lb.slowStart)?.window),
    endpointOverrideHeaders: overrideHeaders.length > 0 ? overrideHeaders : undefined,
    zoneAware: zoneAware(obj(lb.zoneAware)),
    backendUtilization:
      type === 'BackendUtilization' ? backendUtilization(obj(lb.backendUtilization)) : undefined,
    dynamicModule: type === 'DynamicModule' ? moduleLoadBalancer(obj(lb.dynamicModule)) : undefined,
  });
}

const payload = (p: Obj | undefined): HealthCheckPayload | undefined =>
  p === undefined
    ? undefined
    : defined<HealthCheckPayload>(
        str(p.type) === 'Binary' ? { binary: str(p.binary) } : { text: str(p.text) },
      );

function activeHealthCheck(active: Obj | undefined): ActiveHealthCheck | undefined {
  const type = str(active?.type);
  if (!active || !type) return undefined;
  const http = obj(active.http);
  const tcp = obj(active.tcp);
  const grpc = obj(active.grpc);
  const statuses = Array.isArray(http?.expectedStatuses)
    ? (http.expectedStatuses as unknown[]).filter((s): s is number => typeof s === 'number')
    : [];
  return defined<ActiveHealthCheck>({
    timeoutMs: ms(active.timeout) ?? 1_000,
    intervalMs: ms(active.interval) ?? 3_000,
    unhealthyThreshold: int(active.unhealthyThreshold) ?? 3,
    healthyThreshold: int(active.healthyThreshold) ?? 1,
    initialJitterMs: ms(active.initialJitter),
    port: int(obj(active.overrides)?.port),
    eventLog: healthCheckLog(obj(active.healthCheckLog)),
    http:
      type === 'HTTP'
        ? (defined({
            path: str(http?.path) ?? '/',
            hostname: str(http?.hostname),
            method: str(http?.method),
            expectedStatuses: statuses.length > 0 ? statuses : [200],
            expectedResponse: payload(obj(http?.expectedResponse)),
            retriableStatuses: Array.isArray(http?.retriableStatuses)
              ? (http.retriableStatuses as unknown[]).filter(
                  (s): s is number => typeof s === 'number',
                )
              : undefined,
            requestBody: payload(obj(http?.requestBody)),
          }) as ActiveHealthCheck['http'])
        : undefined,
    tcp:
      type === 'TCP'
        ? { ...defined({ send: payload(obj(tcp?.send)), receive: payload(obj(tcp?.receive)) }) }
        : undefined,
    grpc: type === 'GRPC' ? { ...defined({ service: str(grpc?.service) }) } : undefined,
  });
}

/**
 * `healthCheckLog` (BackendTrafficPolicy `healthCheck.active`, EnvoyProxy `telemetry`): one file
 * sink (default /dev/stdout); `matches` Failure and Success log every such probe (none given: all
 * of them), FailureSeriesStart and HealthyTransition are what Envoy logs anyway.
 */
export function healthCheckLog(log: Obj | undefined): ActiveHealthCheck['eventLog'] {
  if (!log) return undefined;
  const matches = Array.isArray(log.matches) ? (log.matches as unknown[]) : [];
  const sink = Array.isArray(log.sinks) ? obj((log.sinks as unknown[])[0]) : undefined;
  const all = matches.length === 0;
  return {
    path: str(obj(sink?.file)?.path) ?? '/dev/stdout',
    failures: all || matches.includes('Failure'),
    successes: all || matches.includes('Success'),
  };
}

function outlierDetection(passive: Obj | undefined): OutlierDetection | undefined {
  if (!passive) return undefined;
  return {
    splitExternalLocalOriginErrors: bool(passive.splitExternalLocalOriginErrors) ?? false,
    intervalMs: ms(passive.interval) ?? 3_000,
    consecutiveLocalOriginFailures: int(passive.consecutiveLocalOriginFailures) ?? 5,
    consecutive5xxErrors: int(passive.consecutive5XxErrors) ?? 5,
    baseEjectionTimeMs: ms(passive.baseEjectionTime) ?? 30_000,
    maxEjectionPercent: int(passive.maxEjectionPercent) ?? 10,
    ...(passive.alwaysEjectOneEndpoint === true ? { alwaysEjectOneEndpoint: true } : {}),
    ...(int(passive.failurePercentageThreshold) === undefined
      ? {}
      : { failurePercentageThreshold: int(passive.failurePercentageThreshold) as number }),
    ...(int(passive.consecutiveGatewayErrors) === undefined
      ? {}
      : { consecutiveGatewayErrors: int(passive.consecutiveGatewayErrors) as number }),
  };
}

function healthCheck(hc: Obj | undefined): HealthCheck | undefined {
  if (!hc) return undefined;
  return defined<HealthCheck>({
    active: activeHealthCheck(obj(hc.active)),
    passive: outlierDetection(obj(hc.passive)),
    panicThresholdPercent: int(hc.panicThreshold),
  });
}

function timeouts(timeout: Obj | undefined): UpstreamTimeouts | undefined {
  const http = obj(timeout?.http);
  return defined<UpstreamTimeouts>({
    connectMs: ms(obj(timeout?.tcp)?.connectTimeout),
    idleMs: ms(http?.connectionIdleTimeout),
    maxConnectionDurationMs: ms(http?.maxConnectionDuration),
    maxStreamDurationMs: ms(http?.maxStreamDuration),
  });
}

function dns(value: Obj | undefined): UpstreamDNS | undefined {
  if (!value) return undefined;
  return defined<UpstreamDNS>({
    refreshRateMs: ms(value.dnsRefreshRate),
    respectTtl: bool(value.respectDnsTtl),
    lookupFamily: str(value.lookupFamily) as UpstreamDNS['lookupFamily'],
  });
}

function tcpKeepalive(value: Obj | undefined): TCPKeepalive | undefined {
  if (!value) return undefined;
  // An empty tcpKeepalive turns keepalive on with the system's timings.
  return {
    ...defined<TCPKeepalive>({
      probes: int(value.probes),
      idleTimeSeconds: seconds(value.idleTime),
      intervalSeconds: seconds(value.interval),
    }),
  };
}

function seconds(value: unknown): number | undefined {
  const m = ms(value);
  return m === undefined ? undefined : Math.round(m / 1000);
}

function retry(value: Obj | undefined): Retry | undefined {
  if (!value) return undefined;
  const retryOn = obj(value.retryOn);
  const backOff = obj(obj(value.perRetry)?.backOff);
  // Without retryOn, Envoy Gateway retries connection failures, refused streams, gRPC
  // unavailable and cancelled, and 503.
  const codes = Array.isArray(retryOn?.httpStatusCodes)
    ? (retryOn.httpStatusCodes as unknown[]).filter((c): c is number => typeof c === 'number')
    : retryOn
      ? []
      : [503];
  const triggers = Array.isArray(retryOn?.triggers)
    ? (retryOn.triggers as unknown[]).filter((t): t is string => typeof t === 'string')
    : retryOn
      ? []
      : ['connect-failure', 'refused-stream', 'unavailable', 'cancelled'];
  const perPriority = int(value.numAttemptsPerPriority);
  return {
    attempts: int(value.numRetries) ?? 2,
    codes,
    // 0 (or none): every attempt goes to the highest healthy priority, as without it.
    ...(perPriority !== undefined && perPriority > 0 ? { attemptsPerPriority: perPriority } : {}),
    ...(triggers === undefined ? {} : { triggers }),
    ...(ms(backOff?.baseInterval) === undefined
      ? {}
      : { backoffMs: ms(backOff?.baseInterval) as number }),
    ...(ms(backOff?.maxInterval) === undefined
      ? {}
      : { maxBackoffMs: ms(backOff?.maxInterval) as number }),
  };
}

/** HTTP/2 towards the backends (`http2`). */
function upstreamHttp2(http2: Obj): NonNullable<DestinationTraffic['http2']> | undefined {
  const keepalive = obj(http2.connectionKeepalive);
  return defined({
    initialStreamWindowSize: parseQuantity(http2.initialStreamWindowSize),
    initialConnectionWindowSize: parseQuantity(http2.initialConnectionWindowSize),
    maxConcurrentStreams: int(http2.maxConcurrentStreams),
    connectionKeepalive: keepalive
      ? defined({
          intervalMs: ms(keepalive.interval),
          timeoutMs: ms(keepalive.timeout),
          intervalJitterPercent: int(keepalive.intervalJitter),
          idleIntervalMs: ms(keepalive.idleInterval),
        })
      : undefined,
    terminateStreamOnInvalidMessage:
      str(http2.onInvalidMessage) === 'TerminateStream' ? true : undefined,
  });
}

/**
 * The upgrades a route allows: `httpUpgrade` when given; else none where requests are buffered
 * (Envoy Gateway drops the default WebSocket upgrade then), else the default (absent).
 */
function httpUpgrades(spec: Obj): HTTPUpgrade[] | undefined {
  if (Array.isArray(spec.httpUpgrade))
    return list(spec.httpUpgrade).map((upgrade) => ({
      type: str(upgrade.type) ?? '',
      ...(obj(upgrade.connect)?.terminate === true ? { terminate: true } : {}),
    }));
  return spec.requestBuffer ? [] : undefined;
}

/** Seconds per rate limit unit (Envoy Gateway: a month is 30 days, a year 365). */
const UNIT_SECONDS: Record<string, number> = {
  Second: 1,
  Minute: 60,
  Hour: 3_600,
  Day: 86_400,
  Month: 2_592_000,
  Year: 31_536_000,
};

const rateLimitValue = (limit: Obj | undefined): RateLimitValue => ({
  requests: int(limit?.requests) ?? 0,
  unitSeconds: UNIT_SECONDS[str(limit?.unit) ?? 'Second'] ?? 1,
});

/** A `cost.request` / `cost.response` (from Number or Metadata), as the IR has it. */
function rateLimitCost(spec: Obj | undefined): RateLimitCost | undefined {
  if (spec === undefined) return undefined;
  if (spec.from === 'Metadata') {
    const metadata = obj(spec.metadata);
    return {
      metadata: { namespace: String(metadata?.namespace ?? ''), key: String(metadata?.key ?? '') },
    };
  }
  return { number: typeof spec.number === 'number' ? spec.number : 1 };
}

/** A rule's `cost`, when it sets one. */
export function ruleCost(rule: Obj): LocalRateLimitRule['cost'] {
  const request = rateLimitCost(obj(obj(rule.cost)?.request));
  const response = rateLimitCost(obj(obj(rule.cost)?.response));
  if (!request && !response) return undefined;
  return { ...(request ? { request } : {}), ...(response ? { response } : {}) };
}

export function localRateLimitRule(rule: Obj, sharedName?: string): LocalRateLimitRule {
  const cost = ruleCost(rule);
  const selectors = list(rule.clientSelectors);
  const headers = selectors.flatMap((s) => list(s.headers));
  const cidr = selectors.map((s) => obj(s.sourceCIDR)).find((c) => c !== undefined);
  const methods = selectors.flatMap((s) => list(s.methods));
  const path = selectors.map((s) => obj(s.path)).find((p) => p !== undefined);
  const queryParams = selectors.flatMap((s) => list(s.queryParams));
  return {
    headers: headers.map((h) => ({
      name: str(h.name) ?? '',
      type: (str(h.type) ?? 'Exact') as LocalRateLimitRule['headers'][number]['type'],
      ...(str(h.value) === undefined ? {} : { value: str(h.value) as string }),
      ...(h.invert === true ? { invert: true } : {}),
    })),
    ...(cidr
      ? {
          sourceCIDR: {
            cidr: str(cidr.value) ?? '0.0.0.0/0',
            distinct: str(cidr.type) === 'Distinct',
            ...(cidr.invert === true ? { invert: true } : {}),
          },
        }
      : {}),
    ...(methods.length > 0
      ? {
          methods: methods.map((m) => ({
            value: str(m.value) ?? 'GET',
            ...(m.invert === true ? { invert: true } : {}),
          })),
        }
      : {}),
    ...(path
      ? {
          path: {
            type: (str(path.type) ?? 'PathPrefix') as NonNullable<
              LocalRateLimitRule['path']
            >['type'],
            value: str(path.value) ?? '/',
            ...(path.invert === true ? { invert: true } : {}),
          },
        }
      : {}),
    ...(queryParams.length > 0
      ? {
          // Distinct query parameters are refused by validation.
          queryParams: queryParams.map((q) => ({
            name: str(q.name) ?? '',
            type: str(q.type) === 'RegularExpression' ? 'RegularExpression' : 'Exact',
            value: str(q.value) ?? '',
            ...(q.invert === true ? { invert: true } : {}),
          })),
        }
      : {}),
    limit: rateLimitValue(obj(rule.limit)),
    ...(rule.shadowMode === true ? { shadowMode: true } : {}),
    ...(cost ? { cost } : {}),
    ...(rule.shared === true && sharedName !== undefined ? { shared: sharedName } : {}),
    ...(rule.xRateLimitHeaders === undefined
      ? {}
      : { xRateLimitHeaders: rule.xRateLimitHeaders !== 'Off' }),
  };
}

function localRateLimit(rateLimit: Obj | undefined, policyKey: string): LocalRateLimit | undefined {
  const local = obj(rateLimit?.local);
  if (!local) return undefined;
  const rules = list(local.rules);
  const route = rules.find((r) => list(r.clientSelectors).length === 0);
  // Each rule with selectors carries its own xRateLimitHeaders (its rate limit's
  // x_ratelimit_option); the route-wide rule's sets the filter's switch for the default bucket.
  const headers = route?.xRateLimitHeaders;
  return {
    ...(route ? { default: rateLimitValue(obj(route.limit)) } : {}),
    rules: rules.flatMap((r, i) =>
      r === route ? [] : [localRateLimitRule(r, `${policyKey}/rule/${i}`)],
    ),
    ...(headers === undefined ? {} : { xRateLimitHeaders: headers !== 'Off' }),
  };
}

/**
 * The IR of one (merged) policy spec; `policyKey` names the policy (or policies merged) that
 * `shared` global rules count under.
 */
export function backendTraffic(spec: Obj, policyKey = ''): BackendTraffic {
  const timeout = obj(spec.timeout);
  const perRetryTimeout = ms(obj(obj(spec.retry)?.perRetry)?.timeout);
  const requestTimeout = ms(obj(timeout?.http)?.requestTimeout);
  const bufferLimit = parseQuantity(obj(spec.connection)?.bufferLimit);
  const preconnect = obj(obj(spec.connection)?.preconnect);
  const http2 = obj(spec.http2);
  const version = str(obj(spec.proxyProtocol)?.version);
  const destination =
    defined<DestinationTraffic>({
      circuitBreaker: circuitBreaker(obj(spec.circuitBreaker)),
      connection: defined({
        bufferLimitBytes: bufferLimit,
        socketBufferLimitBytes: parseQuantity(obj(spec.connection)?.socketBufferLimit),
        preconnect: preconnect
          ? defined({
              perEndpointPercent: int(preconnect.perEndpointPercent),
              predictivePercent: int(preconnect.predictivePercent),
            })
          : undefined,
      }),
      http2: http2 ? upstreamHttp2(http2) : undefined,
      useClientProtocol: bool(spec.useClientProtocol),
      loadBalancer: loadBalancer(obj(spec.loadBalancer)),
      healthCheck: healthCheck(obj(spec.healthCheck)),
      timeouts: timeouts(timeout),
      proxyProtocol: version === 'V1' || version === 'V2' ? version : undefined,
      dns: dns(obj(spec.dns)),
      tcpKeepalive: tcpKeepalive(obj(spec.tcpKeepalive)),
      admissionControl: admissionControl(obj(spec.admissionControl)),
    }) ?? {};
  const route =
    defined<RouteTraffic>({
      retry: retry(obj(spec.retry)),
      perTryTimeoutMs: perRetryTimeout,
      requestTimeoutMs: requestTimeout,
      streamIdleTimeoutMs: ms(obj(timeout?.http)?.streamIdleTimeout),
      localRateLimit: localRateLimit(obj(spec.rateLimit), policyKey),
      faultInjection: faultInjection(obj(spec.faultInjection)),
      compression: compression(spec),
      bandwidthLimit: bandwidthLimit(obj(spec.bandwidthLimit)),
      requestBuffer: requestBuffer(obj(spec.requestBuffer)),
      upgrades: httpUpgrades(spec),
      responseOverride: responseOverride(spec.responseOverride),
      globalRateLimit: globalRateLimit(obj(spec.rateLimit), policyKey),
      tracing: routeTracing(obj(obj(spec.telemetry)?.tracing)),
      statName: str(obj(obj(spec.telemetry)?.metrics)?.routeStatName),
    }) ?? {};
  return spec.routingType === 'Service' || spec.routingType === 'Endpoint'
    ? { destination, route, routingType: spec.routingType }
    : { destination, route };
}
