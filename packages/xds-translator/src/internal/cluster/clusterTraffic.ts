// What a BackendTrafficPolicy sets on a cluster: load balancer, active health checks, outlier
// detection, panic threshold, connect timeout, DNS, TCP keepalive, per-endpoint connection limits,
// upstream HTTP connection limits and the upstream PROXY protocol
// (https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/cluster/v3/cluster.proto). Absent
// settings keep Envoy Gateway's defaults (least request, 10 s connect timeout).
import {
  type Any,
  type Cluster,
  Cluster_DnsLookupFamily,
  Cluster_LbPolicy,
  HealthCheckEventFileSink,
  LeastRequest,
  Maglev,
  OverrideHost,
  ProxyProtocolConfig_Version,
  ProxyProtocolUpstreamTransport,
  packAny,
  Random,
  RawBuffer,
  RequestMethod,
  RoundRobin,
} from '@egts/envoy-api';
import type { ActiveHealthCheck, HealthCheckPayload, RouteDestination } from '@egts/ir';
import { moduleLoadBalancerPolicy, moduleResolved } from '../dynamicModules/loadBalancer.js';
import { durationMs, typedConfig } from '../protoValues.js';
import { backendUtilizationPolicy } from './backendUtilization.js';
import { localityLbConfig } from './zoneAware.js';

/**
 * Cluster fields, nested messages partial as Cluster.fromPartial fills them in (the generated
 * types name every nested field as required, so partial nested values are typed loosely here).
 */
type Fields = { readonly [K in keyof Cluster]?: unknown };
type TransportSocket = NonNullable<Cluster['transportSocket']>;
const asCluster = (fields: Fields): Partial<Cluster> => fields as Partial<Cluster>;

const CONNECT_TIMEOUT_MS = 10_000;
/** Envoy Gateway's Maglev table size when a policy does not set one. */
const MAGLEV_TABLE_SIZE = 65_537;

/**
 * The cluster's load balancer: the policy, behind an endpoint override when one is set; as a
 * typed policy (load_balancing_policy) when it balances by locality, whose config only that form
 * carries. `grouped`: the cluster's localities are weighted backend groups.
 */
function loadBalancer(lb: RouteDestination['loadBalancer'], grouped: boolean): Fields {
  const headers = lb?.endpointOverrideHeaders;
  if (lb !== undefined && headers !== undefined) return overrideHost(lb, headers, grouped);
  const typed = lb?.type === 'BackendUtilization' || moduleResolved(lb);
  if (lb?.zoneAware === undefined && !typed) return lbPolicy(lb);
  return {
    loadBalancingPolicy: { policies: [{ typedExtensionConfig: typedPolicy(lb, grouped) }] },
  };
}

/**
 * Endpoint override: Envoy's override_host policy sends a request to the endpoint its header names
 * when that is one of the cluster's, else lets the fallback policy pick, as Envoy Gateway
 * configures it (https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/load_balancing_policies/override_host/v3/override_host.proto).
 */
function overrideHost(
  lb: NonNullable<RouteDestination['loadBalancer']>,
  headers: string[],
  grouped: boolean,
): Fields {
  return {
    loadBalancingPolicy: {
      policies: [
        {
          typedExtensionConfig: {
            name: 'envoy.load_balancing_policies.override_host',
            typedConfig: packAny(
              OverrideHost,
              OverrideHost.fromPartial({
                overrideHostSources: headers.map((header) => ({ header })),
                fallbackPolicy: { policies: [{ typedExtensionConfig: typedPolicy(lb, grouped) }] },
              }),
            ),
          },
        },
      ],
    },
  };
}

