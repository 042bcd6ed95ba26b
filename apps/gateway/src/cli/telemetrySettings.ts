// EnvoyGateway `telemetry` (the control plane's own) as `egts server` runs it: Envoy Gateway's
// Prometheus endpoint (port 19001, /metrics) unless `metrics.prometheus.disable`, and its
// OpenTelemetry metric sinks (port 4317; OpenTelemetry's 60s export interval and 30s timeout).
// And its traces: a span per message a runner handles, to an OpenTelemetry sink (`traces`).
import type { ControlPlaneTelemetry } from '../admin/telemetryServer.js';
import type { EnvoyGatewayConfig } from './serverSettings.js';

/** Envoy Gateway's port of the control plane's Prometheus endpoint. */
export const CONTROL_PLANE_METRICS_PORT = 19001;

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** A Gateway API Duration (the schema checked its form) in milliseconds. */
const durationMs = (value: string): number =>
  [...value.matchAll(/(\d+)(ms|h|m|s)/g)].reduce(
    (total, [, amount, unit]) => total + Number(amount) * (UNIT_MS[unit ?? 's'] ?? 0),
    0,
  );

/**
 * The control plane's telemetry: `host` is where the Prometheus endpoint listens unless the
 * configuration says (Envoy Gateway: every address, as a pod is scraped from outside).
 */
export function telemetrySettings(config: EnvoyGatewayConfig, host: string): ControlPlaneTelemetry {
  const metrics = config.telemetry?.metrics;
  const address = metrics?.address;
  const sinks = (metrics?.sinks ?? []).flatMap((sink) => {
    const otel = sink.openTelemetry;
    if (otel === undefined) return [];
    return [
      {
        host: otel.host,
        port: otel.port,
        protocol: otel.protocol,
        exportIntervalMs: otel.exportInterval ? durationMs(otel.exportInterval) : 60_000,
        exportTimeoutMs: otel.exportTimeout ? durationMs(otel.exportTimeout) : 30_000,
      },
    ];
  });
  return {
    prometheus:
      metrics?.prometheus?.disable === true
        ? undefined
        : { host: address?.host ?? host, port: address?.port ?? CONTROL_PLANE_METRICS_PORT },
    sinks,
    ...tracesSettings(config),
  };
}

/** `telemetry.traces`: its OpenTelemetry sink, unless disabled; nothing without a sink. */
const tracesSettings = (config: EnvoyGatewayConfig): Pick<ControlPlaneTelemetry, 'traces'> => {
  const traces = config.telemetry?.traces;
  const otel = traces?.sink.openTelemetry;
  if (traces === undefined || traces.disable === true || otel === undefined) return {};
  const batch = traces.batchSpanProcessor;
  return {
    traces: {
      host: otel.host,
      port: otel.port,
      protocol: otel.protocol,
      samplingRate: traces.samplingRate ?? 1,
      batch: {
        timeoutMs: batch?.batchTimeout ? durationMs(batch.batchTimeout) : undefined,
        maxExportBatchSize: batch?.maxExportBatchSize,
        maxQueueSize: batch?.maxQueueSize,
      },
    },
  };
};
