// EnvoyProxy fields: applied or not (see ../fieldRegistry.ts): fleet and backend merging, Envoy's log levels,
// and the Kubernetes objects the infra-manager writes; the rest not yet.
import type { KindFields } from '../fieldRegistry.js';
import { goldenProof, HOST_INFRA_PROOF, KUBERNETES_INFRA_PROOF } from './proofs.js';
import { serviceBackendSettings } from './serviceSettings.js';

const K8S = 'spec.provider.kubernetes';
const TELEMETRY = 'apps/conformance/src/__tests__/envoyProxyTelemetry.integration.test.ts';
const ACCESS_LOG = `${TELEMETRY}: writes access logs in the formats and files asked for`;
const NO_ACCESS_LOG = `${TELEMETRY}: disable turns every access log off`;
const TRACING = 'apps/conformance/src/__tests__/envoyProxyTracing.integration.test.ts';
const OTEL_SPANS = `${TRACING}: exports OpenTelemetry spans with the service name and the tags asked for`;
const ZIPKIN_SPANS = `${TRACING}: exports Zipkin spans under the proxy node name`;
const DATADOG_SPANS = `${TRACING}: exports Datadog spans with the Gateway as service`;
const SAMPLING = `${TRACING}: traces a route by its policy's sampling and tags, and nothing a zero fraction leaves out`;
const OTEL_SAMPLER = `${TRACING}: samples with the OpenTelemetry tracer's sampler and exports its resource attributes`;
const TRACING_PROVIDER = 'spec.telemetry.tracing.provider';
const LOG_SERVICES =
  'apps/conformance/src/__tests__/envoyProxyAccessLogServices.integration.test.ts';
const OTEL_LOGS = `${LOG_SERVICES}: sends text, JSON and default JSON records, the text ones only where the CEL match holds`;
const ALS_LOGS = `${LOG_SERVICES}: streams HTTP entries to the access log service under its log name`;
const ALS_RESPONSE = `${LOG_SERVICES}: logs the response headers and trailers the sink asks for`;
const SINKS = 'spec.telemetry.accessLog.settings.sinks';
const METRIC_SINK_OTEL = 'spec.telemetry.metrics.sinks.openTelemetry';
const BACKEND_REFS = 'apps/conformance/src/__tests__/telemetryBackendRefs.integration.test.ts';
const WEIGHTED = `${BACKEND_REFS}: shares a weighted sink exports among its backends in proportion to their weights`;
const FALLBACK = `${BACKEND_REFS}: leaves a fallback backend idle while the others answer`;
const SINGULAR_REF = `${BACKEND_REFS}: names a sink's backend with the deprecated singular backendRef`;
const backendRefProofs = (path: string, proof: string) =>
  Object.fromEntries(
    ['name', 'namespace', 'port', 'group', 'kind'].map((field) => [`${path}.${field}`, proof]),
  );
const STAT_NAMES =
  'apps/conformance/src/__tests__/envoyProxyStatNames.integration.test.ts: names cluster, HTTP route and TCP route stats as asked';
const CLUSTER_STATS =
  'apps/conformance/src/__tests__/envoyProxyStatNames.integration.test.ts: adds request and response size histograms and per-endpoint stats when asked';
const LISTENER_STATS =
  'apps/conformance/src/__tests__/envoyProxyStatNames.integration.test.ts: counts a hostname under its virtual cluster and gRPC calls per method when asked';
const METRIC_SINK =
  'apps/conformance/src/__tests__/envoyProxyMetricSink.integration.test.ts: pushes the proxy metrics to the OpenTelemetry collector';
const SINK_REFS =
  'apps/conformance/src/__tests__/envoyProxyMetricSink.integration.test.ts: pushes to the Service endpoints of each sink, counters and histograms as deltas when asked';
const SINK_EXPORT =
  'apps/conformance/src/__tests__/envoyProxyMetricSinkExport.integration.test.ts: sends the headers with every export and the attributes on the metrics resource';
