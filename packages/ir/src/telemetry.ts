// Proxy telemetry that changes what Envoy's connection managers and routes do: request tracing
// (EnvoyProxy `telemetry.tracing` for a fleet, BackendTrafficPolicy `telemetry.tracing` per route).
import { z } from 'zod';
import { RouteDestinationSchema } from './destination.js';

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
