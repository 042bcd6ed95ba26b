// xDS IR for one HTTP (or gRPC) route: matches, filters and destination, ready to become one
// Envoy route entry inside a virtual host.
import { z } from 'zod';
import {
  BandwidthLimitSchema,
  CompressionSchema,
  FaultInjectionSchema,
  HTTPUpgradeSchema,
  LocalRateLimitSchema,
  RequestBufferSchema,
  ResponseOverrideSchema,
} from './backendTraffic.js';
import { CredentialInjectionSchema } from './credentialInjection.js';
import { RouteDestinationSchema } from './destination.js';
import { ExtensionObjectSchema } from './extensionServer.js';
import { ExtensionsIRSchema } from './extensions.js';
import { GlobalRateLimitSchema } from './globalRateLimit.js';
import { RetrySchema } from './retry.js';
import { RouteSourceSchema } from './routeSource.js';
import { SecurityIRSchema } from './security.js';
import { RouteTracingSchema } from './telemetry.js';

/** A string match on a path, header, query parameter or method. */
export const StringMatchSchema = z.object({
  /** Name of the header or query parameter (absent for paths). */
  name: z.string().optional(),
  /** How `value` is compared. */
  type: z.enum(['Exact', 'Prefix', 'Suffix', 'PathPrefix', 'RegularExpression', 'Present']),
  /** Value to compare with. */
  value: z.string(),
  /** Negate the match (header matches only). */
  invert: z.boolean().optional(),
});
export type StringMatch = z.infer<typeof StringMatchSchema>;

/** A header to add or set. */
export const HeaderValueSchema = z.object({
  /** Header name (lower-cased). */
  name: z.string(),
  /** Header value. */
  value: z.string(),
  /** Append to existing values (true) or overwrite them (false). */
  append: z.boolean(),
});
export type HeaderValue = z.infer<typeof HeaderValueSchema>;

/** An HTTP redirect answered by the proxy. */
export const RedirectSchema = z.object({
  /** Scheme of the Location, when changed. */
  scheme: z.string().optional(),
  /** Host of the Location, when changed. */
  hostname: z.string().optional(),
  /** Path change: full replacement or prefix replacement. */
  path: z
    .object({ fullReplace: z.string().optional(), prefixMatchReplace: z.string().optional() })
    .optional(),
  /** Port of the Location, when changed. */
  port: z.number().int().optional(),
  /** Redirect status code (301, 302, 303, 307, 308). */
  statusCode: z.number().int(),
});
export type Redirect = z.infer<typeof RedirectSchema>;

/** A rewrite of the request before it goes upstream. */
/** An RE2 pattern and what replaces its matches (`\\1` names a group). */
const RegexSubstitutionSchema = z.object({ pattern: z.string(), substitution: z.string() });

export const URLRewriteSchema = z.object({
  /** New Host header, when set. */
  hostname: z.string().optional(),
  /** Host header from this request header's value (HTTPRouteFilter hostname type Header). */
  hostnameFromHeader: z.string().optional(),
  /** Host header from the upstream's hostname (HTTPRouteFilter hostname type Backend). */
  hostnameFromBackend: z.boolean().optional(),
  /** Host header from the path by regex (HTTPRouteFilter hostname type PathRegex). */
  hostnameFromPath: RegexSubstitutionSchema.optional(),
  /**
   * Whether a host rewrite appends the client's Host to x-forwarded-host (absent: true; an
   * HTTPRouteFilter's `urlRewrite.appendXForwardedHost`).
   */
  appendXForwardedHost: z.boolean().optional(),
  /** Path change: full, prefix or regex (HTTPRouteFilter ReplaceRegexMatch) replacement. */
  path: z
    .object({
      fullReplace: z.string().optional(),
      prefixMatchReplace: z.string().optional(),
      regex: RegexSubstitutionSchema.optional(),
    })
    .optional(),
});
export type URLRewrite = z.infer<typeof URLRewriteSchema>;

/** A fixed response sent without going upstream (e.g. 500 when no backend is valid). */
export const DirectResponseSchema = z.object({
  /** HTTP status code. */
  statusCode: z.number().int(),
  /** Optional body. */
  body: z.string().optional(),
  /**
   * The body holds Envoy command operators (`%REQ(:METHOD)%`) substituted per request
   * (DirectResponseAction.body_format); absent: sent as written.
   */
  formatted: z.boolean().optional(),
});
export type DirectResponse = z.infer<typeof DirectResponseSchema>;

/** A copy of requests sent to another destination (responses ignored). */
export const MirrorSchema = z.object({
  /** Where the copies go. */
  destination: RouteDestinationSchema,
  /** Share of requests mirrored, 0–100 (absent means all). */
  percentage: z.number().optional(),
});
export type Mirror = z.infer<typeof MirrorSchema>;

/** Timeouts of an HTTP route, as Gateway API durations converted to milliseconds. */
export const HTTPTimeoutSchema = z.object({
  /** Whole-request timeout. */
  requestMs: z.number().optional(),
  /** Per-try timeout towards a backend. */
  backendRequestMs: z.number().optional(),
  /** How long a stream may stay idle (BackendTrafficPolicy `timeout.http.streamIdleTimeout`). */
  streamIdleMs: z.number().optional(),
});
export type HTTPTimeout = z.infer<typeof HTTPTimeoutSchema>;

/** Session persistence (GEP-1619). */
export const SessionPersistenceSchema = z.object({
  /** Cookie-based or header-based. */
  type: z.enum(['Cookie', 'Header']),
  /** Cookie or header name. */
  name: z.string(),
  /** Cookie lifetime in seconds, for permanent cookies. */
  ttlSeconds: z.number().optional(),
});
export type SessionPersistence = z.infer<typeof SessionPersistenceSchema>;