/** The load balancer as a typed extension, with its locality config when it has one. */
function typedPolicy(lb: NonNullable<RouteDestination['loadBalancer']>, grouped: boolean) {
  const locality = localityLbConfig(lb.zoneAware, grouped && lb.zoneAware !== undefined);
  const slowStart = {
    ...(lb.slowStartWindowMs === undefined
      ? {}
      : { slowStartConfig: { slowStartWindow: durationMs(lb.slowStartWindowMs) } }),
    ...(locality === undefined ? {} : { localityLbConfig: locality }),
  };
  const policy = (name: string, typedConfig: Any) => ({
    name: `envoy.load_balancing_policies.${name}`,
    typedConfig,
  });
  if (moduleResolved(lb)) return moduleLoadBalancerPolicy(lb.dynamicModule);
  switch (lb.type) {
    case 'BackendUtilization':
      return backendUtilizationPolicy(lb.backendUtilization ?? {}, lb.slowStartWindowMs);
    case 'RoundRobin':
      return policy('round_robin', packAny(RoundRobin, RoundRobin.fromPartial(slowStart)));
    case 'Random':
      return policy(
        'random',
        packAny(Random, Random.fromPartial(locality ? { localityLbConfig: locality } : {})),
      );
    case 'ConsistentHash':
      return policy(
        'maglev',
        packAny(
          Maglev,
          Maglev.fromPartial({
            tableSize: lb.consistentHash?.tableSize ?? MAGLEV_TABLE_SIZE,
            // Maglev takes locality weights (weightedZones), never zone-aware routing.
            ...(locality?.localityWeightedLbConfig ? { localityWeightedLbConfig: {} } : {}),
          }),
        ),
      );
    default:
      return policy('least_request', packAny(LeastRequest, LeastRequest.fromPartial(slowStart)));
  }
}

/** Load balancer policy and its settings (slow start for round robin and least request). */
function lbPolicy(lb: RouteDestination['loadBalancer']): Fields {
  const slowStart =
    lb?.slowStartWindowMs === undefined
      ? undefined
      : { slowStartConfig: { slowStartWindow: durationMs(lb.slowStartWindowMs) } };
  switch (lb?.type) {
    case 'RoundRobin':
      return {
        lbPolicy: Cluster_LbPolicy.ROUND_ROBIN,
        ...(slowStart ? { roundRobinLbConfig: slowStart } : {}),
      };
    case 'Random':
      return { lbPolicy: Cluster_LbPolicy.RANDOM };
    case 'ConsistentHash':
      // Maglev, as Envoy Gateway (the route carries the hash policy).
      return {
        lbPolicy: Cluster_LbPolicy.MAGLEV,
        maglevLbConfig: { tableSize: lb.consistentHash?.tableSize ?? MAGLEV_TABLE_SIZE },
      };
    default:
      // Envoy Gateway's default load balancer.
      return {
        lbPolicy: Cluster_LbPolicy.LEAST_REQUEST,
        ...(slowStart ? { leastRequestLbConfig: slowStart } : {}),
      };
  }
}

/** Envoy's payload `text` is hex (https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/core/v3/health_check.proto#config-core-v3-healthcheck-payload). */
const payload = (p: HealthCheckPayload | undefined) =>
  p?.binary !== undefined
    ? { binary: Buffer.from(p.binary, 'base64') }
    : { text: Buffer.from(p?.text ?? '', 'utf8').toString('hex') };

const METHODS: Record<string, RequestMethod> = {
  GET: RequestMethod.GET,
  HEAD: RequestMethod.HEAD,
  POST: RequestMethod.POST,
  PUT: RequestMethod.PUT,
  DELETE: RequestMethod.DELETE,
  OPTIONS: RequestMethod.OPTIONS,
  TRACE: RequestMethod.TRACE,
  PATCH: RequestMethod.PATCH,
  CONNECT: RequestMethod.CONNECT,
};

/** Expected statuses as Envoy's half-open ranges, one per code. */
const statusRanges = (codes: readonly number[]) =>
  codes.map((code) => ({ start: code, end: code + 1 }));

/**
 * Health check events to a file, as Envoy Gateway writes them: the file event sink extension,
 * every failure and success logged too when asked (otherwise Envoy logs the first failure of a
 * series and healthy transitions).
 */
const healthCheckEventLog = (log: NonNullable<ActiveHealthCheck['eventLog']>) => ({
  eventLogger: [
    typedConfig(
      'envoy.health_check.event_sinks.file',
      HealthCheckEventFileSink,
      HealthCheckEventFileSink.fromPartial({ eventLogPath: log.path }),
    ),
  ],
  ...(log.failures ? { alwaysLogHealthCheckFailures: true } : {}),
  ...(log.successes ? { alwaysLogHealthCheckSuccess: true } : {}),
});

