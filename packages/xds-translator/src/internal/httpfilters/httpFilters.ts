// Every HTTP filter the translator knows, in the order Envoy runs them: response overrides come
// first so that they see the local replies of every later filter; injected faults next, as in
// Envoy Gateway's order; CORS answers preflights, CSRF refuses cross-site unsafe requests; then
// who the caller is (basic auth, API key, OIDC login, then JWT, which verifies the token OIDC
// forwards), what an external service says (ext_authz), what the authorization rules allow (RBAC);
// local, then global rate limits count only callers let through; admission control sheds load
// from failing backends; then the request body is buffered and its
// rate limited; EnvoyExtensionPolicy external processors, then Lua scripts, see only admitted
// requests; session persistence picks the host; the gRPC filters and response compression sit
// just before the router, as in Envoy Gateway's filter order.
import { apiKeyAuthFilter } from './apiKeyAuth.js';
import { bandwidthLimitFilter } from './bandwidthLimit.js';
import { basicAuthFilter } from './basicAuth.js';
import { bufferFilter } from './buffer.js';
import { compressorFilter } from './compressor.js';
import { corsFilter } from './cors.js';
import { credentialInjectorFilter } from './credentialInjector.js';
import { csrfFilter } from './csrf.js';
import { customResponseFilter } from './customResponse.js';
import { dynamicModulesFilter } from './dynamicModules.js';
import { dynamicResolverLoopbackFilter } from './dynamicResolverLoopback.js';
import { extAuthzFilter } from './extAuthz.js';
import { extProcFilter } from './extProc.js';
import { faultFilter } from './fault.js';
import { geoipFilter } from './geoip.js';
import { globalRateLimitFilter } from './globalRateLimit.js';
import { grpcStatsFilter } from './grpcStats.js';
import { grpcWebFilter } from './grpcWeb.js';
import { healthCheckFilter } from './healthCheck.js';
import type { HttpFilterTranslator } from './httpFilter.js';
import { jwtAuthnFilter } from './jwtAuthn.js';
import { lateResponseHeadersFilter } from './lateResponseHeaders.js';
import { localRateLimitFilter } from './localRateLimit.js';
import { luaFilter } from './lua.js';
import { oauth2Filter } from './oauth2.js';
import { rbacFilter } from './rbac.js';
import { routerFilter } from './router.js';
import { statefulSessionFilter } from './statefulSession.js';
import { wasmFilter } from './wasm.js';

export const HTTP_FILTERS: readonly HttpFilterTranslator[] = [
  // A listener's health check answers before any policy; late response headers run last.
  healthCheckFilter,
  // Envoy Gateway puts it first: DynamicResolver routes refuse loopback hosts before anything.
  dynamicResolverLoopbackFilter,
  lateResponseHeadersFilter,
  customResponseFilter,
  faultFilter,
  corsFilter,
  csrfFilter,
  basicAuthFilter,
  apiKeyAuthFilter,
  oauth2Filter,
  jwtAuthnFilter,
  extAuthzFilter,
  // Looks the client address up for the authorization rules that match on its location.
  geoipFilter,
  rbacFilter,
  localRateLimitFilter,
  globalRateLimitFilter,
  bufferFilter,
  bandwidthLimitFilter,
  extProcFilter,
  // Envoy Gateway's EnvoyExtensionPolicy order: external processors, Wasm, dynamic modules,
  // then Lua.
  wasmFilter,
  dynamicModulesFilter,
  luaFilter,
  // After every filter that decides whether the request goes on: the backend's credential.
  credentialInjectorFilter,
  statefulSessionFilter,
  grpcWebFilter,
  grpcStatsFilter,
  compressorFilter,
  routerFilter,
];
