// Global rate limits (BackendTrafficPolicy `rateLimit.global`) with Envoy's rate limit filter,
// which asks the Envoy Rate Limit Service over gRPC
// (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/rate_limit_filter).
// Each rule is one of the route's rate_limits: a generic_key entry naming the rule's counter, then
// the entries of its client selectors (the local rate limit's, so both read selectors alike).
// They run at stage 1, apart from the local rate limit's stage 0, so neither filter sees the
// other's descriptors. The service's own configuration (rateLimitConfigs.ts) holds the limits.
import type { RouteAction } from '@egts/envoy-api';
import {
  ApiVersion,
  HttpFilter,
  packAny,
  RateLimitFilter,
  RateLimitFilterHeadersVersion,
} from '@egts/envoy-api';
import type { GlobalRateLimitRule, HTTPListener, HTTPRouteIR, RouteDestination } from '@egts/ir';
import { addDestination } from '../cluster/destinationClusters.js';
import { durationMs } from '../protoValues.js';
import { type HttpFilterTranslator, routesOf } from './httpFilter.js';
import { type Entry, ruleParts } from './localRateLimit.js';

const NAME = 'envoy.filters.http.ratelimit';
/** The Rate Limit Service's cluster, as Envoy Gateway names it. */
export const RATE_LIMIT_CLUSTER = 'ratelimit_cluster';
/** Route rate_limits stage of global rules (the local rate limit filter uses 0). */
const STAGE = 1;

type RateLimit = RouteAction['rateLimits'][number];
type Action = RateLimit['actions'][number];

/** The actions of one rule and the descriptor entries they produce, in order. */
export function globalRuleParts(
  rule: GlobalRateLimitRule,
  index: number,
): { actions: Action[]; entries: Entry[] } {
  const selectors = ruleParts(rule, index);
  const key = rule.descriptorKey;
  // Query parameters: one entry each, produced only when it matches (or, inverted, does not).
  const queries = (rule.queryParams ?? []).map((query, i) => {
    const entry = { key: `rule-${index}-query-${i}`, value: `rule-${index}-query-${i}` };
    const stringMatch =
      query.type === 'RegularExpression'
        ? { safeRegex: { regex: query.value }, ignoreCase: false }
        : { exact: query.value, ignoreCase: false };
    const action = {
      queryParameterValueMatch: {
        descriptorKey: entry.key,
        descriptorValue: entry.value,
        expectMatch: query.invert !== true,
        queryParameters: [{ name: query.name, stringMatch }],
      },
    } as Action;
    return { action, entry };
  });
  return {
    actions: [
      { genericKey: { descriptorKey: key, descriptorValue: key } } as Action,
      ...selectors.actions,
      ...queries.map((q) => q.action),
    ],
    entries: [{ key, value: key }, ...selectors.entries, ...queries.map((q) => q.entry)],
  };
}

/** The route's rate_limits for its global rules. */
export const globalRateLimitActions = (route: HTTPRouteIR): RateLimit[] =>
  (route.globalRateLimit?.rules ?? []).map(
    (rule, i) => ({ stage: STAGE, actions: globalRuleParts(rule, i).actions }) as RateLimit,
  );

const isIp = (host: string) => /^[\d.]+$/.test(host) || host.includes(':');

const serviceDestination = (host: string, port: number): RouteDestination => ({
  name: RATE_LIMIT_CLUSTER,
  settings: [
    {
      name: RATE_LIMIT_CLUSTER,
      weight: 1,
      protocol: 'GRPC',
      addressType: isIp(host) ? 'IP' : 'FQDN',
      endpoints: [{ host, port, ready: true }],
    },
  ],
});

const serviceOf = (listeners: readonly HTTPListener[]) =>
  listeners.find((l) => l.rateLimitService !== undefined)?.rateLimitService;

export const globalRateLimitFilter: HttpFilterTranslator = {
  patchListener: (listeners) => {
    const service = serviceOf(listeners);
    if (service === undefined || !routesOf(listeners).some((r) => r.globalRateLimit)) return [];
    return [
      HttpFilter.fromPartial({
        name: NAME,
        typedConfig: packAny(
          RateLimitFilter,
          RateLimitFilter.fromPartial({
            domain: service.domain,
            stage: STAGE,
            ...(service.timeoutMs === undefined ? {} : { timeout: durationMs(service.timeoutMs) }),
            failureModeDeny: service.failClosed,
            enableXRatelimitHeaders: RateLimitFilterHeadersVersion.DRAFT_VERSION_03,
            rateLimitService: {
              grpcService: { envoyGrpc: { clusterName: RATE_LIMIT_CLUSTER } },
              transportApiVersion: ApiVersion.V3,
            },
          }),
        ),
      }),
    ];
  },
  addResources: (listener, out) => {
    const service = listener.rateLimitService;
    if (service === undefined || out.hasCluster(RATE_LIMIT_CLUSTER)) return;
    addDestination(serviceDestination(service.host, service.port), out);
  },
};