/**
 * The :authority of gRPC checks: the cluster's name, as Envoy sends by default, but
 * percent-encoded, since egts's names hold `/`, which is no authority character (RFC 3986 section
 * 3.2.2): nghttp2-based servers (Node's grpc-js among them) reset such a stream (envoy#3297).
 */
const grpcAuthority = (clusterName: string) => encodeURIComponent(clusterName);

function activeHealthCheck(active: ActiveHealthCheck, clusterName: string) {
  const common = {
    timeout: durationMs(active.timeoutMs),
    interval: durationMs(active.intervalMs),
    unhealthyThreshold: active.unhealthyThreshold,
    healthyThreshold: active.healthyThreshold,
    ...(active.initialJitterMs === undefined
      ? {}
      : { initialJitter: durationMs(active.initialJitterMs) }),
    ...(active.eventLog === undefined ? {} : healthCheckEventLog(active.eventLog)),
  };
  if (active.http) {
    const { http } = active;
    return {
      ...common,
      httpHealthCheck: {
        path: http.path,
        ...(http.hostname === undefined ? {} : { host: http.hostname }),
        ...(http.method === undefined
          ? {}
          : { method: METHODS[http.method.toUpperCase()] ?? RequestMethod.GET }),
        expectedStatuses: statusRanges(http.expectedStatuses),
        ...(http.expectedResponse === undefined
          ? {}
          : { receive: [payload(http.expectedResponse)] }),
        ...(http.retriableStatuses === undefined
          ? {}
          : { retriableStatuses: statusRanges(http.retriableStatuses) }),
        ...(http.requestBody === undefined ? {} : { send: payload(http.requestBody) }),
      },
    };
  }
  if (active.tcp) {
    return {
      ...common,
      tcpHealthCheck: {
        ...(active.tcp.send === undefined ? {} : { send: payload(active.tcp.send) }),
        receive: active.tcp.receive === undefined ? [] : [payload(active.tcp.receive)],
      },
    };
  }
  return {
    ...common,
    grpcHealthCheck: {
      serviceName: active.grpc?.service ?? '',
      authority: grpcAuthority(clusterName),
    },
  };
}

function healthChecks(hc: RouteDestination['healthCheck'], clusterName: string): Fields {
  const passive = hc?.passive;
  return {
    ...(hc?.active ? { healthChecks: [activeHealthCheck(hc.active, clusterName)] } : {}),
    ...(passive
      ? {
          outlierDetection: {
            splitExternalLocalOriginErrors: passive.splitExternalLocalOriginErrors ?? false,
            ...(passive.intervalMs === undefined
              ? {}
              : { interval: durationMs(passive.intervalMs) }),
            ...(passive.baseEjectionTimeMs === undefined
              ? {}
              : { baseEjectionTime: durationMs(passive.baseEjectionTimeMs) }),
            ...(passive.maxEjectionPercent === undefined
              ? {}
              : { maxEjectionPercent: passive.maxEjectionPercent }),
            ...(passive.consecutive5xxErrors === undefined
              ? {}
              : { consecutive5xx: passive.consecutive5xxErrors }),
            ...(passive.consecutiveGatewayErrors === undefined
              ? {}
              : {
                  consecutiveGatewayFailure: passive.consecutiveGatewayErrors,
                  enforcingConsecutiveGatewayFailure: 100,
                }),
            ...(passive.alwaysEjectOneEndpoint ? { alwaysEjectOneHost: true } : {}),
            ...(passive.failurePercentageThreshold === undefined
              ? {}
              : {
                  failurePercentageThreshold: passive.failurePercentageThreshold,
                  enforcingFailurePercentage: 100,
                }),
            ...(passive.consecutiveLocalOriginFailures === undefined
              ? {}
              : { consecutiveLocalOriginFailure: passive.consecutiveLocalOriginFailures }),
          },
        }
      : {}),
  };
}

