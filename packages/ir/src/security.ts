// xDS IR of a SecurityPolicy as it protects one route (Envoy Gateway's SecurityPolicy): who may
// call the route (basic auth, JWT, external authorization, authorization rules). The xds
// translator turns each part into its Envoy HTTP filter, configured per route.
import { z } from 'zod';
import { RouteDestinationSchema } from './destination.js';
import { RetrySchema } from './retry.js';

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
  remoteJWKS: z
    .object({
      uri: z.string(),
      destination: RouteDestinationSchema,
      /** How long a fetched JWKS is kept, in milliseconds (Envoy Gateway's default: 300 s). */
      cacheDurationMs: z.number().optional(),
      /** How long after a failed fetch the JWKS is fetched again, in milliseconds (Envoy: 1 s). */
      failedRefetchDurationMs: z.number().optional(),
      /** Timeout of one fetch, in milliseconds (backendSettings `timeout.http.requestTimeout`). */
      timeoutMs: z.number().optional(),
      /** Retries of a failed fetch (backendSettings `retry`; attempts, back-off and triggers). */
      retry: RetrySchema.optional(),
    })
    .optional(),
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
  /** Requests whose token is missing or fails verification pass too. */
  failOpen: z.boolean(),
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
  /** The request path (without its query), matched as `type` says; `invert`: must not match. */
  path: z
    .object({
      type: z.enum(['Exact', 'PathPrefix', 'RegularExpression']),
      value: z.string(),
      invert: z.boolean(),
    })
    .optional(),
  /** JWT claims and scopes of a verified token of `provider` (its payload in metadata). */
  jwt: z
    .object({
      provider: z.string(),
      /** Claims that must each have one of their values; `name` is a dotted path. */
      claims: z.array(
        z.object({
          name: z.string(),
          valueType: z.enum(['String', 'StringArray']),
          values: z.array(z.string()),
        }),
      ),
      /** Scopes the token's `scope` claim must all contain. */
      scopes: z.array(z.string()),
    })
    .optional(),
  /** A CEL expression over Envoy's request attributes that must also hold. */
  cel: z.string().optional(),
  /**
   * Client IP geolocations (any), each a set of fields that must all equal what the geoip filter
   * found for the client address (EnvoyProxy geoIP); country, region, city and ISP ignore case.
   */
  geoLocations: z
    .array(
      z.object({
        country: z.string().optional(),
        region: z.string().optional(),
        city: z.string().optional(),
        asn: z.number().int().optional(),
        isp: z.string().optional(),
        anonymous: z
          .object({
            isAnonymous: z.boolean().optional(),
            isVPN: z.boolean().optional(),
            isHosting: z.boolean().optional(),
            isTor: z.boolean().optional(),
            isProxy: z.boolean().optional(),
          })
          .optional(),
      }),
    )
    .optional(),
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
  /** Path of the HTTP authorization request instead of the client's (`pathOverride`). */
  pathOverride: z.string().optional(),
  /** Request headers sent to the authorization service (all when empty, for gRPC). */
  headersToExtAuth: z.array(z.string()),
  /** Headers of the authorization response copied to the upstream request. */
  headersToBackend: z.array(z.string()),
  /** Let requests through when the service cannot be reached. */
  failOpen: z.boolean(),
  /** Timeout of the authorization request, in milliseconds. */
  timeoutMs: z.number().optional(),
  /** Send the route's Envoy Gateway metadata (kind, name, namespace, annotations) along. */
  includeRouteMetadata: z.boolean(),
  /** Clear the route cache after the check, so headers the service added can change the route. */
  recomputeRoute: z.boolean(),
  /** Context extensions sent with every check (gRPC CheckRequest attributes). */
  contextExtensions: z.record(z.string(), z.string()),
  /** Request body bytes buffered and sent to the service, when set (a larger body: 413). */
  maxRequestBytes: z.number().optional(),
  /** HTTP status answered when the service fails or cannot be reached (Envoy's default: 403). */
  statusOnError: z.number().int().optional(),
  /** Retries of a failed check (backendSettings `retry`). */
  retry: RetrySchema.optional(),
});
export type ExtAuth = z.infer<typeof ExtAuthSchema>;

/** CSRF protection (envoy.filters.http.csrf): unsafe methods need a same or trusted origin. */
export const CSRFSchema = z.object({
  /** Trusted origins besides the request's own, as `host[:port]` with an optional `*.` prefix. */
  additionalOrigins: z.array(z.string()),
  /** Evaluate and count only, without rejecting, for this share of requests (0–1). */
  shadowFraction: z.number().optional(),
});
export type CSRF = z.infer<typeof CSRFSchema>;

