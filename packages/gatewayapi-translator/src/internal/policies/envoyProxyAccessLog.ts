// EnvoyProxy `telemetry.accessLog` as the fleet's IR access log: each setting's format (JSON
// fields or a text line; absent, Envoy Gateway's default JSON) written by each of its sinks (a
// File, an OpenTelemetry collector, an access log service), on listeners, routes or both
// (`type`), for the requests its CEL `matches` all accept. `disable` turns every access log off.
// OpenTelemetry and ALS sinks get a cluster each, `accesslog-<n>` in sink order, as Envoy Gateway
// names them.

import type { EnvoyProxy } from '@egts/api';
import type { AccessLog, AccessLogSink, XdsIR } from '@egts/ir';
import type { TranslatorContext } from '../context/translatorContext.js';
import { telemetryBackend } from './telemetryBackend.js';
import { list, type Obj, obj } from './validation/policyValues.js';

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

const stringMap = (value: unknown): Record<string, string> =>
  Object.fromEntries(
    Object.entries(obj(value) ?? {}).flatMap(([k, v]) =>
      typeof v === 'string' ? [[k, v] as const] : [],
    ),
  );

/** What a sink writes to: a file, or a service (undefined when its backend does not resolve). */
function sinkTarget(
  ctx: TranslatorContext,
  proxy: EnvoyProxy,
  sink: Obj,
  name: () => string,
): Pick<AccessLogSink, 'path' | 'openTelemetry' | 'als'> | undefined {
  if (sink.type === 'File') {
    const path = obj(sink.file)?.path;
    return typeof path === 'string' ? { path } : undefined;
  }
  const otel = obj(sink.openTelemetry);
  if (sink.type === 'OpenTelemetry' && otel) {
    const backend = telemetryBackend(ctx, proxy, otel, name(), 'GRPC');
    if (!backend) return undefined;
    const headers = list(otel.headers).flatMap((h) =>
      typeof h.name === 'string'
        ? [{ name: h.name, value: typeof h.value === 'string' ? h.value : '' }]
        : [],
    );
    return {
      openTelemetry: {
        ...backend,
        ...(headers.length > 0 ? { headers } : {}),
        // `resources` is the deprecated spelling; `resourceAttributes` wins on a clash.
        resourceAttributes: {
          ...stringMap(otel.resources),
          ...stringMap(otel.resourceAttributes),
        },
      },
    };
  }
  const als = obj(sink.als);
  if (sink.type === 'ALS' && als) {
    const backend = telemetryBackend(ctx, proxy, als, name(), 'GRPC');
    if (!backend) return undefined;
    const http = obj(als.http);
    return {
      als: {
        ...backend,
        logName: typeof als.logName === 'string' ? als.logName : 'accesslog',
        type: als.type === 'TCP' ? 'TCP' : 'HTTP',
        requestHeaders: strings(http?.requestHeaders),
        responseHeaders: strings(http?.responseHeaders),
        responseTrailers: strings(http?.responseTrailers),
      },
    };
  }
  return undefined;
}

export function accessLogIR(
  ctx: TranslatorContext,
  proxy: EnvoyProxy | undefined,
): AccessLog | undefined {
  const accessLog = obj(
    obj(obj((proxy as { spec?: unknown } | undefined)?.spec)?.telemetry)?.accessLog,
  );
  if (proxy === undefined || accessLog === undefined) return undefined;
  if (accessLog.disable === true) return { sinks: [] };
  const settings = list(accessLog.settings);
  if (settings.length === 0) return undefined;
  const sinks: AccessLogSink[] = [];
  let services = 0;
  const nextName = () => `accesslog-${services++}`;
  for (const setting of settings) {
    const format = obj(setting.format);
    const json = obj(format?.json);
    const type =
      setting.type === 'Listener' || setting.type === 'Route' || setting.type === 'Upstream'
        ? setting.type
        : undefined;
    const matches = strings(setting.matches);
    for (const sink of list(setting.sinks)) {
      const target = sinkTarget(ctx, proxy, sink, nextName);
      if (target === undefined) continue;
      sinks.push({
        ...target,
        ...(format?.type === 'Text' && typeof format.text === 'string'
          ? { text: format.text }
          : {}),
        ...(format?.type === 'JSON' && json
          ? { json: Object.fromEntries(Object.entries(json).map(([k, v]) => [k, String(v)])) }
          : {}),
        ...(type ? { type } : {}),
        ...(matches.length > 0 ? { matches } : {}),
      });
    }
  }
  return { sinks };
}

/** The IR with the fleet's access log, when its EnvoyProxy sets one. */
export function withAccessLog(
  ctx: TranslatorContext,
  ir: XdsIR,
  proxy: EnvoyProxy | undefined,
): XdsIR {
  const log = accessLogIR(ctx, proxy);
  return log === undefined ? ir : { ...ir, accessLog: log };
}