const BOOTSTRAP_METRICS =
  'packages/infra-manager/src/__tests__/proxyMetrics.integration.test.ts: keeps only the matching stats and compresses them when asked';
const HEALTH_CHECK_LOG =
  "apps/conformance/src/__tests__/envoyProxyHealthCheckLog.integration.test.ts: logs the route clusters' events to the fleet's file with its matches, unless a policy logs them itself";
const REQUEST_ID = 'apps/conformance/src/__tests__/envoyProxyRequestIdTracing.integration.test.ts';
const PROMETHEUS_COMPRESSORS =
  'packages/infra-manager/src/__tests__/proxyMetrics.integration.test.ts: compresses with Brotli or Zstandard, and sets the compressor minContentLength';
const SETTINGS = 'apps/conformance/src/__tests__/envoyProxySettings.integration.test.ts';
const ROUTE_ORDER = `${SETTINGS}: keeps HTTPRoute rules in the order written with preserveRouteOrder`;
const IP_FAMILY = `${SETTINGS}: serves IPv6 and IPv4 clients with ipFamily DualStack`;
const FILTER_ORDER = `${SETTINGS}: moves an HTTP filter with filterOrder`;
const MERGE_BACKENDS =
  'apps/conformance/src/__tests__/mergeBackends.integration.test.ts: holds the shared cluster once, and per-rule clusters where routes differ';
const MERGE_SELECTOR =
  'packages/gatewayapi-translator/src/__tests__/mergeBackends.test.ts: merges only the backends its selector picks';
const HOST_SHUTDOWN =
  'packages/infra-manager/src/__tests__/hostInfraShutdown.integration.test.ts: starts Envoy with its concurrency and drains in-flight requests before it exits';
const BOOTSTRAP =
  'packages/infra-manager/src/__tests__/hostInfraBootstrap.integration.test.ts: applies Merge and JSONPatch bootstraps and keeps the last good one when one is refused';
const GEOIP_COUNTRY = 'apps/conformance/src/tests/envoyGateway/geoIP.ts: AuthzWithGeoIPCountry';
const GEOIP_FIELDS = 'apps/conformance/src/tests/envoyGateway/geoIP.ts: EgtsAuthzWithGeoIPFields';
const ROUTING =
  "apps/conformance/src/__tests__/envoyProxyRouting.integration.test.ts: sends a Gateway's routes to the cluster IP, and a policy's routingType Endpoint wins";
const EXTRA_ARGS =
  'packages/infra-manager/src/__tests__/hostInfraExtraArgs.integration.test.ts: starts Envoy with the extra arguments';
const MERGE_TYPE =
  'packages/gatewayapi-translator/src/__tests__/envoyProxyMergeType.test.ts: JSONMerge and StrategicMerge merge it onto the class one: objects merge, lists and scalars are replaced';
const BACKEND_TLS =
  "apps/conformance/src/__tests__/envoyProxyBackendTls.integration.test.ts: presents the EnvoyProxy's client certificate to TLS backends with its TLS parameters";
const KUBERNETES_SETTINGS =
  'packages/infra-manager/src/__tests__/kubernetesInfraManager.integration.test.ts: lays the EnvoyProxy Kubernetes provider settings onto the objects as the API server stores them';
const LUA =
  'packages/gatewayapi-translator/src/__tests__/luaScript.test.ts: lets an unchecked script through';

/**
 * The telemetry backends whose `backendSettings` are BackendTrafficPolicy's cluster settings
 * (serviceSettings.ts); the metric sinks' are not (their clusters are the bootstrap's).
 */
const TELEMETRY_SERVICES = [
  'spec.telemetry.tracing.provider',
  `${SINKS}.openTelemetry`,
  `${SINKS}.als`,
];
const TELEMETRY_SETTINGS =
  'apps/conformance/src/__tests__/telemetryServiceSettings.test.ts: each telemetry cluster carries the settings of a BackendTrafficPolicy';
/**
 * A telemetry service's `retry` (Envoy Gateway drops it): its gRPC calls' retry_policy, Envoy's
 * core RetryPolicy (attempts, triggers, back-off), as for a gRPC authorization service.
 */