const LOOKUP_FAMILY: Record<string, Cluster_DnsLookupFamily> = {
  IPv4: Cluster_DnsLookupFamily.V4_ONLY,
  IPv6: Cluster_DnsLookupFamily.V6_ONLY,
  IPv4Preferred: Cluster_DnsLookupFamily.V4_PREFERRED,
  IPv6Preferred: Cluster_DnsLookupFamily.AUTO,
  IPv4AndIPv6: Cluster_DnsLookupFamily.ALL,
};

/** DNS settings, for clusters that resolve hostnames. */
export function dnsSettings(dns: RouteDestination['dns']): Partial<Cluster> {
  if (dns === undefined) return {};
  return asCluster({
    ...(dns.refreshRateMs === undefined ? {} : { dnsRefreshRate: durationMs(dns.refreshRateMs) }),
    ...(dns.respectTtl === undefined ? {} : { respectDnsTtl: dns.respectTtl }),
    ...(dns.lookupFamily === undefined
      ? {}
      : {
          dnsLookupFamily: LOOKUP_FAMILY[dns.lookupFamily] ?? Cluster_DnsLookupFamily.V4_PREFERRED,
        }),
  });
}

/** The cluster fields a route's traffic settings give the cluster `name`. */
export function clusterTraffic(
  traffic: Partial<RouteDestination>,
  name: string,
  grouped = false,
): Partial<Cluster> {
  const keepalive = traffic.tcpKeepalive;
  return asCluster({
    // A field first, not a spread: V8 gives each object literal that opens with a spread a
    // hidden class of its own (one per cluster), and Cluster.fromPartial's reads go megamorphic.
    connectTimeout: durationMs(traffic.timeouts?.connectMs ?? CONNECT_TIMEOUT_MS),
    ...loadBalancer(traffic.loadBalancer, grouped),
    ...healthChecks(traffic.healthCheck, name),
    // EnvoyProxy metrics.clusterStatName (#19): stats under this name instead of the cluster's.
    ...(traffic.statName === undefined ? {} : { altStatName: traffic.statName }),
    ...(traffic.trackStats === undefined
      ? {}
      : {
          trackClusterStats: {
            timeoutBudgets: false,
            requestResponseSizes: traffic.trackStats.requestResponseSizes,
            perEndpointStats: traffic.trackStats.perEndpoint,
          },
        }),
    ...(keepalive === undefined
      ? {}
      : {
          upstreamConnectionOptions: {
            tcpKeepalive: {
              ...(keepalive.probes === undefined ? {} : { keepaliveProbes: keepalive.probes }),
              ...(keepalive.idleTimeSeconds === undefined
                ? {}
                : { keepaliveTime: keepalive.idleTimeSeconds }),
              ...(keepalive.intervalSeconds === undefined
                ? {}
                : { keepaliveInterval: keepalive.intervalSeconds }),
            },
            setLocalInterfaceNameOnUpstreamConnections: false,
          },
        }),
  });
}

/** Healthy share below which Envoy balances over every endpoint (Envoy's default: 50%). */
export const panicThreshold = (traffic: Partial<RouteDestination>) =>
  traffic.healthCheck?.panicThresholdPercent === undefined
    ? {}
    : { healthyPanicThreshold: { value: traffic.healthCheck.panicThresholdPercent } };

/**
 * The transport socket wrapped in the upstream PROXY protocol one when the policy asks for it
 * (https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/transport_sockets/proxy_protocol/v3/upstream_proxy_protocol.proto).
 */
export function withProxyProtocol(
  version: RouteDestination['proxyProtocol'],
  inner: TransportSocket | undefined,
): TransportSocket | undefined {
  if (version === undefined) return inner;
  return {
    name: 'envoy.transport_sockets.upstream_proxy_protocol',
    typedConfig: packAny(
      ProxyProtocolUpstreamTransport,
      ProxyProtocolUpstreamTransport.fromPartial({
        config: {
          version:
            version === 'V1' ? ProxyProtocolConfig_Version.V1 : ProxyProtocolConfig_Version.V2,
        },
        transportSocket: inner ?? {
          name: 'envoy.transport_sockets.raw_buffer',
          typedConfig: packAny(RawBuffer, RawBuffer.fromPartial({})),
        },
      }),
    ),
  };
}
