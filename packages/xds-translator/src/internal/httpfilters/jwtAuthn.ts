// SecurityPolicy jwt with Envoy's jwt_authn filter: one filter per connection manager holding
// every provider of the policies its routes use (named `<policy>/<provider>`) and one requirement
// per policy (any provider; `allow_missing` too when optional); each protected route names its
// policy's requirement (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/jwt_authn_filter).
import {
  HttpFilter,
  JwtAuthentication,
  JwtPerRoute,
  JwtProvider,
  JwtRequirement,
  packAny,
} from '@egts/envoy-api';
import type { JWT, JWTProvider } from '@egts/ir';
import { addDestination } from '../cluster/destinationClusters.js';
import { durationMs } from '../protoValues.js';
import { type HttpFilterTranslator, routesOf } from './httpFilter.js';
import { policiesWith, securityOf } from './securityPolicies.js';
import { serviceRetryPolicy } from './serviceRetry.js';

const NAME = 'envoy.filters.http.jwt_authn';
/** How long a fetched JWKS is kept (Envoy Gateway's default cacheDuration). */
const JWKS_CACHE_MS = 300_000;
const JWKS_TIMEOUT_MS = 10_000;

const providerName = (policy: string, provider: JWTProvider) => `${policy}/${provider.name}`;

const provider = (p: JWTProvider): JwtProvider =>
  JwtProvider.fromPartial({
    issuer: p.issuer ?? '',
    audiences: p.audiences,
    // The token goes on upstream, as Envoy Gateway leaves it.
    forward: true,
    ...(p.localJWKS !== undefined ? { localJwks: { inlineString: p.localJWKS } } : {}),
    ...(p.remoteJWKS !== undefined
      ? {
          remoteJwks: {
            httpUri: {
              uri: p.remoteJWKS.uri,
              cluster: p.remoteJWKS.destination.name,
              timeout: durationMs(p.remoteJWKS.timeoutMs ?? JWKS_TIMEOUT_MS),
            },
            cacheDuration: durationMs(p.remoteJWKS.cacheDurationMs ?? JWKS_CACHE_MS),
            // Fetched when the listener starts, as Envoy Gateway does, rather than by the first
            // request that needs it; a failed fetch is retried after failedRefetchDuration.
            asyncFetch: {
              fastListener: false,
              ...(p.remoteJWKS.failedRefetchDurationMs === undefined
                ? {}
                : { failedRefetchDuration: durationMs(p.remoteJWKS.failedRefetchDurationMs) }),
            },
            ...(p.remoteJWKS.retry ? { retryPolicy: serviceRetryPolicy(p.remoteJWKS.retry) } : {}),
          },
        }
      : {}),
    ...(p.extractFrom
      ? {
          fromHeaders: p.extractFrom.headers.map((h) => ({
            name: h.name,
            valuePrefix: h.valuePrefix ?? '',
          })),
          fromCookies: p.extractFrom.cookies,
          fromParams: p.extractFrom.params,
        }
      : {}),
    claimToHeaders: p.claimToHeaders.map((c) => ({ headerName: c.header, claimName: c.claim })),
    clearRouteCache: p.recomputeRoute === true,
    // The verified payload, for authorization rules on claims and scopes (rbac.ts), with
    // `scope` split into a list as OAuth 2.0 writes it space-delimited (RFC 8693 4.2).
    payloadInMetadata: p.name,
    normalizePayloadInMetadata: { spaceDelimitedClaims: ['scope'] },
  });

const requirement = (policy: string, jwt: JWT): JwtRequirement => {
  const names = jwt.providers.map((p) => ({ providerName: providerName(policy, p) }));
  const options = jwt.failOpen
    ? [...names, { allowMissingOrFailed: {} }]
    : jwt.optional
      ? [...names, { allowMissing: {} }]
      : names;
  if (options.length === 1) return options[0] as JwtRequirement;
  return { requiresAny: { requirements: options } } as JwtRequirement;
};

export const jwtAuthnFilter: HttpFilterTranslator = {
  resourcesPerRoute: true,
  patchListener: (listeners) => {
    const policies = policiesWith(listeners, 'jwt');
    if (policies.length === 0) return [];
    const config = JwtAuthentication.fromPartial({});
    // The two maps, keyed by policy: objects without a prototype, which V8 keeps as hash tables
    // from the start. A plain object took a new hidden class for each new key (hundreds of
    // policies, named anew by each translation), a quarter of this filter's cost at the bench's
    // large shape. Iterated in insertion order all the same, as encoding them reads them.
    config.providers = Object.create(null) as JwtAuthentication['providers'];
    config.requirementMap = Object.create(null) as JwtAuthentication['requirementMap'];
    // Complete messages placed as they are: fromPartial would copy every provider once more.
    for (const { policy, jwt } of policies) {
      for (const p of jwt.providers) config.providers[providerName(policy, p)] = provider(p);
      config.requirementMap[policy] = JwtRequirement.fromPartial(requirement(policy, jwt));
    }
    return [
      HttpFilter.fromPartial({ name: NAME, typedConfig: packAny(JwtAuthentication, config) }),
    ];
  },
  routeConfigOf: securityOf,
  patchRoute: (route) =>
    route.security?.jwt === undefined
      ? undefined
      : {
          [NAME]: packAny(
            JwtPerRoute,
            JwtPerRoute.fromPartial({ requirementName: route.security.policy }),
          ),
        },
  addResources: (listener, out) => {
    for (const route of routesOf([listener])) {
      for (const p of route.security?.jwt?.providers ?? [])
        if (p.remoteJWKS) addDestination(p.remoteJWKS.destination, out, { single: true });
    }
  },
};
