// EnvoyProxy `telemetry.metrics` settings that live in a proxy's bootstrap, as Envoy Gateway puts
// them there: the stats Envoy keeps (`matches`, Envoy's stats_matcher inclusion list: only the
// stats that match are created) and the compression of the ready listener's `/stats/prometheus`
// (`prometheus.compression`, Envoy's compressor filter in front of the admin route)
// (https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/metrics/v3/stats.proto#config-metrics-v3-statsmatcher).

import { isIP } from 'node:net';
import { isRecord, parseQuantity } from '@egts/api';
import {
  type Bootstrap,
  Brotli,
  Cluster,
  Cluster_DiscoveryType,
  Compressor,
  Gzip,
  type HttpFilter,
  HttpProtocolOptions,
  OpenTelemetryStatsSinkConfig,
  packAny,
  StaticConfigResourceDetectorConfig,
  Zstd,
} from '@egts/envoy-api';
import type { ProxyInfra } from '@egts/ir';

type StatsConfig = NonNullable<Bootstrap['statsConfig']>;
type StringMatcher = NonNullable<
  NonNullable<StatsConfig['statsMatcher']>['inclusionList']
>['patterns'][number];

/** One stats name match (EnvoyProxy `metrics.matches[]`). */
export interface StatsMatch {
  readonly type: 'Exact' | 'Prefix' | 'Suffix' | 'RegularExpression';
  readonly value: string;
}

/** The bootstrap's share of an EnvoyProxy's metrics settings. */
export interface ProxyMetrics {
  /** Keep only the stats whose names match one of these; absent: every stat. */
  readonly matches?: readonly StatsMatch[];
  /** Compress `/stats/prometheus` on the ready listener for clients that accept it. */
  readonly compression?: {
    readonly type: 'Gzip' | 'Brotli' | 'Zstd';
    readonly minContentLength?: number;
  };
  /** OpenTelemetry collectors the proxy pushes its stats to (`sinks[].openTelemetry`). */
  readonly openTelemetry?: readonly MetricSinkTarget[];
}

/** One OpenTelemetry collector: its addresses, and counters and histograms sent as deltas. */
export interface MetricSinkTarget {
  readonly host: string;
  readonly port: number;
  /** Further addresses of the same collector (a Service's other endpoints). */
  readonly more?: readonly { readonly host: string; readonly port: number }[];
  readonly reportCountersAsDeltas?: boolean;
  readonly reportHistogramsAsDeltas?: boolean;
  /** Sent with every export, as gRPC initial metadata. */
  readonly headers?: readonly { readonly name: string; readonly value: string }[];
  /** Attributes of the resource every exported metric carries. */
  readonly resourceAttributes?: Readonly<Record<string, string>>;
}

/**
 * Where the proxy reaches the translator's resolved sinks (ProxyInfra `metricSinks`): `host`, a
 * process on this machine, at the Service's endpoints; `cluster`, a pod, by the cluster DNS name.
 */
export const sinkTargets = (
  sinks: NonNullable<ProxyInfra['metricSinks']>,
  where: 'host' | 'cluster',
): MetricSinkTarget[] =>
  sinks.flatMap((sink) => {
    const deltas = {
      reportCountersAsDeltas: sink.reportCountersAsDeltas,
      reportHistogramsAsDeltas: sink.reportHistogramsAsDeltas,
      ...(sink.headers ? { headers: sink.headers } : {}),
      ...(sink.resourceAttributes ? { resourceAttributes: sink.resourceAttributes } : {}),
    };
    if (where === 'cluster') return [{ host: sink.authority, port: sink.port, ...deltas }];
    const [first, ...more] = sink.endpoints;
    return first ? [{ ...first, ...(more.length > 0 ? { more } : {}), ...deltas }] : [];
  });

const MATCH_TYPES = new Set(['Exact', 'Prefix', 'Suffix', 'RegularExpression']);
const COMPRESSORS = new Set(['Gzip', 'Brotli', 'Zstd']);

/**
 * The bootstrap metrics settings of an EnvoyProxy spec (as the Infra IR carries it); `sinks`, the
 * translator's resolved OpenTelemetry sinks (backendRefs), in place of the spec's own host and port.
 */
export const proxyMetrics = (
  envoyProxy: Readonly<Record<string, unknown>> | undefined,
  sinks?: readonly MetricSinkTarget[],
): ProxyMetrics => {
  const telemetry = isRecord(envoyProxy?.telemetry) ? envoyProxy.telemetry : {};
  const metrics = isRecord(telemetry.metrics) ? telemetry.metrics : {};
  const matches = (Array.isArray(metrics.matches) ? metrics.matches : []).flatMap((m) =>
    isRecord(m) && typeof m.value === 'string'
      ? [
          {
            type: (typeof m.type === 'string' && MATCH_TYPES.has(m.type)
              ? m.type
              : 'Exact') as StatsMatch['type'],
            value: m.value,
          },
        ]
      : [],
  );
  const prometheus = isRecord(metrics.prometheus) ? metrics.prometheus : {};
  const compression = isRecord(prometheus.compression) ? prometheus.compression : undefined;
  const type = typeof compression?.type === 'string' ? compression.type : undefined;
  // An int-or-string quantity (`1Ki`), as Envoy Gateway reads it; the gzip, brotli and zstd
  // objects beside `type` have no settings of their own: the library `type` names is used as is.
  const min = parseQuantity(compression?.minContentLength);
  const openTelemetry =
    sinks ??
    (Array.isArray(metrics.sinks) ? metrics.sinks : []).flatMap((sink) => {
      const otel = isRecord(sink) && sink.type === 'OpenTelemetry' ? sink.openTelemetry : undefined;
      return isRecord(otel) && typeof otel.host === 'string'
        ? [{ host: otel.host, port: typeof otel.port === 'number' ? otel.port : 4317 }]
        : [];
    });
  return {
    ...(openTelemetry.length > 0 ? { openTelemetry } : {}),
    ...(matches.length > 0 ? { matches } : {}),
    ...(type !== undefined && COMPRESSORS.has(type)
      ? {
          compression: {
            type: type as 'Gzip' | 'Brotli' | 'Zstd',
            ...(typeof min === 'number' ? { minContentLength: min } : {}),
          },
        }
      : {}),
  };
};

