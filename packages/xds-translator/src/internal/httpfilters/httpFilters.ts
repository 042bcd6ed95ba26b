// Every HTTP filter the translator knows, in the order Envoy runs them: CORS answers preflights
// before anything else; then who the caller is (basic auth, JWT), what an external service says
// (ext_authz), what the authorization rules allow (RBAC); session persistence picks the host
// before the router forwards.
import { basicAuthFilter } from './basicAuth.js';
import { corsFilter } from './cors.js';
import { extAuthzFilter } from './extAuthz.js';
import type { HttpFilterTranslator } from './httpFilter.js';
import { jwtAuthnFilter } from './jwtAuthn.js';
import { rbacFilter } from './rbac.js';
import { routerFilter } from './router.js';
import { statefulSessionFilter } from './statefulSession.js';

export const HTTP_FILTERS: readonly HttpFilterTranslator[] = [
  corsFilter,
  basicAuthFilter,
  jwtAuthnFilter,
  extAuthzFilter,
  rbacFilter,
  statefulSessionFilter,
  routerFilter,
];
