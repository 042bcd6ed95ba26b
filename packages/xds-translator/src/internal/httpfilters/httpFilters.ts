// Every HTTP filter the translator knows, in the order Envoy runs them: CORS answers preflights
// before anything else, CSRF refuses cross-site unsafe requests; then who the caller is (basic
// auth, OIDC login, then JWT, which verifies the token OIDC forwards), what an external service says (ext_authz), what the authorization rules allow
// (RBAC); local rate limits count only callers let through; session persistence picks the host;
// the gRPC filters sit just before the router, as in Envoy Gateway's filter order.
import { basicAuthFilter } from './basicAuth.js';
import { corsFilter } from './cors.js';
import { csrfFilter } from './csrf.js';
import { extAuthzFilter } from './extAuthz.js';
import { extProcFilter } from './extProc.js';
import { grpcStatsFilter } from './grpcStats.js';
import { grpcWebFilter } from './grpcWeb.js';
import type { HttpFilterTranslator } from './httpFilter.js';
import { jwtAuthnFilter } from './jwtAuthn.js';
import { localRateLimitFilter } from './localRateLimit.js';
import { luaFilter } from './lua.js';
import { oauth2Filter } from './oauth2.js';
import { rbacFilter } from './rbac.js';
import { routerFilter } from './router.js';
import { statefulSessionFilter } from './statefulSession.js';

export const HTTP_FILTERS: readonly HttpFilterTranslator[] = [
  corsFilter,
  csrfFilter,
  basicAuthFilter,
  oauth2Filter,
  jwtAuthnFilter,
  extAuthzFilter,
  rbacFilter,
  localRateLimitFilter,
  extProcFilter,
  luaFilter,
  statefulSessionFilter,
  grpcWebFilter,
  grpcStatsFilter,
  routerFilter,
];
