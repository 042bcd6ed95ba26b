// Pushes the control plane's metrics to an OpenTelemetry collector (EnvoyGateway
// `telemetry.metrics.sinks[].openTelemetry`), over OTLP/gRPC or OTLP/HTTP, every export interval.
// The metrics live in prom-client's registry (what /metrics serves); a MetricProducer hands the
// OpenTelemetry SDK's periodic reader a copy of them at each collection: counters as cumulative
// monotonic sums, gauges as gauges, histograms with their bucket counts. Loaded only when a sink
// is configured: the OpenTelemetry SDK costs start-up time nothing else pays.
import { ValueType } from '@opentelemetry/api';
import { OTLPMetricExporter as GrpcExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as HttpExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  type DataPoint,
  DataPointType,
  type Histogram,
  MeterProvider,
  type MetricData,
  type MetricProducer,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import type { MetricObjectWithValues, MetricValue, Registry } from 'prom-client';

export interface MetricSink {
  readonly host: string;
  readonly port: number;
  readonly protocol: 'grpc' | 'http';
  readonly exportIntervalMs: number;
  readonly exportTimeoutMs: number;
}

type HrTime = [number, number];
const hrTime = (ms: number): HrTime => [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)];

const attributes = (labels: MetricValue<string>['labels']) =>
  Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)]));

/** Histogram data points from prom-client's cumulative `_bucket`, `_sum` and `_count` values. */
function histogramPoints(
  metric: MetricObjectWithValues<MetricValue<string> & { metricName?: string }>,
  start: HrTime,
  end: HrTime,
): DataPoint<Histogram>[] {
  const series = new Map<
    string,
    { labels: Record<string, string>; le: [number, number][]; sum: number; count: number }
  >();
  for (const value of metric.values) {
    const { le, ...labels } = attributes(value.labels);
    const key = JSON.stringify(labels);
    let point = series.get(key);
    if (point === undefined) {
      point = { labels, le: [], sum: 0, count: 0 };
      series.set(key, point);
    }
    if (value.metricName?.endsWith('_bucket') && le !== undefined)
      point.le.push([le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), value.value]);
    else if (value.metricName?.endsWith('_sum')) point.sum = value.value;
    else if (value.metricName?.endsWith('_count')) point.count = value.value;
  }
  return [...series.values()].map((point) => {
    const sorted = point.le.sort((a, b) => a[0] - b[0]);
    // OTLP buckets count what falls in each, the last one above every bound; Prometheus's are cumulative.
    const counts = sorted.map(([, cumulative], i) => cumulative - (sorted[i - 1]?.[1] ?? 0));
    return {
      startTime: start,
      endTime: end,
      attributes: point.labels,
      value: {
        buckets: {
          boundaries: sorted.map(([bound]) => bound).filter(Number.isFinite),
          counts,
        },
        sum: point.sum,
        count: point.count,
      },
    };
  });
}

/** prom-client's metrics as OpenTelemetry metric data. */
function metricData(
  metric: MetricObjectWithValues<MetricValue<string>>,
  start: HrTime,
  end: HrTime,
): MetricData | undefined {
  const descriptor = {
    name: metric.name,
    description: metric.help,
    unit: '',
    valueType: ValueType.DOUBLE,
  };
  const points = (): DataPoint<number>[] =>
    metric.values.map((value) => ({
      startTime: start,
      endTime: end,
      attributes: attributes(value.labels),
      value: value.value,
    }));
  const cumulative = AggregationTemporality.CUMULATIVE;
  switch (String(metric.type)) {
    case 'counter':
      return {
        descriptor,
        aggregationTemporality: cumulative,
        dataPointType: DataPointType.SUM,
        dataPoints: points(),
        isMonotonic: true,
      };
    case 'gauge':
      return {
        descriptor,
        aggregationTemporality: cumulative,
        dataPointType: DataPointType.GAUGE,
        dataPoints: points(),
      };
    case 'histogram':
      return {
        descriptor,
        aggregationTemporality: cumulative,
        dataPointType: DataPointType.HISTOGRAM,
        dataPoints: histogramPoints(metric, start, end),
      };
    default:
      return undefined;
  }
}

/** The registry as an OpenTelemetry MetricProducer. */
export function registryProducer(registry: Registry): MetricProducer {
  const started = hrTime(Date.now());
  return {
    async collect() {
      const now = hrTime(Date.now());
      const all = await registry.getMetricsAsJSON();
      return {
        resourceMetrics: {
          resource: resourceFromAttributes({ 'service.name': 'egts' }),
          scopeMetrics: [
            {
              scope: { name: 'envoy-gateway' },
              metrics: all
                .map((metric) => metricData(metric, started, now))
                .filter((m): m is MetricData => m !== undefined),
            },
          ],
        },
        errors: [],
      };
    },
  };
}

/** Starts pushing to `sink`; the returned function stops it after a last export. */
export function startMetricSink(registry: Registry, sink: MetricSink): () => Promise<void> {
  const exporter =
    sink.protocol === 'grpc'
      ? new GrpcExporter({ url: `http://${sink.host}:${sink.port}` })
      : new HttpExporter({ url: `http://${sink.host}:${sink.port}/v1/metrics` });
  const reader = new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: sink.exportIntervalMs,
    // The SDK refuses a timeout longer than the interval.
    exportTimeoutMillis: Math.min(sink.exportTimeoutMs, sink.exportIntervalMs),
    metricProducers: [registryProducer(registry)],
  });
  // The reader needs a provider to collect through; its own meters stay empty.
  const provider = new MeterProvider({ readers: [reader] });
  return () => provider.shutdown();
}
