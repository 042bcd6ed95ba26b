// Pushes the control plane's metrics to an OpenTelemetry collector (EnvoyGateway
// `telemetry.metrics.sinks[].openTelemetry`), over OTLP/gRPC or OTLP/HTTP, every export interval,
// through the OpenTelemetry SDK's periodic reader fed by registryProducer.ts. Loaded only when a
// sink is configured: the OpenTelemetry SDK costs start-up time nothing else pays.
import { OTLPMetricExporter as GrpcExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as HttpExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { Registry } from 'prom-client';
import { registryProducer } from './registryProducer.js';

export interface MetricSink {
  readonly host: string;
  readonly port: number;
  readonly protocol: 'grpc' | 'http';
  readonly exportIntervalMs: number;
  readonly exportTimeoutMs: number;
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
