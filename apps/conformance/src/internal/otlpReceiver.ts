// A stand-in for the OpenTelemetry Collector the e2e tests send proxy telemetry to: OTLP/gRPC's
// TraceService, LogsService and MetricsService, and Envoy's gRPC access log service (ALS), on one
// plaintext port; Zipkin's HTTP JSON endpoint (POST /api/v2/spans) and the Datadog agent's
// (PUT /v0.4/traces, MessagePack) on another. Everything
// received is kept, flattened, for tests to query (what the upstream tests ask Tempo and Loki):
// in process, or as JSON from `GET /received` on the HTTP port (the conformance add-on's query port).
// OTLP: https://opentelemetry.io/docs/specs/otlp/ ; ALS:
// https://www.envoyproxy.io/docs/envoy/latest/api-v3/service/accesslog/v3/als.proto
import { createServer } from 'node:http';
import type {
  AnyValue,
  ExportLogsServiceRequest,
  ExportMetricsServiceRequest,
  ExportTraceServiceRequest,
  KeyValue,
  StreamAccessLogsMessage,
} from '@egts/envoy-api';
import {
  AccessLogServiceService,
  LogsServiceService,
  MetricsServiceService,
  TraceServiceService,
} from '@egts/envoy-api/services';
import {
  Server,
  ServerCredentials,
  type ServerReadableStream,
  type ServerUnaryCall,
  type sendUnaryData,
  status,
} from '@grpc/grpc-js';
import { decode } from '@msgpack/msgpack';
import { listenLocally } from './listenLocally.js';

/** One received span: its name, attributes and its resource's (`service.name`), as strings. */
export interface ReceivedSpan {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly resource: Readonly<Record<string, string>>;
  /** OTLP: the span's trace ID, as hex. */
  readonly traceId?: string;
  /** How it came: OTLP/gRPC, Zipkin JSON or the Datadog agent API. */
  readonly via: 'otlp' | 'zipkin' | 'datadog';
  /** Zipkin's span `id`, `parentId` and `kind` (SERVER, CLIENT), as hex strings. */
  readonly zipkin?: { readonly id: string; readonly parentId?: string; readonly kind?: string };
}

/** One received OTLP log record: its body (a string, or a JSON object's fields) and attributes. */
export interface ReceivedLog {
  readonly body: unknown;
  readonly attributes: Readonly<Record<string, string>>;
  readonly resource: Readonly<Record<string, string>>;
}

/** One ALS entry: the log name Envoy sends and the request it logs. */
export interface ReceivedAccessLog {
  readonly logName: string;
  readonly path?: string;
  readonly method?: string;
  readonly responseCode?: number;
  /** The extra request headers the sink asked to log. */
  readonly requestHeaders?: Readonly<Record<string, string>>;
  /** The extra response headers and trailers the sink asked to log. */
  readonly responseHeaders?: Readonly<Record<string, string>>;
  readonly responseTrailers?: Readonly<Record<string, string>>;
}

/** What `GET /received` answers: everything received so far. */
export type ReceivedTelemetry = Pick<
  TelemetryReceiver,
  'spans' | 'logs' | 'metrics' | 'accessLogs' | 'calls'
>;

/** The path of the HTTP port that answers the received telemetry as JSON. */
export const RECEIVED_PATH = '/received';

export interface TelemetryReceiver {
  /** Port of the gRPC services (OTLP trace/logs/metrics, ALS). */
  readonly grpcPort: number;
  /** Port of the HTTP endpoints: Zipkin's and the Datadog agent's. */
  readonly httpPort: number;
  readonly spans: ReceivedSpan[];
  readonly logs: ReceivedLog[];
  /**
   * Names of the metrics received over OTLP, with their resource attributes and, for counters
   * (sums) and histograms, their aggregation temporality (OTLP's: 1 delta, 2 cumulative).
   */
  readonly metrics: {
    name: string;
    kind: 'gauge' | 'sum' | 'histogram' | 'other';
    temporality?: number;
    resource: Readonly<Record<string, string>>;
  }[];
  readonly accessLogs: ReceivedAccessLog[];
  /** The gRPC metadata of every call, by service (`trace`, `logs`, `metrics`, `als`). */
  readonly calls: { service: string; metadata: Readonly<Record<string, string>> }[];
  /** The services of the Export calls refused (`refuseFirstExports`), in order. */
  readonly refused: readonly string[];
  close(): Promise<void>;
}

