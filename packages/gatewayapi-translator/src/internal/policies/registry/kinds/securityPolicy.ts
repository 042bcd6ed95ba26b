// SecurityPolicy fields: applied or not (see ../fieldRegistry.ts). Applied fields are proven by
// Envoy Gateway's e2e tests re-expressed in apps/conformance (`pnpm conformance --suite
// envoy-gateway`), through egts and real Envoy.
import { isRecord } from '@egts/api';
import type { KindFields } from '../fieldRegistry.js';
import { TARGETING_PROOF } from './proofs.js';
import { serviceBackendSettings } from './serviceSettings.js';

const e2e = (test: string) => `apps/conformance/src/tests/envoyGateway/securityPolicy.ts: ${test}`;
const extAuthE2e = (test: string) => `apps/conformance/src/tests/envoyGateway/extAuth.ts: ${test}`;
const BASIC_AUTH = e2e('BasicAuth');
const AUTHZ = e2e('AuthzWithHTTPMethodAndHeader');
const CORS = e2e('CORSFromSecurityPolicy');
const CORS_OPTIONS =
  'apps/conformance/src/tests/envoyGateway/egtsSecurityPolicyCors.ts: EgtsCORSCredentialsMaxAge';
const LOCAL_JWKS = e2e('LocalJWKSInline');
const GEOIP_COUNTRY = 'apps/conformance/src/tests/envoyGateway/geoIP.ts: AuthzWithGeoIPCountry';
const GEOIP_FIELDS = 'apps/conformance/src/tests/envoyGateway/geoIP.ts: EgtsAuthzWithGeoIPFields';
const OIDC = 'apps/conformance/src/tests/envoyGateway/oidc.ts: OIDC';
const OIDC_OPTIONS = 'apps/conformance/src/tests/envoyGateway/oidc.ts: EgtsOIDCOptions';
const OIDC_DISCOVERY = 'apps/conformance/src/tests/envoyGateway/oidc.ts: EgtsOIDCDiscovery';
const OIDC_TTL = 'apps/conformance/src/tests/envoyGateway/oidc.ts: EgtsOIDCDefaultTokenTTL';
/** The Envoy configuration of the requests Envoy makes to a policy's services (xds-translator). */
const SERVICE_SETTINGS =
  'packages/xds-translator/src/__tests__/securityServices.test.ts: fetch and check settings';
/** egts's own tests in the same suite, for settings the e2e tests do not exercise offline. */
const egts = (test: string) =>
  `apps/conformance/src/tests/envoyGateway/egtsSecurityPolicy.ts: ${test}`;

/** The services a policy calls; their `backendSettings` are BackendTrafficPolicy's (serviceSettings.ts). */
const SERVICES = [
  'spec.jwt.providers.remoteJWKS',
  'spec.oidc.provider',
  'spec.extAuth.http',
  'spec.extAuth.grpc',
];
/** Each service's cluster against a BackendTrafficPolicy's, every group set; Envoy loads it. */
const SERVICE_CLUSTERS =
  'apps/conformance/src/__tests__/securityServiceSettings.test.ts: each service cluster carries the settings of a BackendTrafficPolicy';
/** Services behind a PROXY protocol only stand-in, reached only with the setting (real Envoy). */
const SERVICE_PROXY_PROTOCOL = (test: string) =>
  `apps/conformance/src/__tests__/securityServiceSettings.integration.test.ts: ${test}`;
const GRPC_RETRY = SERVICE_PROXY_PROTOCOL(
  'a flaky gRPC authorization service is retried as backendSettings.retry asks',
);
/**
 * Not applied to a service, as in Envoy Gateway: `timeout.http.streamIdleTimeout` and
 * `requestTimeout` are route settings in a BackendTrafficPolicy (the route's idle and request
 * timeouts), and no route carries a filter's own requests; Envoy Gateway builds the services'
 * clusters from the same settings (createExtServiceXDSCluster), and an Envoy cluster has neither
 * timeout; the filters time their calls out by `extAuth.timeout` (ext_authz, which keeps that
 * field's place) or a fixed 10 s. Where a fetch has a timeout of its own egts takes
 * `requestTimeout` for it: the remote JWKS fetch's and the OpenID token request's `http_uri.timeout`.
 */
