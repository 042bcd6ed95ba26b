// Exports the control plane's own spans to an OpenTelemetry collector (EnvoyGateway
// `telemetry.traces`): one span per message a runner handles (runnerSpans in
// controlPlaneMetrics.ts), sampled at `samplingRate` by trace ID and sent in batches over
// OTLP/gRPC or OTLP/HTTP. Loaded only when tracing is configured.
import { SpanStatusCode } from '@opentelemetry/api';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as HttpExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import type { SpanRecorder } from './controlPlaneMetrics.js';

export interface TraceSink {
  readonly host: string;
  readonly port: number;
  readonly protocol: 'grpc' | 'http';
  /** Share of traces kept, 0 to 1 (Envoy Gateway's default 1). */
  readonly samplingRate: number;
  readonly batch: {
    readonly timeoutMs?: number | undefined;
    readonly maxExportBatchSize?: number | undefined;
    readonly maxQueueSize?: number | undefined;
  };
}

/** A recorder of spans exported to `sink`, and how to stop it after a last export. */
export function startTraceSink(sink: TraceSink): {
  record: SpanRecorder;
  close(): Promise<void>;
} {
  const exporter =
    sink.protocol === 'grpc'
      ? new GrpcExporter({ url: `http://${sink.host}:${sink.port}` })
      : new HttpExporter({ url: `http://${sink.host}:${sink.port}/v1/traces` });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'egts' }),
    sampler: new TraceIdRatioBasedSampler(sink.samplingRate),
    spanProcessors: [
      new BatchSpanProcessor(exporter, {
        ...(sink.batch.timeoutMs === undefined
          ? {}
          : { scheduledDelayMillis: sink.batch.timeoutMs }),
        ...(sink.batch.maxExportBatchSize === undefined
          ? {}
          : { maxExportBatchSize: sink.batch.maxExportBatchSize }),
        ...(sink.batch.maxQueueSize === undefined ? {} : { maxQueueSize: sink.batch.maxQueueSize }),
      }),
    ],
  });
  const tracer = provider.getTracer('envoy-gateway');
  return {
    record: ({ name, attributes, startMs, endMs, ok }) => {
      const span = tracer.startSpan(name, { startTime: startMs, attributes });
      if (!ok) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end(endMs);
    },
    close: () => provider.shutdown(),
  };
}
