// EnvoyProxy `telemetry.accessLog` as the fleet's IR access log: each setting's format (JSON
// fields or a text line; absent, Envoy Gateway's default JSON) written by each of its File sinks,
// on listeners, routes or both (`type`). `disable` turns every access log off. Other sink types
// (ALS, OpenTelemetry) and CEL matches are refused by the registry, so they never reach here.

import type { EnvoyProxy } from '@egts/api';
import type { AccessLog, AccessLogSink, XdsIR } from '@egts/ir';
import { list, obj } from './validation/policyValues.js';

export function accessLogIR(proxy: EnvoyProxy | undefined): AccessLog | undefined {
  const accessLog = obj(
    obj(obj((proxy as { spec?: unknown } | undefined)?.spec)?.telemetry)?.accessLog,
  );
  if (accessLog === undefined) return undefined;
  if (accessLog.disable === true) return { sinks: [] };
  const settings = list(accessLog.settings);
  if (settings.length === 0) return undefined;
  const sinks: AccessLogSink[] = [];
  for (const setting of settings) {
    const format = obj(setting.format);
    const json = obj(format?.json);
    const type = setting.type === 'Listener' || setting.type === 'Route' ? setting.type : undefined;
    for (const sink of list(setting.sinks)) {
      const path = obj(sink.file)?.path;
      if (sink.type !== 'File' || typeof path !== 'string') continue;
      sinks.push({
        path,
        ...(format?.type === 'Text' && typeof format.text === 'string'
          ? { text: format.text }
          : {}),
        ...(format?.type === 'JSON' && json
          ? { json: Object.fromEntries(Object.entries(json).map(([k, v]) => [k, String(v)])) }
          : {}),
        ...(type ? { type } : {}),
      });
    }
  }
  return { sinks };
}

/** The IR with the fleet's access log, when its EnvoyProxy sets one. */
export function withAccessLog(ir: XdsIR, proxy: EnvoyProxy | undefined): XdsIR {
  const log = accessLogIR(proxy);
  return log === undefined ? ir : { ...ir, accessLog: log };
}
