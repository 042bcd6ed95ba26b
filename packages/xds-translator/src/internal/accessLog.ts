// Access logs of listeners, HTTP connection managers and TCP/UDP proxies, from the fleet's IR
// access log (Envoy Gateway's JSON log to stdout when none is set)
// (https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/accesslog/v3/accesslog.proto).
import { FileAccessLog, StderrAccessLog, StdoutAccessLog } from '@egts/envoy-api';
import type { AccessLog as AccessLogIR, AccessLogSink } from '@egts/ir';
import { accessLog } from './defaults.js';
import type { AccessLog } from './envoyTypes.js';
import { typedConfig } from './protoValues.js';
import type { XdsMemo } from './xdsMemo.js';

const logFormat = (sink: AccessLogSink) =>
  sink.json !== undefined
    ? { logFormat: { jsonFormat: { ...sink.json } } }
    : sink.text !== undefined
      ? { logFormat: { textFormatSource: { inlineString: sink.text } } }
      : {};

/** One sink as an access logger: stdout and stderr by their stream loggers, files by path. */
const logger = (sink: AccessLogSink): Omit<AccessLog, 'filter'> => {
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
        FileAccessLog.fromPartial({ path: sink.path, ...logFormat(sink) }),
      );
  }
};

/**
 * The access logs for `log`: `requests` for connection managers and TCP/UDP proxies, `noRoute`
 * for listeners. A listener logs only what no connection manager logs: requests that matched no
 * route (response flag NR), as Envoy Gateway does.
 */
export const accessLogs = (
  log: AccessLogIR | undefined,
  memo: XdsMemo,
): { readonly requests: AccessLog[]; readonly noRoute: AccessLog[] } => {
  const resolved = accessLog(log);
  let entry = memo.accessLogs.get(resolved);
  if (entry === undefined) {
    const requests = resolved.sinks.map(logger);
    entry = {
      requests,
      noRoute: requests.map((l) => ({ ...l, filter: { responseFlagFilter: { flags: ['NR'] } } })),
    };
    memo.accessLogs.set(resolved, entry);
  }
  return entry;
};
