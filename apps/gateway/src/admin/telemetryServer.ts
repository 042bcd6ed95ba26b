// The control plane's own telemetry as Envoy Gateway serves it (EnvoyGateway `telemetry.metrics`):
// a Prometheus endpoint at /metrics on its own port (Envoy Gateway's 19001) unless
// `prometheus.disable`, and OpenTelemetry sinks pushed to every export interval. Neither stops
// the control plane: a port that cannot be bound or a sink that cannot start is logged, as Envoy
// Gateway logs its metrics server's failure, and the admin API's /metrics serves the same.
// `telemetry.traces` exports a span per message each runner handles (otlpTraceSink.ts).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ControlPlaneMetrics } from './controlPlaneMetrics.js';
import type { MetricSink } from './otlpMetricSink.js';
import type { TraceSink } from './otlpTraceSink.js';

export type { MetricSink } from './otlpMetricSink.js';
export type { TraceSink } from './otlpTraceSink.js';

export interface ControlPlaneTelemetry {
  /** Where the Prometheus endpoint listens; undefined with `prometheus.disable`. */
  readonly prometheus?: { readonly host: string; readonly port: number } | undefined;
  readonly sinks: readonly MetricSink[];
  /** Where the control plane's spans go; undefined without tracing (or `traces.disable`). */
  readonly traces?: TraceSink | undefined;
}

export interface RunningTelemetry {
  /** The Prometheus endpoint's port, when it listens. */
  readonly prometheusPort: number | undefined;
  close(): Promise<void>;
}

/** Envoy Gateway's path of the control plane's Prometheus endpoint. */
export const METRICS_PATH = '/metrics';

const listen = (server: Server, host: string, port: number) =>
  new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });

export async function startControlPlaneTelemetry(
  telemetry: ControlPlaneTelemetry,
  registry: Registry,
  metrics: ControlPlaneMetrics,
  log: Logger,
): Promise<RunningTelemetry> {
  let server: Server | undefined;
  let prometheusPort: number | undefined;
  if (telemetry.prometheus) {
    const { host, port } = telemetry.prometheus;
    const candidate = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://metrics').pathname;
      if (req.method !== 'GET' || path !== METRICS_PATH) {
        res
          .writeHead(404, { 'content-type': 'text/plain' })
          .end(`not found; try ${METRICS_PATH}\n`);
        return;
      }
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (error: unknown) => res.writeHead(500).end(`${String(error)}\n`),
      );
    });
    try {
      prometheusPort = await listen(candidate, host, port);
      server = candidate;
      log.info(
        { host, port: prometheusPort, path: METRICS_PATH },
        'control plane metrics listening',
      );
    } catch (error) {
      log.error(
        { err: error, host, port },
        'control plane metrics server failed to start; the admin API serves /metrics',
      );
    }
  }
  const stops: (() => Promise<void>)[] = [];
  if (telemetry.sinks.length > 0) {
    for (const sink of telemetry.sinks) {
      try {
        // The OpenTelemetry SDK loads only for a configured sink.
        const { startMetricSink } = await import('./otlpMetricSink.js');
        stops.push(startMetricSink(registry, sink));
        log.info(
          { host: sink.host, port: sink.port, protocol: sink.protocol },
          'pushing control plane metrics to an OpenTelemetry sink',
        );
      } catch (error) {
        log.error({ err: error, host: sink.host }, 'OpenTelemetry metric sink failed to start');
      }
    }
  }
  if (telemetry.traces) {
    const sink = telemetry.traces;
    try {
      const { startTraceSink } = await import('./otlpTraceSink.js');
      const traces = startTraceSink(sink);
      metrics.spans = traces.record;
      stops.push(async () => {
        metrics.spans = undefined;
        await traces.close();
      });
      log.info(
        { host: sink.host, port: sink.port, protocol: sink.protocol },
        'exporting control plane traces to an OpenTelemetry sink',
      );
    } catch (error) {
      log.error({ err: error, host: sink.host }, 'OpenTelemetry trace sink failed to start');
    }
  }
  return {
    prometheusPort,
    async close() {
      await Promise.all(stops.map((stop) => stop().catch(() => undefined)));
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    },
  };
}
