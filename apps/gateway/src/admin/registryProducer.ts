// prom-client's registry (what /metrics serves) as an OpenTelemetry MetricProducer: at each
// collection it hands over a copy of the metrics, counters as cumulative monotonic sums, gauges as
// gauges, histograms with their bucket counts.
import { ValueType } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  type DataPoint,
  DataPointType,
  type Histogram,
  type MetricData,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';
import type { MetricObjectWithValues, MetricValue, Registry } from 'prom-client';

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
