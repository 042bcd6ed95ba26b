// One Envoy Cluster (and its ClusterLoadAssignment) for one or more weighted backend groups:
// EDS for IP endpoints, STRICT_DNS for hostnames; HTTP/2 (h2 over TLS, h2c without) for
// HTTP2/GRPC backends, HTTP/1.1 or h2 by ALPN over TLS otherwise; upstream TLS from
// BackendTLSPolicy; buffer limit and circuit breakers from the route's traffic settings
// (https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/cluster/v3/cluster.proto).
import {
  Address,
  Cluster,
  Cluster_DiscoveryType,
  Cluster_DnsLookupFamily,
  Cluster_LbPolicy,
  type ClusterLoadAssignment,
  DynamicForwardProxyClusterConfig,
  HealthStatus,
  HttpProtocolOptions,
  type LbEndpoint,
  type LocalityLbEndpoints,
  packAny,
  RoutingPriority,
} from '@egts/envoy-api';
import type { DestinationSetting, RouteDestination } from '@egts/ir';
import { circuitBreaker, clusterBufferLimitBytes, http2Settings } from '../defaults.js';
import { moduleResolved } from '../dynamicModules/loadBalancer.js';
import { addModuleFetchCluster } from '../dynamicModules/moduleSource.js';
import { preserveCase } from '../listener/clientTraffic.js';
import { adsConfigSource, durationMs, shared, socketAddress, typedConfig } from '../protoValues.js';
import type { ResourceSet } from '../resourceSet.js';
import { admissionControlFilters } from './admissionControl.js';
import {
  clusterTraffic,
  dnsSettings,
  panicThreshold,
  withProxyProtocol,
} from './clusterTraffic.js';
import { upstreamTlsSocket } from './upstreamTls.js';
import { type ZoneAware, zoneWeight } from './zoneAware.js';

const HTTP_PROTOCOL_OPTIONS = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';

/** Cluster fields as partial values (nested messages not yet complete). */
type Fields = { -readonly [K in keyof Cluster]?: unknown };

const isHttp2 = (setting: DestinationSetting): boolean =>
  setting.protocol === 'HTTP2' || setting.protocol === 'GRPC';

/** What a route's traffic settings change on its clusters. */
export type ClusterTraffic = Pick<
  RouteDestination,
  | 'circuitBreaker'
  | 'connection'
  | 'http2'
  | 'loadBalancer'
  | 'healthCheck'
  | 'timeouts'
  | 'proxyProtocol'
  | 'dns'
  | 'tcpKeepalive'
  | 'useClientProtocol'
  | 'preserveHeaderCase'
  | 'admissionControl'
  | 'statName'
  | 'trackStats'
>;

const TRAFFIC_FIELDS = [
  'circuitBreaker',
  'connection',
  'http2',
  'loadBalancer',
  'healthCheck',
  'timeouts',
  'proxyProtocol',
  'dns',
  'tcpKeepalive',
  'useClientProtocol',
  'preserveHeaderCase',
  'admissionControl',
  'statName',
  'trackStats',
] as const satisfies readonly (keyof ClusterTraffic)[];

const sameTraffic = (a: ClusterTraffic, b: ClusterTraffic): boolean =>
  TRAFFIC_FIELDS.every((field) => a[field] === b[field]);

/**
 * Limits of upstream HTTP connections (BackendTrafficPolicy timeouts and circuit breaker):
 * idle timeout, connection and stream lifetimes, requests per connection
 * (https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/core/v3/protocol.proto#config-core-v3-httpprotocoloptions).
 */
const commonHttpOptions = (traffic: ClusterTraffic) => {
  const t = traffic.timeouts;
  const perConnection = traffic.circuitBreaker?.maxRequestsPerConnection;
  // Most clusters set none of them: nothing built (this runs for every HTTP cluster).
  if (
    t?.idleMs === undefined &&
    t?.maxConnectionDurationMs === undefined &&
    t?.maxStreamDurationMs === undefined &&
    perConnection === undefined
  )
    return undefined;
  return {
    ...(t?.idleMs === undefined ? {} : { idleTimeout: durationMs(t.idleMs) }),
    ...(t?.maxConnectionDurationMs === undefined
      ? {}
      : { maxConnectionDuration: durationMs(t.maxConnectionDurationMs) }),
    ...(t?.maxStreamDurationMs === undefined
      ? {}
      : { maxStreamDuration: durationMs(t.maxStreamDurationMs) }),
    ...(perConnection === undefined ? {} : { maxRequestsPerConnection: perConnection }),
  };
};

