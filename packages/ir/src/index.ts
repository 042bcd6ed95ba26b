// @egts/ir: the intermediate representation between Gateway API translation and xDS translation.
export type {
  DestinationSetting,
  Endpoint,
  RouteDestination,
  TLSCertificate,
  UpstreamTLS,
} from './destination.js';
export {
  DestinationSettingSchema,
  EndpointSchema,
  RouteDestinationSchema,
  TLSCertificateSchema,
  UpstreamTLSSchema,
} from './destination.js';
export type {
  CORS,
  DirectResponse,
  HeaderValue,
  HTTPRouteIR,
  HTTPTimeout,
  Mirror,
  Redirect,
  Retry,
  SessionPersistence,
  StringMatch,
  URLRewrite,
} from './httpRoute.js';
export {
  CORSSchema,
  DirectResponseSchema,
  HeaderValueSchema,
  HTTPRouteIRSchema,
  HTTPTimeoutSchema,
  MirrorSchema,
  RedirectSchema,
  RetrySchema,
  SessionPersistenceSchema,
  StringMatchSchema,
  URLRewriteSchema,
} from './httpRoute.js';
export type { InfraIR, InfraListener, InfraOwner, InfraPort, ProxyInfra } from './infra.js';
export {
  InfraIRSchema,
  InfraListenerSchema,
  InfraOwnerSchema,
  InfraPortSchema,
  ProxyInfraSchema,
} from './infra.js';
export type {
  HTTPListener,
  ListenerTLS,
  TCPListener,
  TCPRouteIR,
  UDPListener,
  XdsIR,
} from './listeners.js';
export {
  HTTPListenerSchema,
  ListenerTLSSchema,
  TCPListenerSchema,
  TCPRouteIRSchema,
  UDPListenerSchema,
  XdsIRSchema,
} from './listeners.js';
export type {
  AccessLog,
  AccessLogSink,
  BackendConnection,
  CircuitBreaker,
  ConnectionSettings,
  HeaderSettings,
  HTTP2Settings,
} from './settings.js';
export {
  AccessLogSchema,
  AccessLogSinkSchema,
  BackendConnectionSchema,
  CircuitBreakerSchema,
  ConnectionSettingsSchema,
  HeaderSettingsSchema,
  HTTP2SettingsSchema,
} from './settings.js';
