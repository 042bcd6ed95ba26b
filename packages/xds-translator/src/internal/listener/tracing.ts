// Request tracing as Envoy Gateway emits it: the connection manager's `tracing` (the provider
// with its collector cluster, sampling, custom tags, span names, an upstream span per request)
// and a route's own override (https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto#extensions-filters-network-http-connection-manager-v3-httpconnectionmanager-tracing,
// https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/route/v3/route_components.proto#config-route-v3-tracing).
import {
  AlwaysOnSamplerConfig,
  DatadogConfig,
  FractionalPercent_DenominatorType,
  type HttpConnectionManager_Tracing,
  OpenTelemetryConfig,
  ParentBasedSamplerConfig,
  type Route,
  StaticConfigResourceDetectorConfig,
  TraceIdRatioBasedSamplerConfig,
  ZipkinConfig,
  ZipkinConfig_CollectorEndpointVersion,
} from '@egts/envoy-api';
import type { CustomTag as CustomTagIR, RouteTracing, Tracing } from '@egts/ir';
import { addDestination } from '../cluster/destinationClusters.js';
import { serviceRetryPolicy } from '../httpfilters/serviceRetry.js';
import { typedConfig } from '../protoValues.js';
import type { ResourceSet } from '../resourceSet.js';

type CustomTag = HttpConnectionManager_Tracing['customTags'][number];

const customTag = (tag: CustomTagIR): CustomTag => ({
  tag: tag.tag,
  valueType: 0,
  ...(tag.literal !== undefined ? { literal: { value: tag.literal } } : {}),
  ...(tag.environment ? { environment: tag.environment } : {}),
  ...(tag.requestHeader ? { requestHeader: tag.requestHeader } : {}),
  ...(tag.value !== undefined ? { value: tag.value } : {}),
});

/** A FractionalPercent for a percentage: in hundredths when whole, else in millionths. */
const fractionalPercent = (percent: number) =>
  Number.isInteger(percent)
    ? { numerator: percent, denominator: FractionalPercent_DenominatorType.HUNDRED }
    : {
        numerator: Math.round(percent * 10_000),
        denominator: FractionalPercent_DenominatorType.MILLION,
      };

const traceIdRatio = (percent: number) =>
  typedConfig(
    'envoy.tracers.opentelemetry.samplers.trace_id_ratio_based',
    TraceIdRatioBasedSamplerConfig,
    TraceIdRatioBasedSamplerConfig.fromPartial({ samplingPercentage: fractionalPercent(percent) }),
  );

const alwaysOn = () =>
  typedConfig(
    'envoy.tracers.opentelemetry.samplers.always_on',
    AlwaysOnSamplerConfig,
    AlwaysOnSamplerConfig.fromPartial({}),
  );

const parentBased = (wrapped: ReturnType<typeof alwaysOn>) =>
  typedConfig(
    'envoy.tracers.opentelemetry.samplers.parent_based',
    ParentBasedSamplerConfig,
    ParentBasedSamplerConfig.fromPartial({ wrappedSampler: wrapped }),
  );

/**
 * The OpenTelemetry tracer's sampler as Envoy Gateway builds it: AlwaysOff is a trace ID ratio of
 * 0%, the ParentBased ones wrap the root sampler in Envoy's parent_based sampler.
 */
const sampler = (spec: NonNullable<Tracing['sampler']>) => {
  switch (spec.type) {
    case 'AlwaysOn':
      return alwaysOn();
    case 'AlwaysOff':
      return traceIdRatio(0);
    case 'TraceIdRatio':
      return traceIdRatio(spec.percent);
    case 'ParentBasedAlwaysOn':
      return parentBased(alwaysOn());
    case 'ParentBasedAlwaysOff':
      return parentBased(traceIdRatio(0));
    case 'ParentBasedTraceIdRatio':
      return parentBased(traceIdRatio(spec.percent));
  }
};