/**
 * HTTP/2 towards the backend: the flow-control windows always, a stream limit only when a
 * policy sets one (https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/core/v3/protocol.proto#config-core-v3-http2protocoloptions).
 */
const upstreamHttp2 = (traffic: ClusterTraffic) => {
  const http2 = http2Settings(traffic.http2);
  const keepalive = traffic.http2?.connectionKeepalive;
  return {
    initialStreamWindowSize: http2.initialStreamWindowSize,
    initialConnectionWindowSize: http2.initialConnectionWindowSize,
    ...(traffic.http2?.maxConcurrentStreams === undefined
      ? {}
      : { maxConcurrentStreams: traffic.http2.maxConcurrentStreams }),
    ...(keepalive === undefined ? {} : { connectionKeepalive: keepaliveOf(keepalive) }),
    ...(traffic.http2?.terminateStreamOnInvalidMessage
      ? { overrideStreamErrorOnInvalidHttpMessage: true }
      : {}),
  };
};

/** PING keepalive (Http2ProtocolOptions.connection_keepalive). */
const keepaliveOf = (
  keepalive: NonNullable<NonNullable<ClusterTraffic['http2']>['connectionKeepalive']>,
) => ({
  ...(keepalive.intervalMs === undefined ? {} : { interval: durationMs(keepalive.intervalMs) }),
  ...(keepalive.timeoutMs === undefined ? {} : { timeout: durationMs(keepalive.timeoutMs) }),
  ...(keepalive.intervalJitterPercent === undefined
    ? {}
    : { intervalJitter: { value: keepalive.intervalJitterPercent } }),
  ...(keepalive.idleIntervalMs === undefined
    ? {}
    : { connectionIdleInterval: durationMs(keepalive.idleIntervalMs) }),
});

/**
 * The upstream protocol: h2 for HTTP2/GRPC backends; over TLS without them, whatever ALPN picks
 * (h2 or HTTP/1.1); otherwise Envoy's default, HTTP/1.1
 * (https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/upstreams/http/v3/http_protocol_options.proto).
 */
const protocolOptions = (
  http2: boolean,
  tls: boolean,
  traffic: ClusterTraffic,
  http: boolean,
  /** SNI from the request's Host; `verify`: the certificate checked against it too. */
  autoSni?: { verify: boolean },
) => {
  const common = http ? commonHttpOptions(traffic) : undefined;
  const downstream = http && traffic.useClientProtocol === true;
  const keepCase = http && traffic.preserveHeaderCase === true;
  const admission = http ? traffic.admissionControl : undefined;
  if (!http2 && !tls && !downstream && !keepCase && common === undefined && !admission) return {};
  // HTTP/1 towards the backend; with preserveHeaderCase, header names as the client wrote them.
  const http1 = keepCase ? { headerKeyFormat: preserveCase() } : {};
  // useClientProtocol: HTTP/1.1 or HTTP/2 as the client spoke.
  const config = downstream
    ? {
        useDownstreamProtocolConfig: {
          httpProtocolOptions: http1,
          http2ProtocolOptions: upstreamHttp2(traffic),
        },
      }
    : !http2 && !tls
      ? { explicitHttpConfig: { httpProtocolOptions: http1 } }
      : http2
        ? { explicitHttpConfig: { http2ProtocolOptions: upstreamHttp2(traffic) } }
        : {
            autoConfig: {
              httpProtocolOptions: http1,
              http2ProtocolOptions: upstreamHttp2(traffic),
            },
          };
  const options = {
    ...config,
    ...(common === undefined ? {} : { commonHttpProtocolOptions: common }),
    // SNI from the request's Host, and (unless verification is off) the certificate checked against it.
    ...(autoSni && http
      ? { upstreamHttpProtocolOptions: { autoSni: true, autoSanValidation: autoSni.verify } }
      : {}),
    ...(admission ? { httpFilters: admissionControlFilters(admission) } : {}),
  };
  return {
    typedExtensionProtocolOptions: {
      [HTTP_PROTOCOL_OPTIONS]: packAny(
        HttpProtocolOptions,
        HttpProtocolOptions.fromPartial(options),
      ),
    },
  };
};

/**
 * Connections opened ahead of need (`connection.preconnect`): percentages become Envoy's ratios
 * (https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/cluster/v3/cluster.proto#config-cluster-v3-cluster-preconnectpolicy).
 */
