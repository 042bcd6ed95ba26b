// The suite's conformance profiles (GEP-1709): the features each one tests at the core and the
// extended level. A test belongs to a profile when all its features are in it, and counts as core
// when all of them are core features.
import type { ConformanceTest, Feature } from './conformanceTest.js';

export interface Profile {
  readonly name: string;
  readonly core: readonly Feature[];
  readonly extended: readonly Feature[];
}

const gatewayExtended = [
  'GatewayAddressEmpty',
  'GatewayHTTPListenerIsolation',
  'GatewayInfrastructurePropagation',
  'GatewayPort8080',
  'GatewayStaticAddresses',
  'GatewayBackendClientCertificate',
  'GatewayFrontendClientCertificateValidation',
  'GatewayFrontendClientCertificateValidationInsecureFallback',
  'GatewayHTTPSListenerDetectMisdirectedRequests',
  'ListenerSet',
];

export const PROFILES: readonly Profile[] = [
  {
    name: 'GATEWAY-HTTP',
    core: ['Gateway', 'HTTPRoute', 'ReferenceGrant'],
    extended: [
      ...gatewayExtended,
      'BackendTLSPolicy',
      'BackendTLSPolicySANValidation',
      'HTTPRoute303RedirectStatusCode',
      'HTTPRoute307RedirectStatusCode',
      'HTTPRoute308RedirectStatusCode',
      'HTTPRouteBackendProtocolH2C',
      'HTTPRouteBackendProtocolWebSocket',
      'HTTPRouteBackendRequestHeaderModification',
      'HTTPRouteBackendTimeout',
      'HTTPRouteCORS',
      'HTTPRouteDestinationPortMatching',
      'HTTPRouteHostRewrite',
      'HTTPRouteMethodMatching',
      'HTTPRouteNamedRouteRule',
      'HTTPRouteParentRefPort',
      'HTTPRoutePathRedirect',
      'HTTPRoutePathRewrite',
      'HTTPRoutePortRedirect',
      'HTTPRouteQueryParamMatching',
      'HTTPRouteRequestMirror',
      'HTTPRouteRequestMultipleMirrors',
      'HTTPRouteRequestPercentageMirror',
      'HTTPRouteRequestTimeout',
      'HTTPRouteResponseHeaderModification',
      'HTTPRouteRetry',
      'HTTPRouteRetryBackendTimeout',
      'HTTPRouteRetryConnectionError',
      'HTTPRouteSchemeRedirect',
    ],
  },
  {
    name: 'GATEWAY-TLS',
    core: ['Gateway', 'TLSRoute', 'ReferenceGrant'],
    extended: [...gatewayExtended, 'TLSRouteModeMixed', 'TLSRouteModeTerminate'],
  },
  {
    name: 'GATEWAY-GRPC',
    core: ['Gateway', 'GRPCRoute', 'ReferenceGrant'],
    extended: [
      ...gatewayExtended,
      'GRPCRouteNamedRouteRule',
      'GRPCRouteRequestHeaderModifier',
      'BackendTLSPolicy',
    ],
  },
];

export type Level = 'core' | 'extended';

/** The level at which `test` counts in `profile`, or undefined when it is not part of it. */
export const levelIn = (test: ConformanceTest, profile: Profile): Level | undefined => {
  const all = new Set([...profile.core, ...profile.extended]);
  if (!test.features.every((f) => all.has(f))) return undefined;
  return test.features.every((f) => profile.core.includes(f)) ? 'core' : 'extended';
};

/**
 * Envoy Gateway's e2e tests, grouped like the Gateway API profiles so that the same report format
 * serves: a SecurityPolicy test is core when it needs nothing but the policy, extended per feature.
 */
export const ENVOY_GATEWAY_PROFILES: readonly Profile[] = [
  {
    name: 'ENVOY-GATEWAY-SECURITY',
    core: ['SecurityPolicy'],
    extended: [
      'APIKeyAuth',
      'Authorization',
      'BasicAuth',
      'CORS',
      'CSRF',
      'ExtAuth',
      'JWT',
      'OIDC',
    ],
  },
  {
    name: 'ENVOY-GATEWAY-TRAFFIC',
    core: ['BackendTrafficPolicy'],
    extended: ['LocalRateLimit', 'GlobalRateLimit'],
  },
  {
    name: 'ENVOY-GATEWAY-CLIENT',
    core: ['ClientTrafficPolicy'],
    // EnvoyProxy settings that shape the client side (preserveRouteOrder).
    extended: ['EnvoyProxy'],
  },
  {
    name: 'ENVOY-GATEWAY-TELEMETRY',
    // EnvoyProxy telemetry (access logs, tracing, metrics) read from the telemetry add-on's
    // stand-in collector and the proxies' own output; per-route telemetry from a
    // BackendTrafficPolicy (its own feature, so that the policy's other tests stay out).
    core: ['EnvoyProxyTelemetry'],
    extended: ['BackendTrafficPolicyTelemetry'],
  },
  {
    name: 'ENVOY-GATEWAY-EXTENSIONS',
    core: ['EnvoyPatchPolicy', 'EnvoyExtensionPolicy', 'HTTPRouteFilter', 'Backend'],
    extended: ['Lua', 'ExtProc', 'Wasm', 'DynamicModule'],
  },
];
