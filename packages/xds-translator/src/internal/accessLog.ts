// Access logs of listeners, HTTP connection managers and TCP/UDP proxies, from the fleet's IR
// access log (Envoy Gateway's JSON log to stdout when none is set): files (stdout and stderr by
// their stream loggers), OpenTelemetry log records, and the gRPC access log service, each behind
// the CEL expressions its setting matches on
// (https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/accesslog/v3/accesslog.proto).
import {
  ApiVersion,
  ExpressionFilter,
  FileAccessLog,
  HttpGrpcAccessLogConfig,
  OpenTelemetryAccessLogConfig,
  StderrAccessLog,
  StdoutAccessLog,
  TcpGrpcAccessLogConfig,
} from '@egts/envoy-api';
import type { AccessLog as AccessLogIR, AccessLogSink, Retry } from '@egts/ir';
import { addDestination } from './cluster/destinationClusters.js';
import { accessLog } from './defaults.js';
import type { AccessLog } from './envoyTypes.js';
import { serviceRetryPolicy } from './httpfilters/serviceRetry.js';
import { typedConfig } from './protoValues.js';
import type { ResourceSet } from './resourceSet.js';

type Filter = NonNullable<AccessLog['filter']>;

const logFormat = (sink: AccessLogSink) =>
  sink.json !== undefined
    ? { logFormat: { jsonFormat: { ...sink.json } } }
    : sink.text !== undefined
      ? { logFormat: { textFormatSource: { inlineString: sink.text } } }
      : {};

/** The call to a gRPC logging service, as Envoy Gateway makes it (headers as initial metadata). */
const commonConfig = (
  logName: string,
  service: {
    destination: { name: string };
    authority: string;
    headers?: readonly { name: string; value: string }[] | undefined;
    retry?: Retry | undefined;
  },
) => ({
  logName,
  grpcService: {
    envoyGrpc: { clusterName: service.destination.name, authority: service.authority },
    initialMetadata: (service.headers ?? []).map(({ name, value }) => ({
      key: name.toLowerCase(),
      value,
    })),
    // The service's backendSettings retry, as a gRPC authorization service's (egts; Envoy Gateway
    // drops it for telemetry).
    ...(service.retry ? { retryPolicy: serviceRetryPolicy(service.retry) } : {}),
  },
  transportApiVersion: ApiVersion.V3,
});

const stringValues = (values: Readonly<Record<string, string>>) => ({
  values: Object.entries(values).map(([key, value]) => ({ key, value: { stringValue: value } })),
});

/** An OpenTelemetry log record's body: the text line, or the JSON fields as a key-value list. */
const otelBody = (sink: AccessLogSink) =>
  sink.text !== undefined
    ? { stringValue: sink.text }
    : { kvlistValue: stringValues(sink.json ?? {}) };

/** One sink as an access logger. */
const logger = (sink: AccessLogSink): Omit<AccessLog, 'filter'> => {
  if (sink.openTelemetry)
    return typedConfig(
      'envoy.access_loggers.open_telemetry',
      OpenTelemetryAccessLogConfig,
      OpenTelemetryAccessLogConfig.fromPartial({
        commonConfig: commonConfig('otel_envoy_accesslog', sink.openTelemetry),
        resourceAttributes: stringValues(sink.openTelemetry.resourceAttributes),
        body: otelBody(sink),
      }),
    );
  const als = sink.als;
  if (als?.type === 'TCP')
    return typedConfig(
      'envoy.access_loggers.tcp_grpc',
      TcpGrpcAccessLogConfig,
      TcpGrpcAccessLogConfig.fromPartial({ commonConfig: commonConfig(als.logName, als) }),
    );
  if (als)
    return typedConfig(
      'envoy.access_loggers.http_grpc',
      HttpGrpcAccessLogConfig,
      HttpGrpcAccessLogConfig.fromPartial({
        commonConfig: commonConfig(als.logName, als),
        additionalRequestHeadersToLog: als.requestHeaders,
        additionalResponseHeadersToLog: als.responseHeaders,
        additionalResponseTrailersToLog: als.responseTrailers,
      }),
    );
  switch (sink.path) {
    case '/dev/stdout':
      return typedConfig(
        'envoy.access_loggers.stdout',
        StdoutAccessLog,
        StdoutAccessLog.fromPartial(logFormat(sink)),
      );
    case '/dev/stderr':
      return typedConfig(
        'envoy.access_loggers.stderr',
        StderrAccessLog,
        StderrAccessLog.fromPartial(logFormat(sink)),
      );
    default:
      return typedConfig(
        'envoy.access_loggers.file',
        FileAccessLog,
        FileAccessLog.fromPartial({ path: sink.path ?? '/dev/stdout', ...logFormat(sink) }),
      );
  }
};

/** The sink's CEL matches, and for `noRoute` the listener's "no route matched" (flag NR), all of them. */
const filter = (sink: AccessLogSink, noRoute: boolean): Filter | undefined => {
  const filters: Filter[] = (sink.matches ?? []).map((expression) => ({
    extensionFilter: typedConfig(
      'envoy.access_loggers.extension_filters.cel',
      ExpressionFilter,
      ExpressionFilter.fromPartial({ expression }),
    ),
  }));
  if (noRoute) filters.push({ responseFlagFilter: { flags: ['NR'] } });
  if (filters.length <= 1) return filters[0];
  return { andFilter: { filters } };
};

const withFilter = (sink: AccessLogSink, noRoute: boolean): AccessLog => {
  const f = filter(sink, noRoute);
  return f === undefined ? logger(sink) : { ...logger(sink), filter: f };
};

/** A fleet's access logs by where they are written (see accessLogs). */
export interface FleetAccessLogs {
  readonly requests: AccessLog[];
  readonly noRoute: AccessLog[];
  readonly upstream: AccessLog[];
}

/** The cache key of the default log (no IR access log). */
const DEFAULT_KEY: AccessLogIR = { sinks: [] };

/**
 * The access logs for `log`: `requests` for connection managers and TCP/UDP proxies, `noRoute`
 * for listeners, `upstream` for the HTTP router's upstream requests. A listener logs only what
 * no connection manager logs: requests that matched no route (response flag NR), as Envoy
 * Gateway does, unless the sink is for listeners only. The clusters of the logging services are
 * added to `out`.
 */
export const accessLogs = (log: AccessLogIR | undefined, out: ResourceSet): FleetAccessLogs => {
  for (const sink of log?.sinks ?? []) {
    const service = sink.openTelemetry ?? sink.als;
    if (service) addDestination(service.destination, out, { single: true });
  }
  const key = log ?? DEFAULT_KEY;
  let entry = out.memo.accessLogs.get(key);
  if (entry === undefined) {
    const resolved = accessLog(log);
    entry = {
      requests: resolved.sinks
        .filter((s) => s.type === undefined || s.type === 'Route')
        .map((s) => withFilter(s, false)),
      noRoute: resolved.sinks
        .filter((s) => s.type === undefined || s.type === 'Listener')
        .map((s) => withFilter(s, s.type !== 'Listener')),
      upstream: resolved.sinks
        .filter((s) => s.type === 'Upstream')
        .map((s) => withFilter(s, false)),
    };
    out.memo.accessLogs.set(key, entry);
  }
  return entry;
};