/** An OTLP value as JSON-like data: strings stay strings, kvlists become objects. */
export const anyValue = (value: AnyValue | undefined): unknown => {
  if (value === undefined) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return value.intValue;
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue) return value.arrayValue.values.map(anyValue);
  if (value.kvlistValue)
    return Object.fromEntries(value.kvlistValue.values.map((kv) => [kv.key, anyValue(kv.value)]));
  return value.bytesValue?.toString('hex');
};

const attributes = (list: readonly KeyValue[] = []): Record<string, string> =>
  Object.fromEntries(list.map((kv) => [kv.key, String(anyValue(kv.value) ?? '')]));

type Calls = TelemetryReceiver['calls'];

const metadataOf = (call: { metadata: { getMap(): Record<string, unknown> } }) =>
  Object.fromEntries(Object.entries(call.metadata.getMap()).map(([k, v]) => [k, String(v)]));

/** Export calls still to refuse, and the services of those refused so far. */
interface Refusals {
  remaining: number;
  readonly refused: string[];
}

/**
 * A unary OTLP Export handler that records the call and its request and answers success, or,
 * while `refusals` remain, refuses it UNAVAILABLE without recording it.
 */
const exporter =
  <Req, Res>(
    calls: Calls,
    service: string,
    record: (request: Req) => void,
    response: Res,
    refusals: Refusals,
  ) =>
  (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
    if (refusals.remaining > 0) {
      refusals.remaining--;
      refusals.refused.push(service);
      callback({ code: status.UNAVAILABLE, details: 'refused by the stand-in' });
      return;
    }
    calls.push({ service, metadata: metadataOf(call) });
    record(call.request);
    callback(null, response);
  };

/** Zipkin v2 JSON spans: `name`, `tags`, `localEndpoint.serviceName`. */
const zipkinSpans = (body: string): ReceivedSpan[] => {
  const parsed: unknown = JSON.parse(body);
  if (!Array.isArray(parsed)) return [];
  return parsed.map((span: Record<string, unknown>) => ({
    name: String(span.name ?? ''),
    attributes: Object.fromEntries(
      Object.entries((span.tags as Record<string, unknown>) ?? {}).map(([k, v]) => [k, String(v)]),
    ),
    resource: {
      'service.name': String(
        (span.localEndpoint as Record<string, unknown> | undefined)?.serviceName ?? '',
      ),
    },
    via: 'zipkin' as const,
    zipkin: {
      id: String(span.id ?? ''),
      ...(span.parentId !== undefined ? { parentId: String(span.parentId) } : {}),
      ...(span.kind !== undefined ? { kind: String(span.kind) } : {}),
    },
  }));
};

/** Datadog v0.4 traces: a list of traces, each a list of spans with `name`, `service`, `meta`. */
const datadogSpans = (body: Buffer): ReceivedSpan[] => {
  const traces = decode(body);
  if (!Array.isArray(traces)) return [];
  return traces.flat().map((span: Record<string, unknown>) => ({
    name: String(span.name ?? ''),
    attributes: Object.fromEntries(
      Object.entries((span.meta as Record<string, unknown>) ?? {}).map(([k, v]) => [k, String(v)]),
    ),
    resource: { 'service.name': String(span.service ?? '') },
    via: 'datadog' as const,
  }));
};

export interface TelemetryReceiverOptions {
  /** Refuse the first N calls (OTLP exports, ALS streams) with UNAVAILABLE: a flaky collector. */
  readonly refuseFirstExports?: number;
}