/** API key auth (envoy.filters.http.api_key_auth): a request must carry a known client's key. */
export const APIKeyAuthSchema = z.object({
  /** Keys and the client each identifies (unique keys). */
  credentials: z.array(z.object({ key: z.string(), client: z.string() })),
  /** Where the key is looked for, in order: one of header, query parameter, cookie each. */
  keySources: z.array(
    z.object({
      header: z.string().optional(),
      query: z.string().optional(),
      cookie: z.string().optional(),
    }),
  ),
  /** Header the client ID is sent upstream in, when set. */
  forwardClientIDHeader: z.string().optional(),
  /** Remove the key from the request before it goes upstream. */
  sanitize: z.boolean(),
});
export type APIKeyAuth = z.infer<typeof APIKeyAuthSchema>;

/** A header condition of `oidc.denyRedirect`: requests matching any are answered 401, not redirected. */
export const OIDCDenyRedirectHeaderSchema = z.object({
  name: z.string(),
  type: z.enum(['Exact', 'Prefix', 'Suffix', 'RegularExpression']),
  value: z.string(),
});

/**
 * OpenID Connect login (envoy.filters.http.oauth2): a request without valid session cookies is
 * redirected to the provider's authorization endpoint; the callback trades the code for tokens
 * at the token endpoint (through `tokenDestination`) and sets the session cookies.
 */
export const OIDCSchema = z.object({
  authorizationEndpoint: z.string(),
  tokenEndpoint: z.string(),
  /** Where the token endpoint is reached: a cluster of its own. */
  tokenDestination: RouteDestinationSchema,
  /** Retries of a failed token request (the provider's backendSettings `retry`). */
  retry: RetrySchema.optional(),
  /** Token request timeout (the provider's backendSettings `timeout.http.requestTimeout`). */
  tokenTimeoutMs: z.number().optional(),
  /** Where the logout path redirects, when the provider has one. */
  endSessionEndpoint: z.string().optional(),
  clientID: z.string(),
  clientSecret: z.string(),
  /** Key of the cookies' HMAC: derived from the client secret, so stable across restarts. */
  hmacSecret: z.string(),
  redirectURL: z.string(),
  /** Path of `redirectURL`: the callback the filter answers. */
  redirectPath: z.string(),
  logoutPath: z.string(),
  scopes: z.array(z.string()),
  resources: z.array(z.string()),
  /** Suffix of the cookie names, unique per policy (Envoy Gateway's `<name>-<suffix>`). */
  cookieSuffix: z.string(),
  /** Cookie names replacing `BearerToken-<suffix>` / `IdToken-<suffix>`. */
  accessTokenCookie: z.string().optional(),
  idTokenCookie: z.string().optional(),
  cookieDomain: z.string().optional(),
  sameSite: z.enum(['Lax', 'Strict', 'None']).optional(),
  forwardAccessToken: z.boolean(),
  /** Header the ID token is sent upstream in, when set. */
  forwardIDTokenHeader: z.string().optional(),
  /** Requests carrying `Authorization` skip the login (a JWT provider then verifies them). */
  passThroughAuthHeader: z.boolean(),
  refreshToken: z.boolean(),
  defaultTokenTTLMs: z.number().optional(),
  defaultRefreshTokenTTLMs: z.number().optional(),
  csrfTokenTTLMs: z.number().optional(),
  disableTokenEncryption: z.boolean(),
  denyRedirect: z.array(OIDCDenyRedirectHeaderSchema),
});
export type OIDC = z.infer<typeof OIDCSchema>;

/** What protects a route: set parts apply in Envoy Gateway's filter order. */
export const SecurityIRSchema = z.object({
  /** The SecurityPolicy, `<namespace>/<name>`: names its filter instances. */
  policy: z.string(),
  basicAuth: BasicAuthSchema.optional(),
  apiKeyAuth: APIKeyAuthSchema.optional(),
  oidc: OIDCSchema.optional(),
  jwt: JWTSchema.optional(),
  extAuth: ExtAuthSchema.optional(),
  authorization: AuthorizationSchema.optional(),
  csrf: CSRFSchema.optional(),
});
export type SecurityIR = z.infer<typeof SecurityIRSchema>;