const preconnectPolicy = (traffic: ClusterTraffic) => {
  const preconnect = traffic.connection?.preconnect;
  if (preconnect === undefined) return {};
  return {
    preconnectPolicy: {
      ...(preconnect.perEndpointPercent === undefined
        ? {}
        : { perUpstreamPreconnectRatio: preconnect.perEndpointPercent / 100 }),
      ...(preconnect.predictivePercent === undefined
        ? {}
        : { predictivePreconnectRatio: preconnect.predictivePercent / 100 }),
    },
  };
};

/** Circuit breaker thresholds for the default priority. */
const circuitBreakers = (traffic: ClusterTraffic) => {
  const limits = circuitBreaker(traffic.circuitBreaker);
  return {
    thresholds: [
      {
        priority: RoutingPriority.DEFAULT,
        ...(limits.maxConnections === undefined ? {} : { maxConnections: limits.maxConnections }),
        ...(limits.maxPendingRequests === undefined
          ? {}
          : { maxPendingRequests: limits.maxPendingRequests }),
        ...(limits.maxParallelRequests === undefined
          ? {}
          : { maxRequests: limits.maxParallelRequests }),
        ...(limits.maxParallelRetries === undefined
          ? {}
          : { maxRetries: limits.maxParallelRetries }),
        ...(limits.retryBudget === undefined
          ? {}
          : {
              retryBudget: {
                budgetPercent: { value: limits.retryBudget.percent },
                ...(limits.retryBudget.minRetryConcurrency === undefined
                  ? {}
                  : { minRetryConcurrency: limits.retryBudget.minRetryConcurrency }),
              },
            }),
      },
    ],
    perHostThresholds:
      limits.perEndpointMaxConnections === undefined
        ? []
        : [
            {
              priority: RoutingPriority.DEFAULT,
              maxConnections: limits.perEndpointMaxConnections,
            },
          ],
  };
};

/**
 * The circuit breakers of every cluster without a policy's limits (most): one message shared by
 * them all rather than four objects per cluster.
 */
const DEFAULT_CIRCUIT_BREAKERS = shared(
  Cluster.fromPartial({ circuitBreakers: circuitBreakers({}) }).circuitBreakers,
);

/** Where EDS clusters get their endpoints: shared by them all (messages are never mutated). */
const ADS_CONFIG_SOURCE = shared(adsConfigSource());

/**
 * One endpoint; `healthCheckPort`: where active health checks go instead
 * (Endpoint.health_check_config). Written out whole, every field in the order and with the
 * values LbEndpoint.fromPartial and Endpoint.fromPartial give: a cold translation builds one per
 * endpoint, and fromPartial allocated each part twice (the partial, then its copy).
 */
const lbEndpoint = (
  endpoint: DestinationSetting['endpoints'][number],
  healthCheckPort?: number,
): LbEndpoint => ({
  endpoint: {
    // A Unix domain socket is a pipe address (config/core/v3/address.proto).
    address:
      endpoint.unixPath === undefined
        ? socketAddress(endpoint.host, endpoint.port)
        : Address.fromPartial({ pipe: { path: endpoint.unixPath, mode: 0 } }),
    healthCheckConfig:
      healthCheckPort === undefined
        ? undefined
        : {
            portValue: healthCheckPort,
            hostname: '',
            address: undefined,
            disableActiveHealthCheck: false,
          },
    // Used for a host rewrite from the backend (auto_host_rewrite), never to connect.
    hostname: endpoint.hostname ?? '',
    additionalAddresses: [],
  },
  endpointName: undefined,
  // Not-ready endpoints stay known to Envoy but take no traffic.
  healthStatus: endpoint.ready ? HealthStatus.HEALTHY : HealthStatus.UNHEALTHY,
  metadata: undefined,
  loadBalancingWeight: undefined,
});

const lbEndpoints = (endpoints: DestinationSetting['endpoints'], healthCheckPort?: number) =>
  endpoints.map((endpoint) => lbEndpoint(endpoint, healthCheckPort));

/**
 * A locality of `endpoints`: where it is, its weight and its priority, each when set. Written out
 * whole as LocalityLbEndpoints.fromPartial and Locality.fromPartial make it.
 */
const locality = (
  where: { readonly region: string } | { readonly zone: string } | undefined,
  weight: number | undefined,
  priority: number | undefined,
  endpoints: DestinationSetting['endpoints'],
  healthCheckPort: number | undefined,
): LocalityLbEndpoints => ({
  locality:
    where === undefined
      ? undefined
      : 'region' in where
        ? { region: where.region, zone: '', subZone: '' }
        : { region: '', zone: where.zone, subZone: '' },
  metadata: undefined,
  lbEndpoints: lbEndpoints(endpoints, healthCheckPort),
  loadBalancerEndpoints: undefined,
  ledsClusterLocalityConfig: undefined,
  loadBalancingWeight: weight,
  priority: priority ?? 0,
  proximity: undefined,
});