export const startTelemetryReceiver = async (
  options: TelemetryReceiverOptions = {},
): Promise<TelemetryReceiver> => {
  const refusals: Refusals = { remaining: options.refuseFirstExports ?? 0, refused: [] };
  const spans: ReceivedSpan[] = [];
  const logs: ReceivedLog[] = [];
  const metrics: TelemetryReceiver['metrics'] = [];
  const accessLogs: ReceivedAccessLog[] = [];
  const calls: Calls = [];
  const server = new Server();
  server.addService(TraceServiceService, {
    export: exporter(
      calls,
      'trace',
      (request: ExportTraceServiceRequest) => {
        for (const rs of request.resourceSpans) {
          const resource = attributes(rs.resource?.attributes);
          for (const scope of rs.scopeSpans)
            for (const span of scope.spans)
              spans.push({
                name: span.name,
                attributes: attributes(span.attributes),
                resource,
                traceId: Buffer.from(span.traceId).toString('hex'),
                via: 'otlp',
              });
        }
      },
      {},
      refusals,
    ),
  });
  server.addService(LogsServiceService, {
    export: exporter(
      calls,
      'logs',
      (request: ExportLogsServiceRequest) => {
        for (const rl of request.resourceLogs) {
          const resource = attributes(rl.resource?.attributes);
          for (const scope of rl.scopeLogs)
            for (const record of scope.logRecords)
              logs.push({
                body: anyValue(record.body),
                attributes: attributes(record.attributes),
                resource,
              });
        }
      },
      {},
      refusals,
    ),
  });
  server.addService(MetricsServiceService, {
    export: exporter(
      calls,
      'metrics',
      (request: ExportMetricsServiceRequest) => {
        for (const rm of request.resourceMetrics) {
          const resource = attributes(rm.resource?.attributes);
          for (const scope of rm.scopeMetrics)
            for (const metric of scope.metrics) {
              const series = metric.sum ?? metric.histogram;
              metrics.push({
                name: metric.name,
                kind: metric.gauge
                  ? 'gauge'
                  : metric.sum
                    ? 'sum'
                    : metric.histogram
                      ? 'histogram'
                      : 'other',
                ...(series ? { temporality: series.aggregationTemporality } : {}),
                resource,
              });
            }
        }
      },
      {},
      refusals,
    ),
  });
  server.addService(AccessLogServiceService, {
    streamAccessLogs: (
      call: ServerReadableStream<StreamAccessLogsMessage, unknown>,
      callback: sendUnaryData<unknown>,
    ) => {
      if (refusals.remaining > 0) {
        refusals.remaining--;
        refusals.refused.push('als');
        callback({ code: status.UNAVAILABLE, details: 'refused by the stand-in' });
        return;
      }
      let logName = '';
      calls.push({ service: 'als', metadata: metadataOf(call) });
      call.on('data', (message: StreamAccessLogsMessage) => {
        // The identifier comes with the first message of a stream only.
        logName = message.identifier?.logName ?? logName;
        for (const entry of message.httpLogs?.logEntry ?? [])
          accessLogs.push({
            logName,
            ...(entry.request?.path !== undefined ? { path: entry.request.path } : {}),
            ...(entry.request?.requestMethod !== undefined
              ? { method: String(entry.request.requestMethod) }
              : {}),
            ...(entry.response?.responseCode !== undefined
              ? { responseCode: entry.response.responseCode }
              : {}),
            ...(entry.request ? { requestHeaders: entry.request.requestHeaders } : {}),
            ...(entry.response
              ? {
                  responseHeaders: entry.response.responseHeaders,
                  responseTrailers: entry.response.responseTrailers,
                }
              : {}),
          });
        for (const _ of message.tcpLogs?.logEntry ?? []) accessLogs.push({ logName });
      });
      call.on('error', () => {});
    },
  });
  const grpcPort = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) =>
      error ? reject(error) : resolve(port),
    ),
  );
  const http = await listenLocally(
    createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        if (req.method === 'GET' && req.url === RECEIVED_PATH) {
          const received: ReceivedTelemetry = { spans, logs, metrics, accessLogs, calls };
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(received));
          return;
        }
        try {
          if (req.method === 'POST' && req.url === '/api/v2/spans')
            spans.push(...zipkinSpans(body.toString('utf8')));
          else if (req.url === '/v0.4/traces') spans.push(...datadogSpans(body));
        } catch {}
        // The Datadog agent answers its sampling rates; none here, so the tracer keeps its own.
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    }),
  );
  return {
    grpcPort,
    httpPort: http.port,
    spans,
    logs,
    metrics,
    accessLogs,
    calls,
    refused: refusals.refused,
    close: async () => {
      server.forceShutdown();
      await http.close();
    },
  };
};