/** The tracer, exporting to the collector's cluster. */
const provider = (tracing: Tracing, cluster: string) => {
  switch (tracing.provider) {
    case 'OpenTelemetry':
      return typedConfig(
        'envoy.tracers.opentelemetry',
        OpenTelemetryConfig,
        OpenTelemetryConfig.fromPartial({
          grpcService: {
            envoyGrpc: { clusterName: cluster, authority: tracing.authority },
            initialMetadata: (tracing.headers ?? []).map(({ name, value }) => ({
              key: name.toLowerCase(),
              value,
            })),
            ...(tracing.retry ? { retryPolicy: serviceRetryPolicy(tracing.retry) } : {}),
          },
          serviceName: tracing.serviceName,
          resourceDetectors: tracing.resourceAttributes
            ? [
                typedConfig(
                  'envoy.tracers.opentelemetry.resource_detectors.static_config',
                  StaticConfigResourceDetectorConfig,
                  StaticConfigResourceDetectorConfig.fromPartial({
                    attributes: tracing.resourceAttributes,
                  }),
                ),
              ]
            : [],
          ...(tracing.sampler ? { sampler: sampler(tracing.sampler) } : {}),
        }),
      );
    case 'Zipkin':
      return typedConfig(
        'envoy.tracers.zipkin',
        ZipkinConfig,
        ZipkinConfig.fromPartial({
          collectorCluster: cluster,
          collectorEndpoint: '/api/v2/spans',
          traceId128bit: tracing.zipkin?.traceId128Bit ?? false,
          sharedSpanContext: tracing.zipkin?.sharedSpanContext ?? true,
          collectorEndpointVersion: ZipkinConfig_CollectorEndpointVersion.HTTP_JSON,
        }),
      );
    case 'Datadog':
      return typedConfig(
        'envoy.tracers.datadog',
        DatadogConfig,
        DatadogConfig.fromPartial({
          collectorCluster: cluster,
          serviceName: tracing.serviceName,
          collectorHostname: tracing.authority,
        }),
      );
  }
};

/**
 * The connection manager's tracing for the fleet's `tracing`, adding the collector's cluster (one
 * cluster: Envoy's tracers take one) to `out`.
 */
export const hcmTracing = (
  tracing: Tracing | undefined,
  out: ResourceSet,
): HttpConnectionManager_Tracing | undefined => {
  if (tracing === undefined) return undefined;
  const target = addDestination(tracing.destination, out, { single: true });
  const cluster = target.kind === 'cluster' ? target.cluster : tracing.destination.name;
  return {
    clientSampling: { value: tracing.sampling.client },
    // An OpenTelemetry sampler decides alone: the connection manager then picks every request.
    randomSampling: { value: tracing.sampler ? 100 : tracing.sampling.random },
    overallSampling: { value: tracing.sampling.overall },
    verbose: false,
    customTags: tracing.customTags.map(customTag),
    provider: provider(tracing, cluster),
    // Envoy Gateway traces the upstream request as a span of its own.
    spawnUpstreamSpan: true,
    // EnvoyProxy spanName (format strings); empty keeps Envoy's default names.
    operation: tracing.spanName?.client ?? '',
    upstreamOperation: tracing.spanName?.server ?? '',
    noContextPropagation: false,
  };
};

/** A percentage as a FractionalPercent in millionths (0.0001% steps). */
const fraction = (percent: number) => ({
  numerator: Math.round(percent * 10_000),
  denominator: FractionalPercent_DenominatorType.MILLION,
});

/** A route's own tracing settings (BackendTrafficPolicy `telemetry.tracing`). */
export const routeTracing = (tracing: RouteTracing | undefined): Route['tracing'] => {
  if (tracing === undefined) return undefined;
  const sampling = tracing.sampling ?? {};
  return {
    ...(sampling.client === undefined ? {} : { clientSampling: fraction(sampling.client) }),
    ...(sampling.random === undefined ? {} : { randomSampling: fraction(sampling.random) }),
    ...(sampling.overall === undefined ? {} : { overallSampling: fraction(sampling.overall) }),
    customTags: (tracing.customTags ?? []).map(customTag),
    operation: tracing.spanName?.client ?? '',
    upstreamOperation: tracing.spanName?.server ?? '',
  };
};