/**
 * The zones of `endpoints`, sorted (no zone first): none without endpoints (no locality at all);
 * most backends have one zone, or none.
 */
const zonesOf = (endpoints: DestinationSetting['endpoints']): (string | undefined)[] => {
  const [first] = endpoints;
  if (first === undefined) return [];
  if (endpoints.every((endpoint) => endpoint.zone === first.zone)) return [first.zone];
  return [...new Set(endpoints.map((endpoint) => endpoint.zone))].sort((a, b) =>
    (a ?? '') < (b ?? '') ? -1 : (a ?? '') > (b ?? '') ? 1 : 0,
  );
};

/**
 * Localities: with one backend group, one per endpoint zone; with several (a merged destination),
 * one per group weighted by its weight (locality-weighted load balancing,
 * https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/locality_weight).
 */
const localities = (
  settings: DestinationSetting[],
  healthCheckPort?: number,
  zoneAware?: ZoneAware,
): LocalityLbEndpoints[] => {
  if (settings.length > 1) {
    // Fallback groups (priority 1) serve when the others are unhealthy; Envoy needs priority 0
    // to exist, so a destination of fallbacks only keeps them all at 0.
    const prioritized = settings.some((setting) => (setting.priority ?? 0) === 0);
    return settings.map((setting) =>
      locality(
        { region: setting.name },
        setting.weight,
        prioritized && setting.priority ? setting.priority : undefined,
        setting.endpoints,
        healthCheckPort,
      ),
    );
  }
  const [setting] = settings;
  if (setting === undefined) return [];
  const zones = zonesOf(setting.endpoints);
  return zones.map((zone) =>
    locality(
      zone === undefined ? undefined : { zone },
      zoneWeight(zoneAware, zone),
      undefined,
      zones.length === 1
        ? setting.endpoints
        : setting.endpoints.filter((endpoint) => endpoint.zone === zone),
      healthCheckPort,
    ),
  );
};

/**
 * Adds cluster `name` serving `settings` (protocol and TLS from the first) to `out`. The same
 * setting objects give the same messages, so a route rebuilt around an unchanged destination
 * keeps its cluster objects (and the xDS server its encodings and sorted lists).
 */
export const addCluster = (
  name: string,
  settings: DestinationSetting[],
  out: ResourceSet,
  traffic: ClusterTraffic = {},
): void => {
  if (out.hasCluster(name)) return;
  // Not memoized: what it builds is not the whole of what the entry stands for; or one
  // translation (translateXds), which never asks again.
  if (out.endpointsOnly || !out.memo.remembers) {
    buildCluster(name, settings, out, traffic);
    return;
  }
  // Memoized under the first setting: the entry holds for the same name, mode, setting and
  // traffic objects.
  const built = out.memo.clusters;
  const first = settings[0];
  let entry = first === undefined ? undefined : built.get(first);
  if (
    entry === undefined ||
    entry.name !== name ||
    entry.mode !== out.mode ||
    !sameTraffic(entry.traffic, traffic) ||
    entry.settings.length !== settings.length ||
    entry.settings.some((setting, i) => setting !== settings[i])
  ) {
    const own = out.nested();
    buildCluster(name, settings, own, traffic);
    entry = { name, mode: out.mode, settings: [...settings], traffic, added: own.toResources() };
    const cluster = entry.added.clusters.find((c) => c.name === name);
    if (cluster !== undefined)
      for (const secret of entry.added.secrets) out.memo.clusterOfSecret.set(secret, cluster);
    if (first !== undefined) built.set(first, entry);
  }
  out.addResources(entry.added);
};

