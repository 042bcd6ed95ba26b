// @egts/ir: the intermediate representation between Gateway API translation and xDS translation.
// Types for every part; the schemas of the two roots, to check an IR read from a file or a test.

export type {
  ActiveHealthCheck,
  AdmissionControl,
  BandwidthLimit,
  Compression,
  ConsistentHash,
  FaultInjection,
  HealthCheck,
  HealthCheckPayload,
  HTTPUpgrade,
  LoadBalancer,
  LocalRateLimit,
  LocalRateLimitRule,
  OutlierDetection,
  RateLimitCost,
  RateLimitHeaderMatch,
  RateLimitValue,
  RequestBuffer,
  ResponseOverride,
  TCPKeepalive,
  UpstreamDNS,
  UpstreamTimeouts,
  ZoneAware,
} from './backendTraffic.js';
export type { ClientTraffic, ClientValidation, HeaderMutation } from './clientTraffic.js';
export type { CredentialInjection } from './credentialInjection.js';
export type {
  DestinationSetting,
  Endpoint,
  RouteDestination,
  TLSCertificate,
  UpstreamHTTP2Settings,
  UpstreamTLS,
} from './destination.js';
export type { DynamicModuleSource } from './dynamicModule.js';
export type {
  EnvoyPatchPolicyIR,
  EnvoyPatchPolicyOutcome,
  JSONPatch,
} from './envoyPatchPolicy.js';
export type { FilterOrder, GeoIPProvider, IpFamily } from './envoyProxy.js';
export {
  prefixRewriteRegex,
  regexQuote,
  subdomainOriginRegex,
  wildcardOriginRegex,
} from './envoyRegex.js';
export {
  type ExtensionObject,
  ExtensionObjectSchema,
  type ExtensionServerPolicy,
  ExtensionServerPolicySchema,
} from './extensionServer.js';
export type {
  DynamicModuleFilter,
  ExtensionsIR,
  ExtProc,
  LuaScript,
  WasmModule,
} from './extensions.js';
export type {
  GlobalRateLimit,
  GlobalRateLimitRule,
  RateLimitService,
  RateLimitUnit,
  SdsFile,
} from './globalRateLimit.js';
export type {
  CORS,
  DirectResponse,
  HeaderValue,
  HTTPRouteIR,
  HTTPTimeout,
  Mirror,
  Redirect,
  SessionPersistence,
  StringMatch,
  URLRewrite,
} from './httpRoute.js';
export type {
  FleetOwnerRef,
  InfraIR,
  InfraListener,
  InfraOwner,
  InfraPort,
  ProxyInfra,
} from './infra.js';
export { fleetGateways, fleetOwnerRef, InfraIRSchema } from './infra.js';
export type {
  HTTPListener,
  ListenerTLS,
  TCPListener,
  TCPRouteIR,
  UDPListener,
  XdsIR,
} from './listeners.js';
export { XdsIRSchema } from './listeners.js';
export type { Retry } from './retry.js';
export type { RouteSource } from './routeSource.js';
export type {
  APIKeyAuth,
  Authorization,
  AuthorizationRule,
  BasicAuth,
  CSRF,
  ExtAuth,
  JWT,
  JWTExtractor,
  JWTProvider,
  OIDC,
  SecurityIR,
} from './security.js';
export {
  APIKeyAuthSchema,
  AuthorizationRuleSchema,
  AuthorizationSchema,
  BasicAuthSchema,
  CSRFSchema,
  ExtAuthSchema,
  JWTExtractorSchema,
  JWTProviderSchema,
  JWTSchema,
  OIDCSchema,
  SecurityIRSchema,
} from './security.js';
export type {
  BackendConnection,
  CircuitBreaker,
  ConnectionSettings,
  HeaderSettings,
  HTTP2Settings,
} from './settings.js';
export type {
  AccessLog,
  AccessLogSink,
  CustomTag,
  RouteTracing,
  SpanName,
  Tracing,
  TracingSampling,
} from './telemetry.js';
export { RouteTracingSchema, TracingSchema } from './telemetry.js';