// `backendSettings.loadBalancer.dynamicModule` is not applied either (serviceSettings.ts): a
// SecurityPolicy's services are built once for every Gateway the policy reaches, and a module
// load balancer needs the module registry of one Gateway's EnvoyProxy (the external processor's,
// built per Gateway, takes it).
const OWN_TIMEOUT = new Set(['spec.jwt.providers.remoteJWKS', 'spec.oidc.provider']);
const serviceOnlyNotApplied = (service: string): string[] => [
  `${service}.backendSettings.timeout.http.streamIdleTimeout`,
  ...(OWN_TIMEOUT.has(service) ? [] : [`${service}.backendSettings.timeout.http.requestTimeout`]),
];
const serviceEntries = SERVICES.map((service) =>
  serviceBackendSettings(service, SERVICE_CLUSTERS, serviceOnlyNotApplied(service)),
);
const serviceApplied = Object.assign({}, ...serviceEntries.map((e) => e.applied));
const serviceNotApplied = serviceEntries.flatMap((e) => e.notApplied);

/** What a policy on a TCPRoute can apply: authorization by client address (network RBAC). */
const STREAM_APPLIED = [
  'spec.targetRef',
  'spec.targetRefs',
  'spec.targetSelectors',
  'spec.authorization.defaultAction',
  'spec.authorization.rules.action',
  'spec.authorization.rules.name',
  'spec.authorization.rules.principal.clientCIDRs',
];

/** Field paths of the set leaves of `value` (arrays transparent). */
const setPaths = (value: unknown, path: string): string[] =>
  Array.isArray(value)
    ? value.flatMap((v) => setPaths(v, path))
    : isRecord(value)
      ? Object.entries(value).flatMap(([k, v]) => setPaths(v, `${path}.${k}`))
      : value === undefined || value === null
        ? []
        : [path];

const TARGET_FIELDS = ['targetRef', 'targetRefs', 'targetSelectors'];

/** A target field (one target or a list of them) names `kind`. Asked for every SecurityPolicy. */
const targetsKind = (field: unknown, kind: string): boolean =>
  Array.isArray(field)
    ? field.some((t) => isRecord(t) && t.kind === kind)
    : isRecord(field) && field.kind === kind;

/**
 * A policy on a TCPRoute or TLSRoute: Envoy Gateway enforces its authorization with the network
 * RBAC filter. egts does so on TCPRoutes for client addresses; anything else such a policy sets,
 * and a TLSRoute target, is not applied (the route fails closed).
 */
const streamTargets = (spec: Readonly<Record<string, unknown>>): string[] => {
  const tls = TARGET_FIELDS.filter((field) => targetsKind(spec[field], 'TLSRoute')).map(
    (f) => `spec.${f}`,
  );
  if (!TARGET_FIELDS.some((field) => targetsKind(spec[field], 'TCPRoute'))) return tls;
  const unsupported = setPaths(spec, 'spec').filter(
    (path) => !STREAM_APPLIED.some((p) => path === p || path.startsWith(`${p}.`)),
  );
  return [...tls, ...unsupported];
};

