// The EnvoyGateway `rateLimit.telemetry` block as the Rate Limit Service's environment, as Envoy
// Gateway sets it: `metrics.prometheus.disable` turns its Prometheus endpoint off; `tracing`
// exports its spans over OTLP/HTTP to `provider.url`, sampling `samplingRate` percent (default
// 100). Pure; both the host and the Kubernetes service take their variables from here.

/** What the service is told about metrics and tracing. */
export interface RateLimitTelemetry {
  /** Serve Prometheus metrics (default true). */
  readonly prometheus: boolean;
  readonly tracing?: { readonly url: string; readonly samplingPercent: number };
}

const obj = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;

/**
 * Reads `rateLimit.telemetry`; `problems` names what cannot be applied (a tracing block without a
 * provider URL, a provider type other than OpenTelemetry), for the caller to report.
 */
export function readRateLimitTelemetry(raw: unknown): {
  telemetry: RateLimitTelemetry;
  problems: string[];
} {
  const telemetry = obj(raw);
  const problems: string[] = [];
  const prometheus = obj(obj(obj(telemetry?.metrics)?.prometheus));
  const tracing = obj(telemetry?.tracing);
  const provider = obj(tracing?.provider);
  const url = typeof provider?.url === 'string' ? provider.url : undefined;
  const type = provider?.type;
  if (tracing !== undefined && url === undefined)
    problems.push('rateLimit.telemetry.tracing.provider.url is required: tracing is off');
  if (type !== undefined && type !== 'OpenTelemetry')
    problems.push(
      `rateLimit.telemetry.tracing.provider.type ${String(type)} is not supported (OpenTelemetry only): tracing is off`,
    );
  const rate = tracing?.samplingRate;
  const samplingPercent =
    typeof rate === 'number' && rate >= 0 && rate <= 100 ? rate : rate === undefined ? 100 : -1;
  if (samplingPercent < 0)
    problems.push('rateLimit.telemetry.tracing.samplingRate must be within 0-100: tracing is off');
  const traced = url !== undefined && problems.length === 0;
  return {
    telemetry: {
      prometheus: prometheus?.disable !== true,
      ...(traced ? { tracing: { url, samplingPercent } } : {}),
    },
    problems,
  };
}

/** The service's environment variables for `telemetry` (github.com/envoyproxy/ratelimit settings). */
export function rateLimitTelemetryEnv(
  telemetry: RateLimitTelemetry,
  serviceNamespace?: string,
): Record<string, string> {
  const { tracing } = telemetry;
  return {
    USE_PROMETHEUS: telemetry.prometheus ? 'true' : 'false',
    ...(tracing
      ? {
          TRACING_ENABLED: 'true',
          TRACING_SERVICE_NAME: 'envoy-ratelimit',
          ...(serviceNamespace ? { TRACING_SERVICE_NAMESPACE: serviceNamespace } : {}),
          TRACING_EXPORTER_PROTOCOL: 'http',
          TRACING_SAMPLING_RATE: String(tracing.samplingPercent / 100),
          // The OTLP exporter wants a URL; Envoy Gateway's examples give host:port.
          OTEL_EXPORTER_OTLP_ENDPOINT: /^[a-z]+:\/\//.test(tracing.url)
            ? tracing.url
            : `http://${tracing.url}`,
        }
      : {}),
  };
}