/** CORS policy (HTTPRoute CORS filter). */
export const CORSSchema = z.object({
  /** Allowed origins (exact, or with `*` wildcards). */
  allowOrigins: z.array(z.string()),
  /** Allowed methods. */
  allowMethods: z.array(z.string()),
  /** Allowed request headers. */
  allowHeaders: z.array(z.string()),
  /** Response headers exposed to the browser. */
  exposeHeaders: z.array(z.string()),
  /** Preflight cache lifetime in seconds. */
  maxAgeSeconds: z.number().optional(),
  /** Whether credentials are allowed. */
  allowCredentials: z.boolean(),
});
export type CORS = z.infer<typeof CORSSchema>;

/** One route in a virtual host. */
export const HTTPRouteIRSchema = z.object({
  /** Stable name: `<kind>/<namespace>/<name>/rule/<i>/match/<j>/<hostname>`. */
  name: z.string(),
  /** Hostname (virtual host) this route is served under; `*` for any. */
  hostname: z.string(),
  /** Path match, absent when the rule matches every path. */
  pathMatch: StringMatchSchema.optional(),
  /** Header matches, all must hold. */
  headerMatches: z.array(StringMatchSchema),
  /** Query parameter matches, all must hold. */
  queryParamMatches: z.array(StringMatchSchema),
  /** Headers added or set on the request. */
  addRequestHeaders: z.array(HeaderValueSchema),
  /** Request header names removed. */
  removeRequestHeaders: z.array(z.string()),
  /** Headers added or set on the response. */
  addResponseHeaders: z.array(HeaderValueSchema),
  /** Response header names removed. */
  removeResponseHeaders: z.array(z.string()),
  /** Redirect answered instead of routing, when set. */
  redirect: RedirectSchema.optional(),
  /** Fixed response instead of routing, when set (invalid backends give 500). */
  directResponse: DirectResponseSchema.optional(),
  /** Rewrite applied before forwarding. */
  urlRewrite: URLRewriteSchema.optional(),
  /** Request mirrors. */
  mirrors: z.array(MirrorSchema),
  /** Upstream, absent with redirect or direct response. */
  destination: RouteDestinationSchema.optional(),
  /** Timeouts. */
  timeout: HTTPTimeoutSchema.optional(),
  /** Retries. */
  retry: RetrySchema.optional(),
  /** Session persistence. */
  sessionPersistence: SessionPersistenceSchema.optional(),
  /** CORS. */
  cors: CORSSchema.optional(),
  /** Local rate limit (BackendTrafficPolicy `rateLimit.local`). */
  localRateLimit: LocalRateLimitSchema.optional(),
  /** Injected delays and aborts (BackendTrafficPolicy `faultInjection`). */
  faultInjection: FaultInjectionSchema.optional(),
  /** Response compressions offered (BackendTrafficPolicy `compression`). */
  compression: z.array(CompressionSchema).optional(),
  /** Body transfer rate limits (BackendTrafficPolicy `bandwidthLimit`). */
  bandwidthLimit: BandwidthLimitSchema.optional(),
  /** Request buffering (BackendTrafficPolicy `requestBuffer`). */
  requestBuffer: RequestBufferSchema.optional(),
  /** Protocol upgrades allowed (BackendTrafficPolicy `httpUpgrade`); absent: WebSocket. */
  upgrades: z.array(HTTPUpgradeSchema).optional(),
  /** Responses answered differently (BackendTrafficPolicy `responseOverride`), first match wins. */
  responseOverride: z.array(ResponseOverrideSchema).optional(),
  /** Global rate limit (BackendTrafficPolicy `rateLimit.global`), enforced by the Rate Limit Service. */
  globalRateLimit: GlobalRateLimitSchema.optional(),
  /** Tracing settings of the route's own (BackendTrafficPolicy `telemetry.tracing`). */
  tracing: RouteTracingSchema.optional(),
  /** Prefix of the route's own stats (Envoy stat_prefix; BackendTrafficPolicy `metrics.routeStatName`). */
  statName: z.string().optional(),
  /** Who may call the route (the SecurityPolicy protecting it). */
  security: SecurityIRSchema.optional(),
  /** What the EnvoyExtensionPolicy extending the route runs (Lua). */
  extensions: ExtensionsIRSchema.optional(),
  /** A credential injected into the route's requests (HTTPRouteFilter credentialInjection). */
  credentialInjection: CredentialInjectionSchema.optional(),
  /**
   * Objects of an extension server's kinds the rule names as extensionRef filters, handed to its
   * PostRouteModify hook (EnvoyGateway `extensionManager.resources`).
   */
  extensionRefs: z.array(ExtensionObjectSchema).optional(),
  /**
   * Policies of an extension server's kinds targeting the route (or its rule), handed to its
   * PostRouteModify hook (EnvoyGateway `extensionManager.policyResources`).
   */
  extensionPolicies: z.array(ExtensionObjectSchema).optional(),
  /** Whether this route serves gRPC (from a GRPCRoute). */
  grpc: z.boolean(),
  /**
   * The route resource this comes from, for metadata and access logs, and the rule and match
   * within it: code that needs a route's origin reads this, never the name string.
   */
  source: RouteSourceSchema.extend({
    /** Index of the match in the rule (the gatewayapi-translator sets it). */
    matchIndex: z.number().int().optional(),
    /**
     * The route's `gateway.envoyproxy.io/` annotations, prefix removed (Envoy Gateway's route
     * metadata, which an external authorization service may be sent).
     */
    annotations: z.record(z.string(), z.string()).optional(),
  }),
});
export type HTTPRouteIR = z.infer<typeof HTTPRouteIRSchema>;
