// Global rate limits (BackendTrafficPolicy `rateLimit.global`) with Envoy's rate limit filter,
// which asks the Envoy Rate Limit Service over gRPC
// (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/rate_limit_filter).
// Each rule is one rate limit of the route's RateLimitPerRoute: a generic_key entry naming the
// rule's counter, then the entries of its client selectors (the local rate limit's, so both read
// selectors alike). The local rate limit keeps its rate_limits in its own config, so neither
// filter sees the other's descriptors. The service's own configuration (rateLimitConfigs.ts)
// holds the limits.
import { dirname } from 'node:path';
import {
  ApiVersion,
  HttpFilter,
  packAny,
  RateLimitFilter,
  RateLimitFilterHeadersVersion,
  RateLimitPerRoute,
  UpstreamTlsContext,
} from '@egts/envoy-api';
import type {
  GlobalRateLimitRule,
  HTTPListener,
  HTTPRouteIR,
  RateLimitService,
  RouteDestination,
  SdsFile,
} from '@egts/ir';
import { addDestination } from '../cluster/destinationClusters.js';
import { isIpAddress } from '../cluster/urlCluster.js';
import { durationMs } from '../protoValues.js';
import { type HttpFilterTranslator, routesOf } from './httpFilter.js';
import { type Entry, hitsAddend, ruleParts, xRateLimitOption } from './localRateLimit.js';

const NAME = 'envoy.filters.http.ratelimit';
/** The Rate Limit Service's cluster, as Envoy Gateway names it. */
export const RATE_LIMIT_CLUSTER = 'ratelimit_cluster';
/** The filter's stage: 1, so it never reads the route's own rate_limits (the local rate limit's, stage 0). */
const STAGE = 1;

type RateLimit = RateLimitPerRoute['rateLimits'][number];
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

/**
 * The route's rate_limits for its global rules: one per rule, adding its request cost, and for a
 * rule with a response cost a second one with the same descriptor applied when the stream is
 * done (https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/route/v3/route_components.proto#config-route-v3-ratelimit).
 */
const globalRateLimitActions = (route: HTTPRouteIR): RateLimit[] =>
  (route.globalRateLimit?.rules ?? []).flatMap((rule, i) => {
    const { actions } = globalRuleParts(rule, i);
    const { request, response } = rule.cost ?? {};
    // No stage: Envoy refuses stage and disable_key in a RateLimitPerRoute.
    const fromMetadata = rule.limitFromMetadata;
    const onRequest = {
      actions,
      ...(request ? { hitsAddend: hitsAddend(request) } : {}),
      // limit.fromMetadata: the descriptor's limit override, read per request.
      ...(fromMetadata
        ? {
            limit: {
              dynamicMetadata: {
                metadataKey: { key: fromMetadata.namespace, path: [{ key: fromMetadata.key }] },
              },
            },
          }
        : {}),
      ...xRateLimitOption(rule),
    } as RateLimit;
    if (response === undefined) return [onRequest];
    const onDone = {
      actions,
      hitsAddend: hitsAddend(response),
      applyOnStreamDone: true,
    } as RateLimit;
    return [onRequest, onDone];
  });

const serviceDestination = (host: string, port: number): RouteDestination => ({
  name: RATE_LIMIT_CLUSTER,
  settings: [
    {
      name: RATE_LIMIT_CLUSTER,
      weight: 1,
      protocol: 'GRPC',
      addressType: isIpAddress(host) ? 'IP' : 'FQDN',
      endpoints: [{ host, port, ready: true }],
    },
  ],
});

/** A secret read from a file-based SDS resource on the proxy (renewals reach a running Envoy). */
const sdsFile = (file: SdsFile) => ({
  name: file.name,
  sdsConfig: {
    pathConfigSource: { path: file.path, watchedDirectory: { path: dirname(file.path) } },
    resourceApiVersion: ApiVersion.V3,
  },
});

/**
 * mTLS to the service, as Envoy Gateway's rate limit cluster has it: the proxy's client
 * certificate, and the service's certificate checked against the control plane's CA.
 */
const serviceTlsSocket = (tls: NonNullable<RateLimitService['tls']>) => ({
  name: 'envoy.transport_sockets.tls',
  typedConfig: packAny(
    UpstreamTlsContext,
    UpstreamTlsContext.fromPartial({
      commonTlsContext: {
        tlsCertificateSdsSecretConfigs: [sdsFile(tls.certificate)],
        validationContextSdsSecretConfig: sdsFile(tls.trustedCa),
      },
    }),
  ),
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
            // No x-envoy-ratelimited on a 429, as Envoy Gateway configures the filter.
            disableXEnvoyRatelimitedHeader: true,
            // ClientTrafficPolicy headers.disableRateLimitHeaders turns the x-ratelimit-* off.
            enableXRatelimitHeaders: listeners.some((l) => l.headers?.disableRateLimitHeaders)
              ? RateLimitFilterHeadersVersion.OFF
              : RateLimitFilterHeadersVersion.DRAFT_VERSION_03,
            rateLimitService: {
              grpcService: { envoyGrpc: { clusterName: RATE_LIMIT_CLUSTER } },
              transportApiVersion: ApiVersion.V3,
            },
          }),
        ),
      }),
    ];
  },
  // Per route (RateLimitPerRoute), not in the route's rate_limits: only this path honors
  // hits_addend and apply_on_stream_done (the cost), as Envoy Gateway configures it.
  patchRoute: (route) => {
    const rateLimits = globalRateLimitActions(route);
    if (rateLimits.length === 0) return undefined;
    return { [NAME]: packAny(RateLimitPerRoute, RateLimitPerRoute.fromPartial({ rateLimits })) };
  },
  addResources: (listener, out) => {
    const service = listener.rateLimitService;
    if (service === undefined || out.hasCluster(RATE_LIMIT_CLUSTER)) return;
    const { tls } = service;
    if (tls === undefined) {
      addDestination(serviceDestination(service.host, service.port), out);
      return;
    }
    const own = out.nested();
    addDestination(serviceDestination(service.host, service.port), own);
    const built = own.toResources();
    for (const cluster of built.clusters)
      out.addCluster(
        cluster.name === RATE_LIMIT_CLUSTER
          ? { ...cluster, transportSocket: serviceTlsSocket(tls) }
          : cluster,
      );
    for (const endpoints of built.endpoints) out.addEndpoints(endpoints);
  },
};
