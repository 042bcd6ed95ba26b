// xDS IR of a SecurityPolicy as it protects one route (Envoy Gateway's SecurityPolicy): who may
// call the route (basic auth, JWT, external authorization, authorization rules). The xds
// translator turns each part into its Envoy HTTP filter, configured per route.
import { z } from 'zod';
import { RouteDestinationSchema } from './destination.js';

/** Basic auth (envoy.filters.http.basic_auth): users from an htpasswd Secret, SHA hashes only. */
export const BasicAuthSchema = z.object({
  /** htpasswd lines `user:{SHA}base64`, one per line. */
  users: z.string(),
  /** Header the authenticated user name is sent upstream in, when set. */
  forwardUsernameHeader: z.string().optional(),
});
export type BasicAuth = z.infer<typeof BasicAuthSchema>;

/** Where a JWT is looked for, when not in `Authorization: Bearer`. */
export const JWTExtractorSchema = z.object({
  /** Headers holding the token, with an optional value prefix. */
  headers: z.array(z.object({ name: z.string(), valuePrefix: z.string().optional() })),
  /** Cookies holding the token. */
  cookies: z.array(z.string()),
  /** Query parameters holding the token. */
  params: z.array(z.string()),
});
export type JWTExtractor = z.infer<typeof JWTExtractorSchema>;

/** One JWT provider (envoy.filters.http.jwt_authn). */
export const JWTProviderSchema = z.object({
  /** Provider name, unique within the policy. */
  name: z.string(),
  /** Required `iss` claim, when set. */
  issuer: z.string().optional(),
  /** Accepted `aud` values (any); empty accepts any audience. */
  audiences: z.array(z.string()),
  /** The JWKS inline (a JSON document), for local JWKS. */
  localJWKS: z.string().optional(),
  /** The JWKS fetched by Envoy from a URI through a cluster, for remote JWKS. */
  remoteJWKS: z.object({ uri: z.string(), destination: RouteDestinationSchema }).optional(),
  /** Claims copied into request headers. */
  claimToHeaders: z.array(z.object({ header: z.string(), claim: z.string() })),
  /** Where the token is looked for instead of the Authorization header. */
  extractFrom: JWTExtractorSchema.optional(),
  /** Clear the route cache after claims were copied to headers, so routing sees them. */
  recomputeRoute: z.boolean().optional(),
});
export type JWTProvider = z.infer<typeof JWTProviderSchema>;

/** JWT authentication: a token from any one provider must verify. */
export const JWTSchema = z.object({
  /** Requests without a token pass (a token present must still verify). */
  optional: z.boolean(),
  providers: z.array(JWTProviderSchema),
});
export type JWT = z.infer<typeof JWTSchema>;

/** One authorization rule: the action taken when every listed condition holds. */
export const AuthorizationRuleSchema = z.object({
  /** Rule name, unique within the policy. */
  name: z.string(),
  action: z.enum(['Allow', 'Deny']),
  /** Client address ranges (any), as CIDRs. */
  clientCIDRs: z.array(z.string()),
  /** Request headers that must each have one of their values. */
  headers: z.array(z.object({ name: z.string(), values: z.array(z.string()) })),
  /** HTTP methods (any). */
  methods: z.array(z.string()),
});
export type AuthorizationRule = z.infer<typeof AuthorizationRuleSchema>;

/** Authorization (envoy.filters.http.rbac): the first matching rule decides, else the default. */
export const AuthorizationSchema = z.object({
  defaultAction: z.enum(['Allow', 'Deny']),
  rules: z.array(AuthorizationRuleSchema),
});
export type Authorization = z.infer<typeof AuthorizationSchema>;

/** External authorization (envoy.filters.http.ext_authz) over HTTP or gRPC. */
export const ExtAuthSchema = z.object({
  protocol: z.enum(['HTTP', 'GRPC']),
  destination: RouteDestinationSchema,
  /** Path prefix of the HTTP authorization request. */
  path: z.string().optional(),
  /** Request headers sent to the authorization service (all when empty, for gRPC). */
  headersToExtAuth: z.array(z.string()),
  /** Headers of the authorization response copied to the upstream request. */
  headersToBackend: z.array(z.string()),
  /** Let requests through when the service cannot be reached. */
  failOpen: z.boolean(),
  /** Timeout of the authorization request, in milliseconds. */
  timeoutMs: z.number().optional(),
});
export type ExtAuth = z.infer<typeof ExtAuthSchema>;

/** What protects a route: set parts apply in Envoy Gateway's filter order. */
export const SecurityIRSchema = z.object({
  /** The SecurityPolicy, `<namespace>/<name>`: names its filter instances. */
  policy: z.string(),
  basicAuth: BasicAuthSchema.optional(),
  jwt: JWTSchema.optional(),
  extAuth: ExtAuthSchema.optional(),
  authorization: AuthorizationSchema.optional(),
});
export type SecurityIR = z.infer<typeof SecurityIRSchema>;