export const securityPolicyFields: KindFields = {
  notAppliedIn: streamTargets,
  applied: {
    ...serviceApplied,
    'spec.jwt.providers.remoteJWKS.backendSettings.proxyProtocol': SERVICE_PROXY_PROTOCOL(
      'a remote JWKS behind PROXY protocol is fetched only with proxyProtocol set',
    ),
    'spec.extAuth.http.backendSettings.proxyProtocol': SERVICE_PROXY_PROTOCOL(
      'an HTTP authorization service behind PROXY protocol answers only with proxyProtocol set',
    ),
    'spec.extAuth.grpc.backendSettings.proxyProtocol': SERVICE_PROXY_PROTOCOL(
      'a gRPC authorization service behind PROXY protocol answers only with proxyProtocol set',
    ),
    'spec.oidc.provider.backendSettings.proxyProtocol': SERVICE_PROXY_PROTOCOL(
      'an OpenID provider behind PROXY protocol gives tokens only with proxyProtocol set',
    ),
    'spec.extAuth.grpc.backendSettings.retry.numRetries': GRPC_RETRY,
    'spec.extAuth.grpc.backendSettings.retry.retryOn': GRPC_RETRY,
    'spec.targetRef': TARGETING_PROOF,
    'spec.targetRefs': TARGETING_PROOF,
    'spec.targetSelectors': TARGETING_PROOF,
    'spec.apiKeyAuth.credentialRefs': e2e('APIKeyAuth'),
    'spec.apiKeyAuth.extractFrom': e2e('APIKeyAuth'),
    'spec.apiKeyAuth.forwardClientIDHeader': e2e('APIKeyAuth'),
    'spec.apiKeyAuth.sanitize': e2e('APIKeyAuth'),
    'spec.basicAuth.users': BASIC_AUTH,
    'spec.basicAuth.forwardUsernameHeader': BASIC_AUTH,
    'spec.authorization.defaultAction': e2e('AuthzWithDefaultActions'),
    'spec.authorization.rules.action': AUTHZ,
    'spec.authorization.rules.name': AUTHZ,
    'spec.authorization.rules.operation.methods': AUTHZ,
    'spec.authorization.rules.operation.path': e2e('AuthzWithPath'),
    'spec.authorization.rules.principal.headers': AUTHZ,
    'spec.authorization.rules.principal.jwt.provider': e2e('AuthzWithJWTClaimsScopes'),
    'spec.authorization.rules.principal.jwt.claims': e2e('AuthzWithJWTClaimsScopes'),
    'spec.authorization.rules.principal.jwt.scopes': e2e('AuthzWithJWTClaimsScopes'),
    'spec.authorization.rules.principal.clientCIDRs': egts('EgtsAuthzClientCIDRs'),
    'spec.authorization.rules.cel': e2e('AuthzWithCEL'),
    'spec.authorization.rules.principal.clientIPGeoLocations.country': GEOIP_COUNTRY,
    'spec.authorization.rules.principal.clientIPGeoLocations.region': GEOIP_FIELDS,
    'spec.authorization.rules.principal.clientIPGeoLocations.city': GEOIP_FIELDS,
    'spec.authorization.rules.principal.clientIPGeoLocations.asn': GEOIP_FIELDS,
    'spec.authorization.rules.principal.clientIPGeoLocations.isp': GEOIP_FIELDS,
    'spec.authorization.rules.principal.clientIPGeoLocations.anonymous': GEOIP_FIELDS,
    // On a TCPRoute too (network RBAC): TCPRouteAuthzWithClientIP; from a Gateway or listener
    // policy onto its TCP listeners: egtsSecurityPolicy.ts EgtsGatewayTCPAuthzClientCIDRs.
    'spec.cors.allowOrigins': CORS,
    'spec.cors.allowMethods': CORS,
    'spec.cors.allowHeaders': CORS,
    'spec.cors.exposeHeaders': CORS,
    'spec.cors.allowCredentials': CORS_OPTIONS,
    'spec.cors.maxAge': CORS_OPTIONS,
    'spec.csrf.additionalOrigins': e2e('CSRFFromSecurityPolicy'),
    'spec.csrf.shadowFraction': e2e('CSRFFromSecurityPolicy'),
    'spec.extAuth.http.backendRef': e2e('HTTPExtAuth'),
    'spec.extAuth.http.backendRefs': e2e('HTTPExtAuth'),
    'spec.extAuth.http.path': e2e('HTTPExtAuth'),
    'spec.extAuth.http.headersToBackend': e2e('HTTPExtAuth'),
    'spec.jwt.optional': e2e('OptionalJWT'),
    'spec.mergeType': egts('EgtsSecurityPolicyMergeType'),
    'spec.jwt.failOpen': egts('EgtsJWTExtractFromFailOpen'),
    'spec.jwt.providers.extractFrom': egts('EgtsJWTExtractFromFailOpen'),
    'spec.jwt.providers.name': LOCAL_JWKS,
    'spec.jwt.providers.issuer': egts('EgtsJWTIssuerAudiences'),
    'spec.jwt.providers.audiences': egts('EgtsJWTIssuerAudiences'),
    'spec.jwt.providers.claimToHeaders': LOCAL_JWKS,
    'spec.jwt.providers.localJWKS.type': LOCAL_JWKS,
    'spec.jwt.providers.localJWKS.inline': LOCAL_JWKS,
    'spec.jwt.providers.localJWKS.valueRef': e2e('LocalJWKSValueRef'),
    'spec.jwt.providers.remoteJWKS.uri': e2e('OptionalJWT'),
    'spec.jwt.providers.remoteJWKS.cacheDuration': e2e('JWT'),
    'spec.jwt.providers.remoteJWKS.backendRefs': e2e('JWTBackendRemoteJWKS'),
    // The deprecated singular ref, used when `backendRefs` is empty (Envoy Gateway's CRD refuses
    // it here; egts takes it, as for the other services' singular refs).
    ...Object.fromEntries(
      ['name', 'namespace', 'port', 'group', 'kind'].map((field) => [
        `spec.jwt.providers.remoteJWKS.backendRef.${field}`,
        SERVICE_PROXY_PROTOCOL(
          'a remote JWKS behind PROXY protocol is fetched only with proxyProtocol set',
        ),
      ]),
    ),
    'spec.jwt.providers.remoteJWKS.backendSettings.retry': e2e('JWTBackendRemoteJWKS'),
    'spec.oidc.provider.backendSettings.timeout.http.requestTimeout': SERVICE_PROXY_PROTOCOL(
      "a token request outlasting the provider's requestTimeout fails the login",
    ),
    'spec.jwt.providers.remoteJWKS.backendSettings.timeout.http.requestTimeout':
      e2e('JWTBackendRemoteJWKS'),
    'spec.jwt.providers.remoteJWKS.failedRefetchDuration': SERVICE_SETTINGS,
    'spec.extAuth.grpc.backendSettings.retry': SERVICE_SETTINGS,
    'spec.extAuth.http.backendSettings.retry': extAuthE2e('EgtsHTTPExtAuthPathOverrideRetry'),
    'spec.extAuth.http.pathOverride': extAuthE2e('EgtsHTTPExtAuthPathOverrideRetry'),
    'spec.extAuth.http.backendSettings.loadBalancer': extAuthE2e(
      'EgtsHTTPExtAuthPathOverrideRetry',
    ),
    'spec.extAuth.statusOnError': egts('EgtsExtAuthFailOpenRecompute'),
    'spec.extAuth.bodyToExtAuth': egts('EgtsExtAuthFailOpenRecompute'),
    'spec.jwt.providers.recomputeRoute': e2e('JWT'),
    'spec.extAuth.grpc.backendRef': extAuthE2e('GRPCExtAuth'),
    'spec.extAuth.grpc.backendRefs': extAuthE2e('GRPCExtAuth'),
    'spec.extAuth.grpc.backendSettings.loadBalancer': extAuthE2e('GRPCExtAuth'),
    'spec.extAuth.includeRouteMetadata': extAuthE2e('GRPCExtAuth'),
    'spec.extAuth.timeout': extAuthE2e('ExtAuthTimeout'),
    'spec.extAuth.headersToExtAuth': extAuthE2e('EgtsGRPCExtAuthHeadersContext'),
    'spec.extAuth.contextExtensions': extAuthE2e('EgtsGRPCExtAuthHeadersContext'),
    'spec.extAuth.failOpen': egts('EgtsExtAuthFailOpenRecompute'),
    'spec.extAuth.recomputeRoute': egts('EgtsExtAuthFailOpenRecompute'),
    'spec.oidc.provider.issuer': OIDC_DISCOVERY,
    'spec.oidc.provider.authorizationEndpoint': OIDC,
    'spec.oidc.provider.tokenEndpoint': OIDC,
    'spec.oidc.provider.endSessionEndpoint': OIDC,
    'spec.oidc.clientID': OIDC,
    'spec.oidc.clientSecret': OIDC,
    'spec.oidc.redirectURL': OIDC,
    'spec.oidc.logoutPath': OIDC,
    'spec.oidc.forwardAccessToken': OIDC,
    'spec.oidc.passThroughAuthHeader': OIDC,
    'spec.oidc.forwardIDToken.header': OIDC,
    'spec.oidc.scopes': OIDC_OPTIONS,
    'spec.oidc.resources': OIDC_OPTIONS,
    'spec.oidc.cookieNames': OIDC_OPTIONS,
    'spec.oidc.cookieDomain': OIDC_OPTIONS,
    'spec.oidc.denyRedirect': OIDC_OPTIONS,
    'spec.oidc.cookieConfig.sameSite': OIDC_OPTIONS,
    'spec.oidc.csrfTokenTTL': OIDC_OPTIONS,
    'spec.oidc.disableTokenEncryption': OIDC_OPTIONS,
    'spec.oidc.clientIDRef': OIDC_DISCOVERY,
    'spec.oidc.refreshToken': OIDC_DISCOVERY,
    'spec.oidc.defaultRefreshTokenTTL': OIDC_DISCOVERY,
    'spec.oidc.defaultTokenTTL': OIDC_TTL,
    'spec.oidc.provider.backendRef': OIDC_TTL,
    'spec.oidc.provider.backendRefs': OIDC_DISCOVERY,
    'spec.oidc.provider.backendSettings.retry': SERVICE_SETTINGS,
  },
  notApplied: [
    ...serviceNotApplied,
    'spec.apiKeyAuth',
    'spec.authorization',
    'spec.basicAuth',
    'spec.cors',
    'spec.csrf',
    'spec.extAuth',
    'spec.jwt',
    'spec.oidc',
  ],
};