const TELEMETRY_RETRY =
  'apps/conformance/src/__tests__/telemetryServiceRetry.integration.test.ts: delivers the first record and spans through refused exports, and loses them without retry';
/**
 * A telemetry service's module load balancer: the module its EnvoyProxy registers, as a route's
 * from its Gateway's EnvoyProxy (telemetryBackend.ts); an unregistered one refuses the Gateway.
 */
const TELEMETRY_MODULE_LB =
  "apps/conformance/src/__tests__/telemetryModuleLoadBalancer.integration.test.ts: sends every export to the module's pick, where two backends would share them";
const MODULE_LB = 'backendSettings.loadBalancer.dynamicModule';
const RETRY_APPLIED = [
  'retry.numRetries',
  'retry.retryOn.triggers',
  'retry.perRetry.backOff.baseInterval',
  'retry.perRetry.backOff.maxInterval',
];
/**
 * Not applied to a telemetry backend: the HTTP request and stream idle timeouts are route settings
 * no route carries (Envoy Gateway strips them from such clusters too). The gRPC service's own
 * `timeout` would be the request timeout's place, but Envoy's gRPC access loggers and OpenTelemetry
 * tracer do not read it (tried: a 300 ms timeout on an export answered 1.5 s late still completed
 * 200, no upstream_rq_timeout). The retry fields no service call takes: serviceSettings.ts.
 */
const telemetryOnlyNotApplied = (service: string): string[] => [
  `${service}.backendSettings.timeout.http.requestTimeout`,
  `${service}.backendSettings.timeout.http.streamIdleTimeout`,
];
const telemetryEntries = TELEMETRY_SERVICES.map((service) =>
  serviceBackendSettings(service, TELEMETRY_SETTINGS, telemetryOnlyNotApplied(service), {
    [`${service}.${MODULE_LB}`]: TELEMETRY_MODULE_LB,
  }),
);
/**
 * Each backendRef's `weight` and `fallback`: weighted localities and a fallback priority in the
 * service's one cluster, as a route's backends get (telemetryBackend.ts); Envoy Gateway drops both
 * for telemetry. Its OpenTelemetry tracer and access log sinks and its ALS sinks.
 */
const telemetryRefEntries = Object.fromEntries(
  TELEMETRY_SERVICES.flatMap((service) => [
    [`${service}.backendRefs.weight`, WEIGHTED],
    [`${service}.backendRefs.fallback`, FALLBACK],
    ...RETRY_APPLIED.map((path) => [`${service}.backendSettings.${path}`, TELEMETRY_RETRY]),
  ]),
);
/**
 * Not applied to a metric sink, as in Envoy Gateway: the proxy's stats go to one collector, the
 * first endpoint of the first backendRef, through a bootstrap cluster built from a fixed template
 * (Envoy Gateway's ConvertResolvedMetricSinks), so neither the other backendRefs' `weight` and
 * `fallback` nor any `backendSettings` reach it.
 */
const METRIC_SINK_NOT_APPLIED = [
  `${METRIC_SINK_OTEL}.backendRefs.weight`,
  `${METRIC_SINK_OTEL}.backendRefs.fallback`,
  `${METRIC_SINK_OTEL}.backendSettings`,
];

/**
 * A Zipkin or Datadog tracer's collector is called over plain HTTP by the tracer itself, with no
 * retry policy to set: its provider's `backendSettings.retry` is not applied.
 */
const httpTracerRetry = (spec: Readonly<Record<string, unknown>>): string[] => {
  const provider = (spec.telemetry as { tracing?: { provider?: Record<string, unknown> } })?.tracing
    ?.provider;
  const retry = (provider?.backendSettings as { retry?: unknown } | undefined)?.retry;
  if (provider === undefined || retry === undefined) return [];
  const type = provider.type ?? 'OpenTelemetry';
  return type === 'OpenTelemetry' ? [] : [`${TRACING_PROVIDER}.backendSettings.retry`];
};

