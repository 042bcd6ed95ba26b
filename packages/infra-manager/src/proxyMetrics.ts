// EnvoyProxy `telemetry.metrics` settings that live in a proxy's bootstrap, as Envoy Gateway puts
// them there: the stats Envoy keeps (`matches`, Envoy's stats_matcher inclusion list: only the
// stats that match are created) and the compression of the ready listener's `/stats/prometheus`
// (`prometheus.compression`, Envoy's compressor filter in front of the admin route)
// (https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/metrics/v3/stats.proto#config-metrics-v3-statsmatcher).
import {
  type Bootstrap,
  Brotli,
  Compressor,
  Gzip,
  type HttpFilter,
  packAny,
  Zstd,
} from '@egts/envoy-api';

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
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const MATCH_TYPES = new Set(['Exact', 'Prefix', 'Suffix', 'RegularExpression']);
const COMPRESSORS = new Set(['Gzip', 'Brotli', 'Zstd']);

/** The bootstrap metrics settings of an EnvoyProxy spec (as the Infra IR carries it). */
export const proxyMetrics = (
  envoyProxy: Readonly<Record<string, unknown>> | undefined,
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
  const min = compression?.minContentLength;
  return {
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
