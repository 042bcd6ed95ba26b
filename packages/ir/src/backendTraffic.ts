// What a BackendTrafficPolicy changes on the clusters of a route (load balancing, health checks,
// upstream timeouts, PROXY protocol, DNS, TCP keepalive) and on the route itself (local rate
// limits). Durations are milliseconds. Absent fields take Envoy Gateway's defaults, applied by
// the xds-translator.
import { z } from 'zod';
import { DynamicModuleSourceSchema } from './dynamicModule.js';

/** Consistent hashing input (BackendTrafficPolicy `loadBalancer.consistentHash`). */
export const ConsistentHashSchema = z.object({
  /** Hash on the client address, request headers, a cookie or query parameters. */
  type: z.enum(['SourceIP', 'Header', 'Headers', 'Cookie', 'QueryParams']),
  /** Header names (Header, Headers). */
  headers: z.array(z.string()).optional(),
  /** Query parameter names (QueryParams). */
  queryParams: z.array(z.string()).optional(),
  /** The cookie (Cookie): Envoy sets it when the request lacks it and a TTL is given. */
  cookie: z
    .object({
      name: z.string(),
      ttlMs: z.number().optional(),
      attributes: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
  /** Maglev table size (a prime; default 65537). */
  tableSize: z.number().int().positive().optional(),
});
export type ConsistentHash = z.infer<typeof ConsistentHashSchema>;

/**
 * How requests spread over endpoint zones (BackendTrafficPolicy `loadBalancer.zoneAware`): prefer
 * the proxy's own zone (Envoy zone-aware routing), or weigh each zone.
 */
export const ZoneAwareSchema = z.object({
  preferLocal: z
    .object({
      /** Fewest endpoints in all zones for zone-aware routing to apply (Envoy's default 6). */
      minEndpoints: z.number().int().nonnegative().optional(),
      /** Percentage of requests routed zone-aware (default 100). */
      percentageEnabled: z.number().min(0).max(100).optional(),
      /** Keep every request in the local zone while it has at least this many endpoints. */
      forceMinEndpointsInZone: z.number().int().nonnegative().optional(),
    })
    .optional(),
  /** A weight per zone; zones not listed weigh 1. */
  weightedZones: z.array(z.object({ zone: z.string(), weight: z.number().int() })).optional(),
});
export type ZoneAware = z.infer<typeof ZoneAwareSchema>;

/** How a cluster picks an endpoint (BackendTrafficPolicy `loadBalancer`). */
export const LoadBalancerSchema = z.object({
  type: z.enum([
    'RoundRobin',
    'LeastRequest',
    'Random',
    'ConsistentHash',
    'BackendUtilization',
    'DynamicModule',
  ]),
  zoneAware: ZoneAwareSchema.optional(),
  /**
   * BackendUtilization: client-side weighted round robin, endpoint weights from the ORCA load
   * reports endpoints send in response headers, or on a stream of their own (`outOfBand`)
   * (`loadBalancer.backendUtilization`).
   */
  backendUtilization: z
    .object({
      blackoutPeriodMs: z.number().optional(),
      weightExpirationPeriodMs: z.number().optional(),
      weightUpdatePeriodMs: z.number().optional(),
      /** Error rate penalty, percent (100 = 1.0). */
      errorUtilizationPenaltyPercent: z.number().optional(),
      metricNamesForComputingUtilization: z.array(z.string()).optional(),
      /** Pass the ORCA headers on to the client (default: removed). */
      keepResponseHeaders: z.boolean().optional(),
      /**
       * Out-of-band reports: Envoy pulls them from each endpoint's ORCA service
       * (xds.service.orca.v3.OpenRcaService/StreamCoreMetrics) every `reportingPeriodMs`, on
       * `port` (default: the endpoint's) with `authority` as :authority when given.
       */
      outOfBand: z
        .object({
          reportingPeriodMs: z.number().optional(),
          port: z.number().int().optional(),
          authority: z.string().optional(),
        })
        .optional(),
    })
    .optional(),
  consistentHash: ConsistentHashSchema.optional(),
  /**
   * DynamicModule: the load balancer a dynamic module implements (`loadBalancer.dynamicModule`),
   * the module as the Gateway's EnvoyProxy registers it.
   */
  dynamicModule: DynamicModuleSourceSchema.extend({
    /** The module's name in the EnvoyProxy registry (`dynamicModule.name`). */
    module: z.string(),
    /** Which load balancer of the module picks (`lbPolicyName`). */
    lbPolicyName: z.string(),
    /** Its configuration as JSON text (`config`). */
    config: z.string().optional(),
  }).optional(),
  /** Slow start window for new endpoints (RoundRobin, LeastRequest). */
  slowStartWindowMs: z.number().optional(),
  /**
   * Request headers naming the endpoint (`IP:Port`, or several comma-separated) to send to when
   * it is one of the cluster's (`endpointOverride.extractFrom`); otherwise the policy above picks.
   */
  endpointOverrideHeaders: z.array(z.string()).optional(),
});
export type LoadBalancer = z.infer<typeof LoadBalancerSchema>;

/** Bytes a TCP health check sends or expects: text, or base64-encoded binary. */
export const HealthCheckPayloadSchema = z.object({
  text: z.string().optional(),
  binary: z.string().optional(),
});
export type HealthCheckPayload = z.infer<typeof HealthCheckPayloadSchema>;

/** Active health checking of a cluster's endpoints (`healthCheck.active`). */
export const ActiveHealthCheckSchema = z.object({
  timeoutMs: z.number(),
  intervalMs: z.number(),
  unhealthyThreshold: z.number().int(),
  healthyThreshold: z.number().int(),
  initialJitterMs: z.number().optional(),
  /** The endpoints' port the checks go to instead of the serving one (`overrides.port`). */
  port: z.number().int().optional(),
  /**
   * Health check events written to a file (`healthCheckLog`): every failure and every success
   * too when asked; otherwise Envoy logs the first failure of a series and healthy transitions.
   */
  eventLog: z
    .object({ path: z.string(), failures: z.boolean(), successes: z.boolean() })
    .optional(),
  http: z
    .object({
      path: z.string(),
      hostname: z.string().optional(),
      method: z.string().optional(),
      /** Statuses that count as healthy (default 200). */
      expectedStatuses: z.array(z.number().int()),
      /** Text the body must contain. */
      expectedResponse: HealthCheckPayloadSchema.optional(),
      /** Statuses that count against the unhealthy threshold but not at once as unhealthy. */
      retriableStatuses: z.array(z.number().int()).optional(),
      /** Body sent with each check. */
      requestBody: HealthCheckPayloadSchema.optional(),
    })
    .optional(),
  tcp: z
    .object({
      send: HealthCheckPayloadSchema.optional(),
      receive: HealthCheckPayloadSchema.optional(),
    })
    .optional(),
  grpc: z.object({ service: z.string().optional() }).optional(),
});
export type ActiveHealthCheck = z.infer<typeof ActiveHealthCheckSchema>;

/** Passive health checking: outlier detection (`healthCheck.passive`). */
export const OutlierDetectionSchema = z.object({
  splitExternalLocalOriginErrors: z.boolean().optional(),
  intervalMs: z.number().optional(),
  consecutiveLocalOriginFailures: z.number().int().optional(),
  consecutiveGatewayErrors: z.number().int().optional(),
  consecutive5xxErrors: z.number().int().optional(),
  baseEjectionTimeMs: z.number().optional(),
  maxEjectionPercent: z.number().int().optional(),
  /** Eject one endpoint even past maxEjectionPercent. */
  alwaysEjectOneEndpoint: z.boolean().optional(),
  /** Failure share (percent) over which an endpoint is ejected. */
  failurePercentageThreshold: z.number().int().optional(),
});
export type OutlierDetection = z.infer<typeof OutlierDetectionSchema>;

export const HealthCheckSchema = z.object({
  active: ActiveHealthCheckSchema.optional(),
  passive: OutlierDetectionSchema.optional(),
  /** Healthy share (percent) below which Envoy ignores health and uses every endpoint. */
  panicThresholdPercent: z.number().optional(),
});
export type HealthCheck = z.infer<typeof HealthCheckSchema>;

/** Timeouts towards a backend (`timeout.tcp`, `timeout.http` except the request timeout). */
export const UpstreamTimeoutsSchema = z.object({
  connectMs: z.number().optional(),
  idleMs: z.number().optional(),
  maxConnectionDurationMs: z.number().optional(),
  maxStreamDurationMs: z.number().optional(),
});
export type UpstreamTimeouts = z.infer<typeof UpstreamTimeoutsSchema>;

/** DNS resolution of hostname endpoints (`dns`). */
export const UpstreamDNSSchema = z.object({
  refreshRateMs: z.number().optional(),
  respectTtl: z.boolean().optional(),
  lookupFamily: z
    .enum(['IPv4', 'IPv6', 'IPv4Preferred', 'IPv6Preferred', 'IPv4AndIPv6'])
    .optional(),
});
export type UpstreamDNS = z.infer<typeof UpstreamDNSSchema>;

/** TCP keepalive on upstream connections (`tcpKeepalive`). */
export const TCPKeepaliveSchema = z.object({
  probes: z.number().int().optional(),
  idleTimeSeconds: z.number().int().optional(),
  intervalSeconds: z.number().int().optional(),
});
export type TCPKeepalive = z.infer<typeof TCPKeepaliveSchema>;

/** A token bucket: `requests` per `unitSeconds`. */
export const RateLimitValueSchema = z.object({
  requests: z.number().int().nonnegative(),
  unitSeconds: z.number().int().positive(),
});
export type RateLimitValue = z.infer<typeof RateLimitValueSchema>;

/** A request header a local rate limit rule selects on (Distinct: one bucket per value). */
export const RateLimitHeaderMatchSchema = z.object({
  name: z.string(),
  type: z.enum(['Exact', 'RegularExpression', 'Distinct']),
  value: z.string().optional(),
  invert: z.boolean().optional(),
});
export type RateLimitHeaderMatch = z.infer<typeof RateLimitHeaderMatchSchema>;

/** A query parameter a rate limit rule selects on (local and global rules alike). */
export const QueryParamMatchSchema = z.object({
  name: z.string(),
  type: z.enum(['Exact', 'RegularExpression']),
  value: z.string(),
  invert: z.boolean().optional(),
});

/** A fixed number of hits, or the number in dynamic metadata `namespace`/`key`. */
export const RateLimitCostSchema = z.union([
  z.object({ number: z.number().int().nonnegative() }),
  z.object({ metadata: z.object({ namespace: z.string(), key: z.string() }) }),
]);
export type RateLimitCost = z.infer<typeof RateLimitCostSchema>;

/** One local rate limit rule: its selectors (all must match) and its limit. */
export const LocalRateLimitRuleSchema = z.object({
  headers: z.array(RateLimitHeaderMatchSchema),
  /** Client address range; distinct: one bucket per client address in it. */
  sourceCIDR: z
    .object({ cidr: z.string(), distinct: z.boolean(), invert: z.boolean().optional() })
    .optional(),
  methods: z.array(z.object({ value: z.string(), invert: z.boolean().optional() })).optional(),
  path: z
    .object({
      type: z.enum(['Exact', 'PathPrefix', 'RegularExpression']),
      value: z.string(),
      invert: z.boolean().optional(),
    })
    .optional(),
  /** Query parameters that must match (all of them); `invert`: must not match. */
  queryParams: z.array(QueryParamMatchSchema).optional(),
  limit: RateLimitValueSchema,
  /** Count, but never refuse (`shadowMode`). */
  shadowMode: z.boolean().optional(),
  /**
   * What one request takes from the bucket (`cost`): `request` when it arrives (default 1), and
   * (global rules only) `response` once the stream is done.
   */
  cost: z
    .object({ request: RateLimitCostSchema.optional(), response: RateLimitCostSchema.optional() })
    .optional(),
  /**
   * `shared`: one bucket for every route the policy reaches on a listener, not one per route;
   * its name (`<policy namespace>/<policy name>/rule/<i>`).
   */
  shared: z.string().optional(),
  /**
   * This rule's `xRateLimitHeaders`: whether its x-ratelimit-* headers are sent, over the
   * listener's setting (Envoy's per-rate-limit x_ratelimit_option).
   */
  xRateLimitHeaders: z.boolean().optional(),
});
export type LocalRateLimitRule = z.infer<typeof LocalRateLimitRuleSchema>;

/** Local (per-proxy) rate limiting of a route (`rateLimit.local`). */
export const LocalRateLimitSchema = z.object({
  /** The route-wide bucket (the rule without selectors); absent: unlimited. */
  default: RateLimitValueSchema.optional(),
  rules: z.array(LocalRateLimitRuleSchema),
  /** Send `x-ratelimit-*` response headers (default true; ClientTrafficPolicy can turn them off). */
  headers: z.boolean().optional(),
  /** The route-wide rule's own `xRateLimitHeaders` (the default bucket's), over `headers`. */
  xRateLimitHeaders: z.boolean().optional(),
});
export type LocalRateLimit = z.infer<typeof LocalRateLimitSchema>;

/** Faults injected into a route's requests (`faultInjection`); percentages 0–100 (default 100). */
export const FaultInjectionSchema = z.object({
  delay: z.object({ fixedDelayMs: z.number(), percentage: z.number().optional() }).optional(),
  abort: z
    .object({
      httpStatus: z.number().int().optional(),
      grpcStatus: z.number().int().optional(),
      percentage: z.number().optional(),
    })
    .optional(),
});
export type FaultInjection = z.infer<typeof FaultInjectionSchema>;

/** One response compression a route offers (`compression`, `compressor`). */
export const CompressionSchema = z.object({
  type: z.enum(['Gzip', 'Brotli', 'Zstd']),
  /** Smallest response body compressed, in bytes (absent: Envoy's 30). */
  minContentLengthBytes: z.number().int().positive().optional(),
});
export type Compression = z.infer<typeof CompressionSchema>;

/** A transfer rate in KiB per second (Envoy's bandwidth_limit unit). */
export const BandwidthSchema = z.object({ kibPerSecond: z.number().int().positive() });

/** Bandwidth limits of a route's request and response bodies (`bandwidthLimit`). */
export const BandwidthLimitSchema = z.object({
  request: BandwidthSchema.optional(),
  response: BandwidthSchema.extend({
    /** Prefix of the response trailers reporting the delays (absent: no trailers). */
    trailerPrefix: z.string().optional(),
  }).optional(),
});
export type BandwidthLimit = z.infer<typeof BandwidthLimitSchema>;

/**
 * Admission control (`admissionControl`): Envoy rejects a share of requests, growing as the
 * backend's success rate over the sampling window falls below `minSuccessPercent`.
 */
export const AdmissionControlSchema = z.object({
  samplingWindowMs: z.number().optional(),
  minSuccessPercent: z.number().optional(),
  aggression: z.number().optional(),
  /** Requests per second below which nothing is rejected. */
  minRequestRate: z.number().int().optional(),
  maxRejectionPercent: z.number().optional(),
  /** HTTP statuses that count as success (absent: Envoy Gateway's default, below 500). */
  httpSuccessStatuses: z.array(z.number().int()).optional(),
  /** gRPC status codes (numbers) that count as success. */
  grpcSuccessStatuses: z.array(z.number().int()).optional(),
});
export type AdmissionControl = z.infer<typeof AdmissionControlSchema>;

/**
 * A protocol upgrade a route allows (`httpUpgrade`): `websocket`, `CONNECT`, `spdy/3.1`...; for
 * CONNECT, `terminate` makes Envoy answer it and forward the payload as raw TCP.
 */
export const HTTPUpgradeSchema = z.object({
  type: z.string(),
  terminate: z.boolean().optional(),
});
export type HTTPUpgrade = z.infer<typeof HTTPUpgradeSchema>;

/** Request bodies buffered whole before going upstream, up to `limitBytes` (`requestBuffer`). */
export const RequestBufferSchema = z.object({ limitBytes: z.number().int().positive() });
export type RequestBuffer = z.infer<typeof RequestBufferSchema>;

/** A response header a response override matches on (`responseOverride.match.responseHeaders`). */
export const ResponseHeaderMatchSchema = z.object({
  name: z.string(),
  type: z.enum(['Exact', 'Prefix', 'Suffix', 'RegularExpression']),
  value: z.string(),
});

/**
 * One response override (`responseOverride`): when the response's status is one of `statusCodes`
 * (a value, or an inclusive range), every header matches and it comes from `source`, Envoy
 * answers `response` instead, or with `redirect` sends the request on to another location.
 */
export const ResponseOverrideSchema = z.object({
  /** `Local`: only Envoy's own answers; `Backend`: only upstream ones; absent: both. */
  source: z.enum(['Local', 'Backend']).optional(),
  /**
   * Where the request goes instead (Envoy's custom response redirect policy: an internal
   * redirect whose answer is returned); absent parts keep the request's.
   */
  redirect: z
    .object({
      scheme: z.string().optional(),
      hostname: z.string().optional(),
      port: z.number().int().optional(),
      /** The new full path. */
      path: z.string().optional(),
      statusCode: z.number().int(),
    })
    .optional(),
  statusCodes: z.array(
    z.object({
      value: z.number().int().optional(),
      range: z.object({ start: z.number().int(), end: z.number().int() }).optional(),
    }),
  ),
  responseHeaders: z.array(ResponseHeaderMatchSchema),
  response: z.object({
    /** New status (absent: the original one). */
    statusCode: z.number().int().optional(),
    contentType: z.string().optional(),
    /** Body, with Envoy's command operators (`%RESPONSE_CODE%`); ConfigMap bodies resolved. */
    body: z.string().optional(),
    addHeaders: z.array(z.object({ name: z.string(), value: z.string() })),
    setHeaders: z.array(z.object({ name: z.string(), value: z.string() })),
  }),
});
export type ResponseOverride = z.infer<typeof ResponseOverrideSchema>;