export const envoyProxyFields: KindFields = {
  notAppliedIn: httpTracerRetry,
  applied: {
    ...Object.assign({}, ...telemetryEntries.map((e) => e.applied)),
    ...telemetryRefEntries,
    // The deprecated singular `backendRef`, used when `backendRefs` is empty (Envoy Gateway's CRD
    // refuses it on telemetry services; egts takes it, as its other services' singular refs).
    ...backendRefProofs(`${SINKS}.openTelemetry.backendRef`, SINGULAR_REF),
    ...backendRefProofs(`${SINKS}.als.backendRef`, SINGULAR_REF),
    ...backendRefProofs(`${METRIC_SINK_OTEL}.backendRef`, SINK_REFS),
    'spec.mergeGateways': goldenProof('merged-gateways'),
    'spec.mergeBackends': MERGE_BACKENDS,
    'spec.mergeBackends.selector': MERGE_SELECTOR,
    'spec.mergeBackends.selector.matchLabels': MERGE_SELECTOR,
    'spec.mergeBackends.selector.matchExpressions.key': MERGE_SELECTOR,
    'spec.mergeBackends.selector.matchExpressions.operator': MERGE_SELECTOR,
    'spec.mergeBackends.selector.matchExpressions.values': MERGE_SELECTOR,
    'spec.geoIP.provider.type': GEOIP_COUNTRY,
    'spec.geoIP.provider.maxMind.countryDbSource': GEOIP_COUNTRY,
    'spec.geoIP.provider.maxMind.cityDbSource': GEOIP_FIELDS,
    'spec.geoIP.provider.maxMind.asnDbSource': GEOIP_FIELDS,
    'spec.geoIP.provider.maxMind.ispDbSource': GEOIP_FIELDS,
    'spec.geoIP.provider.maxMind.anonymousIpDbSource': GEOIP_FIELDS,
    'spec.preserveRouteOrder': ROUTE_ORDER,
    'spec.ipFamily': IP_FAMILY,
    'spec.filterOrder': FILTER_ORDER,
    'spec.routingType': ROUTING,
    'spec.extraArgs': EXTRA_ARGS,
    // The modules EnvoyExtensionPolicy filters and BackendTrafficPolicy load balancers load.
    'spec.dynamicModules':
      'apps/conformance/src/tests/envoyGateway/dynamicModule.ts: EgtsDynamicModule',
    'spec.mergeType': MERGE_TYPE,
    ...Object.fromEntries(
      [
        'clientCertificateRef.name',
        'clientCertificateRef.namespace',
        'clientCertificateRef.group',
        'clientCertificateRef.kind',
        'minVersion',
        'maxVersion',
        'ciphers',
        'ecdhCurves',
        'signatureAlgorithms',
        'alpnProtocols',
      ].map((field) => [`spec.backendTLS.${field}`, BACKEND_TLS]),
    ),
    'spec.concurrency': HOST_SHUTDOWN,
    'spec.bootstrap': BOOTSTRAP,
    'spec.shutdown': HOST_SHUTDOWN,
    'spec.telemetry.accessLog.disable': NO_ACCESS_LOG,
    'spec.telemetry.healthCheckLog': HEALTH_CHECK_LOG,
    'spec.telemetry.requestID.tracing': `${REQUEST_ID}: Sample traces all or none of one request ID, and leaves the ID as it was`,
    'spec.telemetry.metrics.prometheus.disable':
      'packages/infra-manager/src/__tests__/proxyMetrics.integration.test.ts: serves /stats/prometheus unless telemetry.metrics.prometheus.disable',
    'spec.telemetry.accessLog.settings.format': ACCESS_LOG,
    'spec.telemetry.accessLog.settings.sinks.type': ACCESS_LOG,
    'spec.telemetry.accessLog.settings.sinks.file': ACCESS_LOG,
    'spec.telemetry.accessLog.settings.type':
      'apps/conformance/src/tests/envoyGateway/telemetryAccessLog.ts: Upstream Logs',
    'spec.telemetry.accessLog.settings.matches': OTEL_LOGS,
    ...backendRefProofs(`${SINKS}.openTelemetry.backendRefs`, OTEL_LOGS),
    [`${SINKS}.openTelemetry.host`]: OTEL_LOGS,
    [`${SINKS}.openTelemetry.port`]: OTEL_LOGS,
    [`${SINKS}.openTelemetry.resources`]: OTEL_LOGS,
    [`${SINKS}.openTelemetry.resourceAttributes`]: OTEL_LOGS,
    [`${SINKS}.openTelemetry.headers`]: OTEL_LOGS,
    ...backendRefProofs(`${SINKS}.als.backendRefs`, ALS_LOGS),
    [`${SINKS}.als.logName`]: ALS_LOGS,
    [`${SINKS}.als.type`]: ALS_LOGS,
    [`${SINKS}.als.http.requestHeaders`]: ALS_LOGS,
    [`${SINKS}.als.http.responseHeaders`]: ALS_RESPONSE,
    [`${SINKS}.als.http.responseTrailers`]: ALS_RESPONSE,
    // Tracing.
    'spec.telemetry.tracing.spanName': ZIPKIN_SPANS,
    'spec.telemetry.tracing.samplingRate': OTEL_SPANS,
    'spec.telemetry.tracing.samplingFraction': SAMPLING,
    'spec.telemetry.tracing.clientSamplingFraction': SAMPLING,
    'spec.telemetry.tracing.overallSamplingFraction': SAMPLING,
    'spec.telemetry.tracing.customTags': OTEL_SPANS,
    'spec.telemetry.tracing.tags': OTEL_SPANS,
    [`${TRACING_PROVIDER}.type`]: DATADOG_SPANS,
    [`${TRACING_PROVIDER}.zipkin.enable128BitTraceId`]: ZIPKIN_SPANS,
    [`${TRACING_PROVIDER}.zipkin.disableSharedSpanContext`]: `${TRACING}: continues a caller's B3 span as its server span unless disableSharedSpanContext`,
    [`${TRACING_PROVIDER}.backendRefs.name`]: OTEL_SPANS,
    [`${TRACING_PROVIDER}.backendRefs.namespace`]: OTEL_SPANS,
    [`${TRACING_PROVIDER}.backendRefs.port`]: OTEL_SPANS,
    [`${TRACING_PROVIDER}.backendRefs.group`]: OTEL_SPANS,
    [`${TRACING_PROVIDER}.backendRefs.kind`]: OTEL_SPANS,
    [`${TRACING_PROVIDER}.backendRef.name`]: DATADOG_SPANS,
    [`${TRACING_PROVIDER}.backendRef.namespace`]: DATADOG_SPANS,
    [`${TRACING_PROVIDER}.backendRef.port`]: DATADOG_SPANS,
    [`${TRACING_PROVIDER}.backendRef.group`]: DATADOG_SPANS,
    [`${TRACING_PROVIDER}.backendRef.kind`]: DATADOG_SPANS,
    [`${TRACING_PROVIDER}.host`]: OTEL_SPANS,
    [`${TRACING_PROVIDER}.port`]: OTEL_SPANS,
    [`${TRACING_PROVIDER}.serviceName`]: OTEL_SPANS,
    [`${TRACING_PROVIDER}.openTelemetry.headers`]: OTEL_SPANS,
    [`${TRACING_PROVIDER}.openTelemetry.sampler.type`]: OTEL_SAMPLER,
    [`${TRACING_PROVIDER}.openTelemetry.sampler.samplingPercentage`]: OTEL_SAMPLER,
    [`${TRACING_PROVIDER}.openTelemetry.resourceAttributes`]: OTEL_SAMPLER,
    'spec.telemetry.metrics.clusterStatName': STAT_NAMES,
    'spec.telemetry.metrics.enableRequestResponseSizesStats': CLUSTER_STATS,
    'spec.telemetry.metrics.enablePerEndpointStats': CLUSTER_STATS,
    'spec.telemetry.metrics.enableVirtualHostStats': LISTENER_STATS,
    'spec.telemetry.metrics.sinks.type': METRIC_SINK,
    'spec.telemetry.metrics.sinks.openTelemetry.host': METRIC_SINK,
    'spec.telemetry.metrics.sinks.openTelemetry.port': METRIC_SINK,
    ...backendRefProofs('spec.telemetry.metrics.sinks.openTelemetry.backendRefs', SINK_REFS),
    'spec.telemetry.metrics.sinks.openTelemetry.reportCountersAsDeltas': SINK_REFS,
    'spec.telemetry.metrics.sinks.openTelemetry.headers': SINK_EXPORT,
    'spec.telemetry.metrics.sinks.openTelemetry.resourceAttributes': SINK_EXPORT,
    'spec.telemetry.metrics.sinks.openTelemetry.reportHistogramsAsDeltas': SINK_REFS,
    'spec.telemetry.metrics.enableGRPCStats': LISTENER_STATS,
    'spec.telemetry.metrics.matches.type': BOOTSTRAP_METRICS,
    'spec.telemetry.metrics.matches.value': BOOTSTRAP_METRICS,
    'spec.telemetry.metrics.prometheus.compression.type': BOOTSTRAP_METRICS,
    // Empty objects: the library `type` names, with Envoy's defaults.
    'spec.telemetry.metrics.prometheus.compression.gzip': BOOTSTRAP_METRICS,
    'spec.telemetry.metrics.prometheus.compression.brotli': PROMETHEUS_COMPRESSORS,
    'spec.telemetry.metrics.prometheus.compression.zstd': PROMETHEUS_COMPRESSORS,
    'spec.telemetry.metrics.prometheus.compression.minContentLength': PROMETHEUS_COMPRESSORS,
    'spec.logging.level': HOST_INFRA_PROOF,
    'spec.lua.validationType': LUA,
    'spec.lua.strictValidation':
      "packages/gatewayapi-translator/src/__tests__/luaScript.test.ts: Strict validation's sandbox (EnvoyProxy lua.strictValidation)",
    'spec.luaValidation': LUA,
    'spec.provider.type': KUBERNETES_INFRA_PROOF,
    // The only field under provider.host (Envoy Gateway's host mode).
    'spec.provider.host.envoyVersion':
      'packages/infra-manager/src/__tests__/hostInfraEnvoyVersion.heavy.test.ts: runs the Envoy release asked for, and refuses one it cannot install',
    // The Kubernetes provider: every part of the proxy objects (Kubernetes-typed subtrees passed
    // through, `patch` as strategic or JSON merge) reaches the API server.
    [`${K8S}.envoyDaemonSet`]: KUBERNETES_SETTINGS,
    [`${K8S}.envoyDeployment`]: KUBERNETES_SETTINGS,
    [`${K8S}.envoyDeployment.container.image`]: KUBERNETES_INFRA_PROOF,
    [`${K8S}.envoyHpa`]: KUBERNETES_SETTINGS,
    [`${K8S}.envoyHpa.minReplicas`]: KUBERNETES_INFRA_PROOF,
    [`${K8S}.envoyHpa.maxReplicas`]: KUBERNETES_INFRA_PROOF,
    [`${K8S}.envoyPDB`]: KUBERNETES_SETTINGS,
    [`${K8S}.envoyPDB.minAvailable`]: KUBERNETES_INFRA_PROOF,
    [`${K8S}.envoyService`]: KUBERNETES_SETTINGS,
    [`${K8S}.envoyService.type`]: KUBERNETES_INFRA_PROOF,
    [`${K8S}.envoyServiceAccount`]: KUBERNETES_SETTINGS,
    [`${K8S}.useListenerPortAsContainerPort`]: goldenProof('listener-port-as-container-port'),
  },
  notApplied: [
    ...telemetryEntries.flatMap((e) => e.notApplied),
    ...METRIC_SINK_NOT_APPLIED,
    // JA3/JA4 client fingerprinting (the TLS settings shared with ClientTrafficPolicy): Envoy
    // fingerprints ClientHellos it receives, and toward a backend it is the one sending it.
    'spec.backendTLS.fingerprints',
    'spec.telemetry',
  ],
};
