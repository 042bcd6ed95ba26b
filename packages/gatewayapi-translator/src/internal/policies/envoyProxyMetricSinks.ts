// EnvoyProxy `telemetry.metrics.sinks[]` of type OpenTelemetry, resolved for the proxy's bootstrap
// as Envoy Gateway's bootstrap does: the first backendRef (else the deprecated host and port), one
// sink per distinct collector address, with the delta temporality settings, the headers sent with
// each export and the resource attributes
// (https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/stat_sinks/open_telemetry/v3/open_telemetry.proto).

import type { EnvoyProxy } from '@egts/api';
import { isRecord } from '@egts/api';
import type { ProxyInfra } from '@egts/ir';
import type { TranslatorContext } from '../context/translatorContext.js';
import { telemetryBackend } from './telemetryBackend.js';
import { serviceBackendRefs } from './validation/policyBackendRefs.js';
import type { Obj } from './validation/policyValues.js';

type MetricSink = NonNullable<ProxyInfra['metricSinks']>[number];

/** A sink's `headers` and `resourceAttributes`, when it has them. */
function exportSettings(otel: Obj): Pick<MetricSink, 'headers' | 'resourceAttributes'> {
  const headers = (Array.isArray(otel.headers) ? otel.headers : []).flatMap((h) =>
    isRecord(h) && typeof h.name === 'string' && typeof h.value === 'string'
      ? [{ name: h.name, value: h.value }]
      : [],
  );
  const attributes = isRecord(otel.resourceAttributes)
    ? Object.fromEntries(
        Object.entries(otel.resourceAttributes).filter(
          (entry): entry is [string, string] => typeof entry[1] === 'string',
        ),
      )
    : {};
  return {
    ...(headers.length > 0 ? { headers } : {}),
    ...(Object.keys(attributes).length > 0 ? { resourceAttributes: attributes } : {}),
  };
}

/** The sinks of `proxy`, or undefined when it has none (a ref that does not resolve is left out). */
export function metricSinks(
  ctx: TranslatorContext,
  proxy: EnvoyProxy | undefined,
): MetricSink[] | undefined {
  const metrics = proxy?.spec.telemetry?.metrics as Obj | undefined;
  const sinks = Array.isArray(metrics?.sinks) ? (metrics.sinks as unknown[]) : [];
  const resolved: MetricSink[] = [];
  for (const [n, sink] of sinks.entries()) {
    const otel = isRecord(sink) && sink.type !== 'File' ? sink.openTelemetry : undefined;
    if (!proxy || !isRecord(otel)) continue;
    // Envoy Gateway takes the first backendRef only (and egts, when `backendRefs` is empty, the
    // deprecated singular `backendRef`, as for every telemetry service).
    const refs = serviceBackendRefs(otel).slice(0, 1);
    const backend = telemetryBackend(
      ctx,
      proxy,
      { ...otel, backendRefs: refs },
      `metrics/${n}`,
      'GRPC',
    );
    const setting = backend?.destination.settings[0];
    if (!backend || !setting) continue;
    const firstRef = refs[0];
    const port =
      typeof firstRef?.port === 'number'
        ? firstRef.port
        : typeof otel.port === 'number'
          ? otel.port
          : 4317;
    // In a cluster the proxy reaches a Service by its DNS name, a Backend at its own endpoint.
    const first = setting.endpoints[0];
    const [authority, authorityPort] =
      firstRef?.kind === 'Backend' && first ? [first.host, first.port] : [backend.authority, port];
    if (resolved.some((s) => s.authority === authority && s.port === authorityPort)) continue;
    resolved.push({
      authority,
      port: authorityPort,
      endpoints: setting.endpoints.map((e) => ({ host: e.host, port: e.port })),
      reportCountersAsDeltas: otel.reportCountersAsDeltas === true,
      reportHistogramsAsDeltas: otel.reportHistogramsAsDeltas === true,
      ...exportSettings(otel),
    });
  }
  return resolved.length > 0 ? resolved : undefined;
}