const buildCluster = (
  name: string,
  settings: DestinationSetting[],
  out: ResourceSet,
  traffic: ClusterTraffic,
): void => {
  const first = settings[0];
  const dynamic = first?.dynamicResolver === true;
  const dns = !dynamic && settings.some((setting) => setting.addressType !== 'IP');
  // Written out whole, as ClusterLoadAssignment.fromPartial makes it, with complete localities
  // (fromPartial would copy every endpoint again).
  const assignment: ClusterLoadAssignment = {
    clusterName: name,
    endpoints: localities(
      settings,
      traffic.healthCheck?.active?.port,
      traffic.loadBalancer?.zoneAware,
    ),
    namedEndpoints: {},
    policy: undefined,
  };
  // An EDS cluster holds no endpoints: an endpoint update needs its assignment only.
  if (out.endpointsOnly && !dns && !dynamic && out.mode === 'ads') {
    out.addEndpoints(assignment);
    return;
  }
  const http2 = first !== undefined && isHttp2(first);
  const httpProtocol = first !== undefined && (first.protocol === 'HTTP' || isHttp2(first));
  const type = dynamic
    ? undefined
    : dns
      ? Cluster_DiscoveryType.STRICT_DNS
      : out.mode === 'ads'
        ? Cluster_DiscoveryType.EDS
        : Cluster_DiscoveryType.STATIC;
  const { connectTimeout, lbPolicy, ...policy } = clusterTraffic(
    traffic,
    name,
    settings.length > 1,
  );
  // The fields few clusters have (policies, TLS, DNS, HTTP/2, a dynamic resolver), as partial
  // values: completed by one Cluster.fromPartial of them alone, when there are any. What every
  // cluster has is placed complete in the message below; fromPartial of the whole cluster read
  // its fifty fields from a partial of varying shape, for each cluster of a cold translation.
  const rare: Fields = policy;
  if (dynamic) Object.assign(rare, dynamicForwardProxy(name, traffic));
  if (dns)
    Object.assign(
      rare,
      { dnsLookupFamily: Cluster_DnsLookupFamily.V4_PREFERRED },
      dnsSettings(traffic.dns),
    );
  if (settings.length > 1 || traffic.healthCheck?.panicThresholdPercent !== undefined)
    rare.commonLbConfig = {
      // A typed load balancer (zone-aware, a module's, ...) takes no common locality
      // config: Envoy refuses the pair; a zone-aware one carries the weights itself.
      ...(settings.length > 1 && policy.loadBalancingPolicy === undefined
        ? { localityWeightedLbConfig: {} }
        : {}),
      ...panicThreshold(traffic),
    };
  Object.assign(
    rare,
    protocolOptions(
      http2,
      first?.tls !== undefined,
      traffic,
      httpProtocol,
      first?.tls?.autoSni === true ? { verify: first.tls.insecureSkipVerify !== true } : undefined,
    ),
  );
  if (traffic.circuitBreaker !== undefined) rare.circuitBreakers = circuitBreakers(traffic);
  if (traffic.connection?.socketBufferLimitBytes !== undefined)
    rare.upstreamBindConfig = {
      socketOptions: [upstreamReceiveBuffer(traffic.connection.socketBufferLimitBytes)],
    };
  Object.assign(rare, preconnectPolicy(traffic));
  const socket = withProxyProtocol(
    first?.protocol === 'UDP' ? undefined : traffic.proxyProtocol,
    first?.tls === undefined ? undefined : upstreamTlsSocket(first.tls, http2 ? ['h2'] : [], out),
  );
  if (socket !== undefined) rare.transportSocket = socket;
  const done =
    Object.keys(rare).length > 0 ? Cluster.fromPartial(rare as Partial<Cluster>) : undefined;
  // Every field in Cluster.fromPartial's order, with its values; those of `rare` default as it
  // defaults them.
  const cluster: Cluster = {
    transportSocketMatches: done?.transportSocketMatches ?? [],
    name,
    altStatName: done?.altStatName ?? '',
    type,
    clusterType: done?.clusterType,
    // One config source for every EDS cluster.
    edsClusterConfig:
      type === Cluster_DiscoveryType.EDS
        ? { edsConfig: ADS_CONFIG_SOURCE, serviceName: name }
        : undefined,
    connectTimeout,
    perConnectionBufferLimitBytes: clusterBufferLimitBytes(traffic.connection?.bufferLimitBytes),
    // The dynamic forward proxy picks its hosts itself.
    lbPolicy: dynamic ? Cluster_LbPolicy.CLUSTER_PROVIDED : (lbPolicy ?? 0),
    // Complete, placed as it is (fromPartial would copy every endpoint again).
    loadAssignment: dns || type === Cluster_DiscoveryType.STATIC ? assignment : undefined,
    healthChecks: done?.healthChecks ?? [],
    maxRequestsPerConnection: done?.maxRequestsPerConnection,
    circuitBreakers: done?.circuitBreakers ?? DEFAULT_CIRCUIT_BREAKERS,
    upstreamHttpProtocolOptions: done?.upstreamHttpProtocolOptions,
    commonHttpProtocolOptions: done?.commonHttpProtocolOptions,
    httpProtocolOptions: done?.httpProtocolOptions,
    http2ProtocolOptions: done?.http2ProtocolOptions,
    typedExtensionProtocolOptions: done?.typedExtensionProtocolOptions ?? {},
    dnsRefreshRate: done?.dnsRefreshRate,
    dnsFailureRefreshRate: done?.dnsFailureRefreshRate,
    respectDnsTtl: done?.respectDnsTtl ?? false,
    dnsLookupFamily: done?.dnsLookupFamily ?? 0,
    dnsResolvers: done?.dnsResolvers ?? [],
    useTcpForDnsLookups: done?.useTcpForDnsLookups ?? false,
    dnsResolutionConfig: done?.dnsResolutionConfig,
    typedDnsResolverConfig: done?.typedDnsResolverConfig,
    waitForWarmOnInit: done?.waitForWarmOnInit,
    outlierDetection: done?.outlierDetection,
    cleanupInterval: done?.cleanupInterval,
    upstreamBindConfig: done?.upstreamBindConfig,
    lbSubsetConfig: done?.lbSubsetConfig,
    ringHashLbConfig: done?.ringHashLbConfig,
    maglevLbConfig: done?.maglevLbConfig,
    originalDstLbConfig: done?.originalDstLbConfig,
    leastRequestLbConfig: done?.leastRequestLbConfig,
    roundRobinLbConfig: done?.roundRobinLbConfig,
    commonLbConfig: done?.commonLbConfig,
    transportSocket: done?.transportSocket,
    metadata: done?.metadata,
    protocolSelection: done?.protocolSelection ?? 0,
    upstreamConnectionOptions: done?.upstreamConnectionOptions,
    closeConnectionsOnHostHealthFailure: done?.closeConnectionsOnHostHealthFailure ?? false,
    ignoreHealthOnHostRemoval: done?.ignoreHealthOnHostRemoval ?? false,
    filters: done?.filters ?? [],
    loadBalancingPolicy: done?.loadBalancingPolicy,
    lrsServer: done?.lrsServer,
    lrsReportEndpointMetrics: done?.lrsReportEndpointMetrics ?? [],
    trackTimeoutBudgets: done?.trackTimeoutBudgets ?? false,
    upstreamConfig: done?.upstreamConfig,
    trackClusterStats: done?.trackClusterStats,
    preconnectPolicy: done?.preconnectPolicy,
    connectionPoolPerDownstreamConnection: done?.connectionPoolPerDownstreamConnection ?? false,
  };
  out.addCluster(cluster);
  if (!dns && !dynamic) out.addEndpoints(assignment);
  // A load balancer module Envoy fetches: the cluster it is fetched over.
  const lb = traffic.loadBalancer;
  if (moduleResolved(lb)) addModuleFetchCluster(lb.dynamicModule, out);
};

