// Proxy telemetry that changes what Envoy's listeners, connection managers and routes do: access
// logs (EnvoyProxy `telemetry.accessLog`) and request tracing (EnvoyProxy `telemetry.tracing` for
// a fleet, BackendTrafficPolicy `telemetry.tracing` per route).
import { z } from 'zod';
import { RouteDestinationSchema } from './destination.js';
import { RetrySchema } from './retry.js';

/** A sink calling a gRPC service: the service's destination (its cluster is `destination.name`). */
const GrpcSinkSchema = z.object({
  destination: RouteDestinationSchema,
  /** Host the proxy names when it calls (gRPC authority). */
  authority: z.string(),
  /** Headers sent with every call (gRPC initial metadata). */
  headers: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
  /** Retries of a failed call (the service's backendSettings `retry`; gRPC's retry_policy). */
  retry: RetrySchema.optional(),
});

/**
 * One access log sink: lines as JSON objects or as text, to a file path (`/dev/stdout` too), or
 * as OpenTelemetry log records, or entries to an access log service (ALS, format ignored).
 */
export const AccessLogSinkSchema = z.object({
  /** File the proxy writes to (File sinks). */
  path: z.string().optional(),
  /** JSON lines: field name -> Envoy format string (`%START_TIME%`, `%REQ(:METHOD)%`, ...). */
  json: z.record(z.string(), z.string()).optional(),
  /** Text lines in Envoy's format string syntax. */
  text: z.string().optional(),
  /**
   * Where it logs (EnvoyProxy `accessLog.settings[].type`): Listener, on the listener only;
   * Route, on the connection managers and proxies only; Upstream, each upstream request of the
   * HTTP router; absent, listeners and connection managers (the listener then logs only
   * requests no route matched).
   */
  type: z.enum(['Listener', 'Route', 'Upstream']).optional(),
  /** CEL expressions a request must all match to be logged (`settings[].matches`). */
  matches: z.array(z.string()).optional(),
  /** OTLP logs to a collector, with resource attributes on every record. */
  openTelemetry: GrpcSinkSchema.extend({
    resourceAttributes: z.record(z.string(), z.string()),
  }).optional(),
  /** Envoy's gRPC access log service: HTTP or TCP entries under `logName`, with extra headers. */
  als: GrpcSinkSchema.extend({
    logName: z.string(),
    type: z.enum(['HTTP', 'TCP']),
    requestHeaders: z.array(z.string()),
    responseHeaders: z.array(z.string()),
    responseTrailers: z.array(z.string()),
  }).optional(),
});
export type AccessLogSink = z.infer<typeof AccessLogSinkSchema>;

/** Access logs of a proxy fleet (EnvoyProxy `telemetry.accessLog`); absent: Envoy Gateway's JSON log to stdout. */
export const AccessLogSchema = z.object({
  sinks: z.array(AccessLogSinkSchema),
});
export type AccessLog = z.infer<typeof AccessLogSchema>;

/**
 * A tag added to every span: one of a fixed value, an environment variable of the proxy, a request
 * header (each with a default), or `value`, an Envoy substitution format string
 * (`%ENVIRONMENT(POD)%`, `%REQ(x-id)%`; EnvoyProxy and BackendTrafficPolicy `tags`).
 */
export const CustomTagSchema = z.object({
  tag: z.string(),
  literal: z.string().optional(),
  environment: z.object({ name: z.string(), defaultValue: z.string() }).optional(),
  requestHeader: z.object({ name: z.string(), defaultValue: z.string() }).optional(),
  value: z.string().optional(),
});
export type CustomTag = z.infer<typeof CustomTagSchema>;

/** Operation names of spans, as Envoy format strings: the span's and its upstream span's. */
export const SpanNameSchema = z.object({ client: z.string(), server: z.string() });
export type SpanName = z.infer<typeof SpanNameSchema>;

/** Sampling shares in percent (0–100). */
export const TracingSamplingSchema = z.object({
  /** Requests picked at random (`samplingFraction`, or `samplingRate`). */
  random: z.number().min(0).max(100),
  /** Requests traced because the client asked (`x-client-trace-id`; `clientSamplingFraction`). */
  client: z.number().min(0).max(100),
  /** An upper bound after the other checks (`overallSamplingFraction`). */
  overall: z.number().min(0).max(100),
});
export type TracingSampling = z.infer<typeof TracingSamplingSchema>;

/** A proxy fleet's request tracing: every HTTP connection manager starts spans and exports them. */
export const TracingSchema = z.object({
  provider: z.enum(['OpenTelemetry', 'Zipkin', 'Datadog']),
  /** The collector (OTLP/gRPC, Zipkin HTTP or Datadog agent); its cluster is `destination.name`. */
  destination: RouteDestinationSchema,
  /** Host the proxy names when it calls the collector (gRPC authority, Datadog collector host). */
  authority: z.string(),
  /** OpenTelemetry: retries of a failed export (backendSettings `retry`; gRPC's retry_policy). */
  retry: RetrySchema.optional(),
  /** Service name on the spans (OpenTelemetry, Datadog; Zipkin uses the proxy's node cluster). */
  serviceName: z.string(),
  sampling: TracingSamplingSchema,
  /** Tags, sorted by name. */
  customTags: z.array(CustomTagSchema),
  spanName: SpanNameSchema.optional(),
  /** Zipkin: 128-bit trace IDs, and whether client and server spans share one span ID. */
  zipkin: z.object({ traceId128Bit: z.boolean(), sharedSpanContext: z.boolean() }).optional(),
  /** OpenTelemetry: headers sent with each export (gRPC metadata). */
  headers: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
  /** OpenTelemetry: attributes of the resource every exported span carries. */
  resourceAttributes: z.record(z.string(), z.string()).optional(),
  /**
   * OpenTelemetry: the tracer's own sampler, deciding alone (the connection manager then picks
   * every request): AlwaysOn, AlwaysOff, TraceIdRatio (`percent` of trace IDs), each also
   * ParentBased (a caller's sampled flag wins).
   */
  sampler: z
    .object({
      type: z.enum([
        'AlwaysOn',
        'AlwaysOff',
        'TraceIdRatio',
        'ParentBasedAlwaysOn',
        'ParentBasedAlwaysOff',
        'ParentBasedTraceIdRatio',
      ]),
      percent: z.number().min(0).max(100),
    })
    .optional(),
});
export type Tracing = z.infer<typeof TracingSchema>;

/**
 * A route's own tracing settings (BackendTrafficPolicy `telemetry.tracing`), over its fleet's:
 * what is absent keeps the connection manager's.
 */
export const RouteTracingSchema = z.object({
  sampling: TracingSamplingSchema.partial().optional(),
  customTags: z.array(CustomTagSchema).optional(),
  spanName: SpanNameSchema.optional(),
});
export type RouteTracing = z.infer<typeof RouteTracingSchema>;
