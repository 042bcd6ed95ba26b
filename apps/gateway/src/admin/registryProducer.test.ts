// The registry as OpenTelemetry metric data: counters as cumulative monotonic sums, gauges as
// gauges, Prometheus's cumulative histogram buckets as per-bucket counts.
import { DataPointType, type HistogramMetricData } from '@opentelemetry/sdk-metrics';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { registryProducer } from './registryProducer.js';

describe('registryProducer', () => {
  it('hands over counters, gauges and histograms with their labels', async () => {
    const registry = new Registry();
    const registers = [registry];
    new Counter({ name: 'c_total', help: 'c', labelNames: ['runner'], registers }).inc(
      { runner: 'gateway-api' },
      3,
    );
    new Gauge({ name: 'g', help: 'g', registers }).set(7);
    const h = new Histogram({ name: 'h_seconds', help: 'h', buckets: [0.1, 1], registers });
    for (const v of [0.05, 0.5, 0.7, 5]) h.observe(v);

    const { resourceMetrics } = await registryProducer(registry).collect();
    const metrics = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
    const byName = new Map(metrics.map((m) => [m.descriptor.name, m]));
    const counter = byName.get('c_total');
    expect(counter?.dataPointType).toBe(DataPointType.SUM);
    expect(counter?.dataPoints[0]).toMatchObject({
      attributes: { runner: 'gateway-api' },
      value: 3,
    });
    expect(byName.get('g')?.dataPointType).toBe(DataPointType.GAUGE);
    expect(byName.get('g')?.dataPoints[0]?.value).toBe(7);
    const histogram = byName.get('h_seconds') as HistogramMetricData;
    expect(histogram.dataPointType).toBe(DataPointType.HISTOGRAM);
    expect(histogram.dataPoints[0]?.value).toMatchObject({
      buckets: { boundaries: [0.1, 1], counts: [1, 2, 1] },
      count: 4,
    });
    expect(histogram.dataPoints[0]?.value.sum).toBeCloseTo(6.25);
  });
});
