// Global rate limits (BackendTrafficPolicy `rateLimit.global`): rules that the Envoy Rate Limit
// Service enforces across every proxy, and where that service is. A rule's client selectors are
// the local rate limit's (all must match); its counter lives under a descriptor key that is the
// route's own on one listener, or the policy's for a `shared` rule, inside the Gateway's domain.
import { z } from 'zod';
import {
  LocalRateLimitRuleSchema,
  QueryParamMatchSchema,
  RateLimitCostSchema,
} from './backendTraffic.js';

/** Rate limit units the Rate Limit Service counts in (ratelimit.config.ratelimit.v3.RateLimitUnit). */
export const RateLimitUnitSchema = z.enum(['Second', 'Minute', 'Hour', 'Day', 'Month', 'Year']);
export type RateLimitUnit = z.infer<typeof RateLimitUnitSchema>;

/** One global rule: its selectors, its limit, and the descriptor key its counter is kept under. */
export const GlobalRateLimitRuleSchema = LocalRateLimitRuleSchema.omit({ limit: true }).extend({
  /**
   * The first descriptor entry's key (and value): `<listener>/<route>/rule/<i>` for a rule of one
   * route on one listener, `<policy namespace>/<policy name>/rule/<i>` for a shared rule.
   */
  descriptorKey: z.string(),
  /** Shared by every route the policy reaches (`shared: true`). */
  shared: z.boolean(),
  limit: z.object({ requests: z.number().int().nonnegative(), unit: RateLimitUnitSchema }),
  /**
   * `limit.fromMetadata`: a request's limit read from dynamic metadata `namespace`/`key` (a struct
   * with requests_per_unit and unit) when present, else `limit` (Envoy's RateLimit limit override).
   */
  limitFromMetadata: z.object({ namespace: z.string(), key: z.string() }).optional(),
  /** Query parameters that must match (all of them); `invert`: must not match. */
  queryParams: z.array(QueryParamMatchSchema).optional(),
  /** Count, but never refuse (`shadowMode`). */
  shadowMode: z.boolean().optional(),
  /**
   * What one request adds to the counter (`cost`): `request` when it arrives (default 1), and
   * `response` once the stream is done (usage reported by the backend or a filter, Envoy's
   * RateLimit apply_on_stream_done).
   */
  cost: z
    .object({ request: RateLimitCostSchema.optional(), response: RateLimitCostSchema.optional() })
    .optional(),
});
export type GlobalRateLimitRule = z.infer<typeof GlobalRateLimitRuleSchema>;

export const GlobalRateLimitSchema = z.object({ rules: z.array(GlobalRateLimitRuleSchema) });
export type GlobalRateLimit = z.infer<typeof GlobalRateLimitSchema>;

/** A secret in a file-based SDS resource on the proxy: its name and the file's path. */
export const SdsFileSchema = z.object({ name: z.string(), path: z.string() });
export type SdsFile = z.infer<typeof SdsFileSchema>;

/** The Rate Limit Service a listener's routes ask (EnvoyGateway `rateLimit`). */
export const RateLimitServiceSchema = z.object({
  /** The descriptor domain: the Gateway's (`<namespace>/<name>`, or its GatewayClass when merged). */
  domain: z.string(),
  /** Where the service's gRPC API is. */
  host: z.string(),
  port: z.number().int(),
  /** Refuse requests (500) when the service cannot answer (`failClosed`); default: let them through. */
  failClosed: z.boolean(),
  /** How long a proxy waits for the service (`timeout`); absent: Envoy's 20ms. */
  timeoutMs: z.number().optional(),
  /**
   * mTLS to the service, as Envoy Gateway sets it up: the proxy presents its client certificate
   * and trusts the CA the service's certificate chains to, both read from file-based SDS on the
   * proxy (the files its xDS connection uses, so a renewal reaches a running Envoy).
   */
  tls: z.object({ certificate: SdsFileSchema, trustedCa: SdsFileSchema }).optional(),
});
export type RateLimitService = z.infer<typeof RateLimitServiceSchema>;