/**
 * A DynamicResolver Backend: Envoy's dynamic forward proxy cluster, which resolves the host each
 * request names through a DNS cache of its own (named after the cluster, refreshed every 30s
 * unless the route's DNS settings say otherwise), as Envoy Gateway emits it
 * (https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/clusters/dynamic_forward_proxy/v3/cluster.proto).
 */
/** SO_RCVBUF (SOL_SOCKET 1, option 8) of each upstream socket: the kernel's receive buffer. */
const upstreamReceiveBuffer = (bytes: number) =>
  ({ description: '', level: 1, name: 8, intValue: bytes, state: 0 }) as const;

const dynamicForwardProxy = (name: string, traffic: ClusterTraffic) => ({
  clusterType: typedConfig(
    'envoy.clusters.dynamic_forward_proxy',
    DynamicForwardProxyClusterConfig,
    DynamicForwardProxyClusterConfig.fromPartial({
      dnsCacheConfig: dynamicForwardProxyDnsCache(name, traffic),
    }),
  ),
});

/**
 * The DNS cache of the dynamic forward proxy cluster `name`. Whatever else resolves hosts for that
 * cluster (the SNI dynamic forward proxy filter) must name the same cache with the same settings:
 * Envoy shares one cache per name, and refuses two configs under one name.
 */
export const dynamicForwardProxyDnsCache = (name: string, traffic: ClusterTraffic) => ({
  name,
  dnsLookupFamily: Cluster_DnsLookupFamily.V4_PREFERRED,
  dnsRefreshRate: durationMs(traffic.dns?.refreshRateMs ?? 30_000),
});