const stringMatcher = ({ type, value }: StatsMatch): StringMatcher => ({
  ignoreCase: false,
  ...(type === 'Prefix'
    ? { prefix: value }
    : type === 'Suffix'
      ? { suffix: value }
      : type === 'RegularExpression'
        ? { safeRegex: { regex: value } }
        : { exact: value }),
});

/** The bootstrap's `stats_config` for `metrics`, or nothing when every stat is kept. */
export const statsConfig = (metrics: ProxyMetrics | undefined): { statsConfig?: StatsConfig } =>
  metrics?.matches === undefined
    ? {}
    : {
        statsConfig: {
          statsTags: [],
          statsMatcher: { inclusionList: { patterns: metrics.matches.map(stringMatcher) } },
          histogramBucketSettings: [],
        },
      };

const compressorLibrary = (type: 'Gzip' | 'Brotli' | 'Zstd') =>
  type === 'Brotli'
    ? {
        name: 'envoy.compression.brotli.compressor',
        typedConfig: packAny(Brotli, Brotli.fromPartial({})),
      }
    : type === 'Zstd'
      ? {
          name: 'envoy.compression.zstd.compressor',
          typedConfig: packAny(Zstd, Zstd.fromPartial({})),
        }
      : {
          name: 'envoy.compression.gzip.compressor',
          typedConfig: packAny(Gzip, Gzip.fromPartial({})),
        };

/** The ready listener's compressor, before its router, when `metrics` asks for one. */
export const prometheusCompressor = (metrics: ProxyMetrics | undefined): HttpFilter[] => {
  const compression = metrics?.compression;
  if (compression === undefined) return [];
  return [
    {
      name: 'envoy.filters.http.compressor',
      typedConfig: packAny(
        Compressor,
        Compressor.fromPartial({
          compressorLibrary: compressorLibrary(compression.type),
          ...(compression.minContentLength === undefined
            ? {}
            : {
                responseDirectionConfig: {
                  commonConfig: { minContentLength: compression.minContentLength },
                },
              }),
        }),
      ),
      isOptional: false,
      disabled: false,
    },
  ];
};

/** The cluster of the `n`th OpenTelemetry metric sink, named as Envoy Gateway names it. */
const sinkCluster = (n: number) => `otel_metric_sink_${n}`;

/**
 * The bootstrap's OpenTelemetry stats sinks (Envoy's open_telemetry stat sink, OTLP/gRPC) and
 * the static clusters they push to: an IP as is, a hostname resolved by Envoy
 * (https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/stat_sinks/open_telemetry/v3/open_telemetry.proto).
 */
export const metricSinks = (
  metrics: ProxyMetrics | undefined,
): { statsSinks: NonNullable<Bootstrap['statsSinks']>; clusters: Cluster[] } => {
  const sinks = metrics?.openTelemetry ?? [];
  return {
    statsSinks: sinks.map((sink, n) => ({
      name: 'envoy.stat_sinks.open_telemetry',
      typedConfig: packAny(
        OpenTelemetryStatsSinkConfig,
        OpenTelemetryStatsSinkConfig.fromPartial({
          grpcService: {
            envoyGrpc: { clusterName: sinkCluster(n) },
            initialMetadata: (sink.headers ?? []).map(({ name, value }) => ({
              key: name.toLowerCase(),
              value,
            })),
          },
          reportCountersAsDeltas: sink.reportCountersAsDeltas === true,
          reportHistogramsAsDeltas: sink.reportHistogramsAsDeltas === true,
          // Envoy 1.40's sink has no resource attributes of its own: the static resource
          // detector (the OpenTelemetry tracer's too) adds them to every export's resource.
          resourceDetectors: sink.resourceAttributes
            ? [
                {
                  name: 'envoy.tracers.opentelemetry.resource_detectors.static_config',
                  typedConfig: packAny(
                    StaticConfigResourceDetectorConfig,
                    StaticConfigResourceDetectorConfig.fromPartial({
                      attributes: { ...sink.resourceAttributes },
                    }),
                  ),
                },
              ]
            : [],
        }),
      ),
    })),
    clusters: sinks.map(({ host, port, more = [] }, n) =>
      Cluster.fromPartial({
        name: sinkCluster(n),
        type: [host, ...more.map((m) => m.host)].every((h) => isIP(h) !== 0)
          ? Cluster_DiscoveryType.STATIC
          : Cluster_DiscoveryType.STRICT_DNS,
        connectTimeout: { seconds: 10 },
        // OTLP/gRPC needs HTTP/2 upstream.
        typedExtensionProtocolOptions: {
          'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': packAny(
            HttpProtocolOptions,
            HttpProtocolOptions.fromPartial({ explicitHttpConfig: { http2ProtocolOptions: {} } }),
          ),
        },
        loadAssignment: {
          clusterName: sinkCluster(n),
          endpoints: [
            {
              lbEndpoints: [{ host, port }, ...more].map((address) => ({
                endpoint: {
                  address: { socketAddress: { address: address.host, portValue: address.port } },
                },
              })),
            },
          ],
        },
      }),
    ),
  };
};
