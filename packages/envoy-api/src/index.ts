// @egts/envoy-api: ts-proto types and codecs of the Envoy xDS API (generated from the protos
// listed in proto/envoy-api.txt), plus Any and proto3-JSON helpers. Values are plain objects;
// each name below is both the TypeScript type and its codec (encode/decode/toJSON/fromJSON).

export type { MessageCodec, UnpackedAny } from './any.js';
export {
  codecFor,
  encodeMessage,
  packAny,
  TYPE_URL_PREFIX,
  typeNameOf,
  typeUrlOf,
  unpackAny,
  unpackAnyAs,
} from './any.js';
export { fromEnvoyJson, toEnvoyJson } from './envoyJson.js';
// Bootstrap
export {
  Admin,
  Bootstrap,
  ClusterManager,
} from './generated/envoy/config/bootstrap/v3/bootstrap.js';
// Clusters
export {
  Cluster,
  Cluster_DiscoveryType,
  Cluster_DnsLookupFamily,
  Cluster_LbPolicy,
} from './generated/envoy/config/cluster/v3/cluster.js';
// Core
export {
  Address,
  CidrRange,
  SocketAddress,
  SocketAddress_Protocol,
} from './generated/envoy/config/core/v3/address.js';
export {
  ControlPlane,
  DataSource,
  HeaderValue,
  HeaderValueOption,
  HeaderValueOption_HeaderAppendAction,
  Locality,
  Metadata,
  Node,
  RequestMethod,
  RoutingPriority,
  TransportSocket,
} from './generated/envoy/config/core/v3/base.js';
export {
  AggregatedConfigSource,
  ApiConfigSource,
  ApiConfigSource_ApiType,
  ApiVersion,
  ConfigSource,
} from './generated/envoy/config/core/v3/config_source.js';
export { TypedExtensionConfig } from './generated/envoy/config/core/v3/extension.js';
export { GrpcService } from './generated/envoy/config/core/v3/grpc_service.js';
export { HealthStatus } from './generated/envoy/config/core/v3/health_check.js';
export { HttpUri } from './generated/envoy/config/core/v3/http_uri.js';
export {
  Http2ProtocolOptions,
  HttpProtocolOptions as CoreHttpProtocolOptions,
  HttpProtocolOptions_HeadersWithUnderscoresAction,
} from './generated/envoy/config/core/v3/protocol.js';
// BackendTrafficPolicy: local rate limits, upstream PROXY protocol
export { ProxyProtocolConfig_Version } from './generated/envoy/config/core/v3/proxy_protocol.js';
export { SocketOption } from './generated/envoy/config/core/v3/socket_option.js';
// Endpoints
export { ClusterLoadAssignment } from './generated/envoy/config/endpoint/v3/endpoint.js';
export {
  Endpoint,
  LbEndpoint,
  LocalityLbEndpoints,
} from './generated/envoy/config/endpoint/v3/endpoint_components.js';
// Listeners
export { Listener } from './generated/envoy/config/listener/v3/listener.js';
export {
  Filter,
  FilterChain,
  FilterChainMatch,
  ListenerFilter,
} from './generated/envoy/config/listener/v3/listener_components.js';
// RBAC (shared by the HTTP and network RBAC filters)
export {
  Permission,
  Policy as RBACPolicy,
  Principal,
  RBAC as RBACRules,
  RBAC_Action,
} from './generated/envoy/config/rbac/v3/rbac.js';
// Routes
export { RouteConfiguration } from './generated/envoy/config/route/v3/route.js';
export {
  CorsPolicy,
  DirectResponseAction,
  FilterConfig,
  HeaderMatcher,
  QueryParameterMatcher,
  RateLimit_XRateLimitOption,
  RedirectAction,
  RedirectAction_RedirectResponseCode,
  Route,
  RouteAction,
  RouteAction_ClusterNotFoundResponseCode,
  RouteMatch,
  VirtualCluster,
  VirtualHost,
  WeightedCluster,
} from './generated/envoy/config/route/v3/route_components.js';
// ClientTrafficPolicy and EnvoyProxy telemetry (listener filters, connection limits, client IP
// detection, early header mutation, header case, OpenTelemetry tracing)
export { DatadogConfig } from './generated/envoy/config/trace/v3/datadog.js';
export { OpenTelemetryConfig } from './generated/envoy/config/trace/v3/opentelemetry.js';
export {
  ZipkinConfig,
  ZipkinConfig_CollectorEndpointVersion,
} from './generated/envoy/config/trace/v3/zipkin.js';
// Extensions
export { FileAccessLog } from './generated/envoy/extensions/access_loggers/file/v3/file.js';
// EnvoyProxy telemetry: access logs to an access log service or OpenTelemetry, CEL filters, the
// OpenTelemetry stats sink
export { ExpressionFilter } from './generated/envoy/extensions/access_loggers/filters/cel/v3/cel.js';
export {
  HttpGrpcAccessLogConfig,
  TcpGrpcAccessLogConfig,
} from './generated/envoy/extensions/access_loggers/grpc/v3/als.js';
export { OpenTelemetryAccessLogConfig } from './generated/envoy/extensions/access_loggers/open_telemetry/v3/logs_service.js';
export {
  StderrAccessLog,
  StdoutAccessLog,
} from './generated/envoy/extensions/access_loggers/stream/v3/stream.js';
export { ClusterConfig as DynamicForwardProxyClusterConfig } from './generated/envoy/extensions/clusters/dynamic_forward_proxy/v3/cluster.js';
export { XRateLimitHeadersRFCVersion } from './generated/envoy/extensions/common/ratelimit/v3/ratelimit.js';
// BackendTrafficPolicy: fault injection, compression, bandwidth limits, request buffering,
// response overrides
export { Brotli } from './generated/envoy/extensions/compression/brotli/compressor/v3/brotli.js';
export { Gzip } from './generated/envoy/extensions/compression/gzip/compressor/v3/gzip.js';
export { Zstd } from './generated/envoy/extensions/compression/zstd/compressor/v3/zstd.js';
export { AdmissionControl } from './generated/envoy/extensions/filters/http/admission_control/v3/admission_control.js';
export {
  ApiKeyAuth,
  ApiKeyAuthPerRoute,
} from './generated/envoy/extensions/filters/http/api_key_auth/v3/api_key_auth.js';
export {
  BandwidthLimit,
  BandwidthLimit_EnableMode,
} from './generated/envoy/extensions/filters/http/bandwidth_limit/v3/bandwidth_limit.js';
export {
  BasicAuth,
  BasicAuthPerRoute,
} from './generated/envoy/extensions/filters/http/basic_auth/v3/basic_auth.js';
export {
  Buffer as BufferFilter,
  BufferPerRoute,
} from './generated/envoy/extensions/filters/http/buffer/v3/buffer.js';
export {
  Compressor,
  CompressorPerRoute,
} from './generated/envoy/extensions/filters/http/compressor/v3/compressor.js';
export {
  Cors,
  // Named apart from the route-level (deprecated) CorsPolicy above: this one goes in typed_per_filter_config.
  CorsPolicy as CorsFilterPolicy,
} from './generated/envoy/extensions/filters/http/cors/v3/cors.js';
// HTTPRouteFilter credentialInjection
export { CredentialInjector } from './generated/envoy/extensions/filters/http/credential_injector/v3/credential_injector.js';
export { CsrfPolicy } from './generated/envoy/extensions/filters/http/csrf/v3/csrf.js';
export { CustomResponse } from './generated/envoy/extensions/filters/http/custom_response/v3/custom_response.js';
// Backend DynamicResolver: the dynamic forward proxy filter and cluster
export { FilterConfig as DynamicForwardProxyFilterConfig } from './generated/envoy/extensions/filters/http/dynamic_forward_proxy/v3/dynamic_forward_proxy.js';
// EnvoyExtensionPolicy dynamic modules; BackendTrafficPolicy's dynamic module load balancer
export { DynamicModuleFilter } from './generated/envoy/extensions/filters/http/dynamic_modules/v3/dynamic_modules.js';
export {
  ExtAuthz,
  ExtAuthzPerRoute,
} from './generated/envoy/extensions/filters/http/ext_authz/v3/ext_authz.js';
// EnvoyExtensionPolicy: external processing (the filter, and the service for stand-in processors)
export {
  ExternalProcessor,
  ExtProcPerRoute,
} from './generated/envoy/extensions/filters/http/ext_proc/v3/ext_proc.js';
export {
  ProcessingMode_BodySendMode,
  ProcessingMode_HeaderSendMode,
} from './generated/envoy/extensions/filters/http/ext_proc/v3/processing_mode.js';
export { HTTPFault } from './generated/envoy/extensions/filters/http/fault/v3/fault.js';
// EnvoyProxy geoIP: the geoip HTTP filter and its MaxMind provider
export { Geoip } from './generated/envoy/extensions/filters/http/geoip/v3/geoip.js';
// Named after their filters: both packages call their config FilterConfig / GrpcWeb.
export { FilterConfig as GrpcStats } from './generated/envoy/extensions/filters/http/grpc_stats/v3/config.js';
export { GrpcWeb } from './generated/envoy/extensions/filters/http/grpc_web/v3/grpc_web.js';
export { HeaderMutation as HeaderMutationFilter } from './generated/envoy/extensions/filters/http/header_mutation/v3/header_mutation.js';
// Named apart from core's active health checking: this is the HTTP filter that answers probes.
export { HealthCheck as HealthCheckFilter } from './generated/envoy/extensions/filters/http/health_check/v3/health_check.js';
export {
  JwtAuthentication,
  JwtProvider,
  JwtRequirement,
  PerRouteConfig as JwtPerRoute,
} from './generated/envoy/extensions/filters/http/jwt_authn/v3/config.js';
export { LocalRateLimit } from './generated/envoy/extensions/filters/http/local_ratelimit/v3/local_rate_limit.js';
// EnvoyExtensionPolicy: Lua
export { Lua, LuaPerRoute } from './generated/envoy/extensions/filters/http/lua/v3/lua.js';
export {
  CookieConfig_SameSite,
  OAuth2,
  OAuth2Config,
  OAuth2Config_AuthType,
} from './generated/envoy/extensions/filters/http/oauth2/v3/oauth.js';
// Named after its filter (RateLimitConfig is the service's configuration, rls_conf below).
export {
  RateLimit as RateLimitFilter,
  RateLimit_XRateLimitHeadersRFCVersion as RateLimitFilterHeadersVersion,
  RateLimitPerRoute,
} from './generated/envoy/extensions/filters/http/ratelimit/v3/rate_limit.js';
export {
  RBAC,
  RBACPerRoute,
} from './generated/envoy/extensions/filters/http/rbac/v3/rbac.js';
export { Router } from './generated/envoy/extensions/filters/http/router/v3/router.js';
export {
  StatefulSession,
  StatefulSessionPerRoute,
} from './generated/envoy/extensions/filters/http/stateful_session/v3/stateful_session.js';
export { UpstreamCodec } from './generated/envoy/extensions/filters/http/upstream_codec/v3/upstream_codec.js';
// EnvoyExtensionPolicy: Wasm
export { Wasm } from './generated/envoy/extensions/filters/http/wasm/v3/wasm.js';
export { ProxyProtocol as ProxyProtocolListenerFilter } from './generated/envoy/extensions/filters/listener/proxy_protocol/v3/proxy_protocol.js';
export { TlsInspector } from './generated/envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.js';
export { ConnectionLimit } from './generated/envoy/extensions/filters/network/connection_limit/v3/connection_limit.js';
export {
  HttpConnectionManager,
  HttpConnectionManager_CodecType,
  HttpConnectionManager_ForwardClientCertDetails,
  HttpConnectionManager_PathWithEscapedSlashesAction,
  HttpConnectionManager_ServerHeaderTransformation,
  HttpConnectionManager_Tracing,
  HttpFilter,
  Rds,
} from './generated/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.js';
export { RBAC as NetworkRBAC } from './generated/envoy/extensions/filters/network/rbac/v3/rbac.js';
export { FilterConfig as SniDynamicForwardProxyFilterConfig } from './generated/envoy/extensions/filters/network/sni_dynamic_forward_proxy/v3/sni_dynamic_forward_proxy.js';
export { TcpProxy } from './generated/envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.js';
export { Route as UdpProxyRoute } from './generated/envoy/extensions/filters/udp/udp_proxy/v3/route.js';
export { UdpProxyConfig } from './generated/envoy/extensions/filters/udp/udp_proxy/v3/udp_proxy.js';
export { MaxMindConfig } from './generated/envoy/extensions/geoip_providers/maxmind/v3/maxmind.js';
export { HealthCheckEventFileSink } from './generated/envoy/extensions/health_check/event_sinks/file/v3/file.js';
export { LocalResponsePolicy } from './generated/envoy/extensions/http/custom_response/local_response_policy/v3/local_response_policy.js';
export { RedirectPolicy } from './generated/envoy/extensions/http/custom_response/redirect_policy/v3/redirect_policy.js';
export { HeaderMutation as EarlyHeaderMutation } from './generated/envoy/extensions/http/early_header_mutation/header_mutation/v3/header_mutation.js';
export { PreserveCaseFormatterConfig } from './generated/envoy/extensions/http/header_formatters/preserve_case/v3/preserve_case.js';
export { Generic as GenericInjectedCredential } from './generated/envoy/extensions/http/injected_credentials/generic/v3/generic.js';
export { CustomHeaderConfig } from './generated/envoy/extensions/http/original_ip_detection/custom_header/v3/custom_header.js';
export { XffConfig } from './generated/envoy/extensions/http/original_ip_detection/xff/v3/xff.js';
export { CookieBasedSessionState } from './generated/envoy/extensions/http/stateful_session/cookie/v3/cookie.js';
export { HeaderBasedSessionState } from './generated/envoy/extensions/http/stateful_session/header/v3/header.js';
export { ClientSideWeightedRoundRobin } from './generated/envoy/extensions/load_balancing_policies/client_side_weighted_round_robin/v3/client_side_weighted_round_robin.js';
export { LocalityLbConfig } from './generated/envoy/extensions/load_balancing_policies/common/v3/common.js';
export { DynamicModulesLoadBalancerConfig } from './generated/envoy/extensions/load_balancing_policies/dynamic_modules/v3/dynamic_modules.js';
export { LeastRequest } from './generated/envoy/extensions/load_balancing_policies/least_request/v3/least_request.js';
export { Maglev } from './generated/envoy/extensions/load_balancing_policies/maglev/v3/maglev.js';
export { OverrideHost } from './generated/envoy/extensions/load_balancing_policies/override_host/v3/override_host.js';
export { Random } from './generated/envoy/extensions/load_balancing_policies/random/v3/random.js';
export { RoundRobin } from './generated/envoy/extensions/load_balancing_policies/round_robin/v3/round_robin.js';
export { WrrLocality } from './generated/envoy/extensions/load_balancing_policies/wrr_locality/v3/wrr_locality.js';
export { UuidRequestIdConfig } from './generated/envoy/extensions/request_id/uuid/v3/uuid.js';
export { PreviousHostsPredicate } from './generated/envoy/extensions/retry/host/previous_hosts/v3/previous_hosts.js';
export { PreviousPrioritiesConfig } from './generated/envoy/extensions/retry/priority/previous_priorities/v3/previous_priorities_config.js';
export { SinkConfig as OpenTelemetryStatsSinkConfig } from './generated/envoy/extensions/stat_sinks/open_telemetry/v3/open_telemetry.js';
export { StaticConfigResourceDetectorConfig } from './generated/envoy/extensions/tracers/opentelemetry/resource_detectors/v3/static_config_resource_detector.js';
export { AlwaysOnSamplerConfig } from './generated/envoy/extensions/tracers/opentelemetry/samplers/v3/always_on_sampler.js';
export { ParentBasedSamplerConfig } from './generated/envoy/extensions/tracers/opentelemetry/samplers/v3/parent_based_sampler.js';
export { TraceIdRatioBasedSamplerConfig } from './generated/envoy/extensions/tracers/opentelemetry/samplers/v3/trace_id_ratio_based_sampler.js';
export { ProxyProtocolUpstreamTransport } from './generated/envoy/extensions/transport_sockets/proxy_protocol/v3/upstream_proxy_protocol.js';
export { QuicDownstreamTransport } from './generated/envoy/extensions/transport_sockets/quic/v3/quic_transport.js';
export { RawBuffer } from './generated/envoy/extensions/transport_sockets/raw_buffer/v3/raw_buffer.js';
export {
  CertificateValidationContext,
  CertificateValidationContext_TrustChainVerification,
  SubjectAltNameMatcher_SanType,
  TlsCertificate,
  TlsParameters,
  TlsParameters_TlsProtocol,
} from './generated/envoy/extensions/transport_sockets/tls/v3/common.js';
export {
  SdsSecretConfig,
  Secret,
} from './generated/envoy/extensions/transport_sockets/tls/v3/secret.js';
export {
  CommonTlsContext,
  DownstreamTlsContext,
  UpstreamTlsContext,
} from './generated/envoy/extensions/transport_sockets/tls/v3/tls.js';
export { HttpProtocolOptions } from './generated/envoy/extensions/upstreams/http/v3/http_protocol_options.js';
export { PluginConfig as WasmPluginConfig } from './generated/envoy/extensions/wasm/v3/wasm.js';
// The gRPC services' messages; their grpc-js definitions are in `@egts/envoy-api/services`.
// The access log service the tests' stand-in serves (envoy.service.accesslog.v3)
export { StreamAccessLogsMessage } from './generated/envoy/service/accesslog/v3/als.js';
// The external authorization service (what an ext_authz gRPC server implements)
export {
  CheckRequest,
  CheckResponse,
} from './generated/envoy/service/auth/v3/external_auth.js';
// Discovery service
export {
  DeltaDiscoveryRequest,
  DeltaDiscoveryResponse,
  DiscoveryRequest,
  DiscoveryResponse,
  Resource,
  Resource_CacheControl,
  ResourceName,
} from './generated/envoy/service/discovery/v3/discovery.js';
export {
  ProcessingRequest,
  ProcessingResponse,
} from './generated/envoy/service/ext_proc/v3/external_processor.js';
export { HttpResponseHeaderMatchInput } from './generated/envoy/type/matcher/v3/http_inputs.js';
export { HttpResponseLocalReplyMatchInput } from './generated/envoy/type/matcher/v3/local_reply_input.js';
export { HttpResponseStatusCodeMatchInput } from './generated/envoy/type/matcher/v3/status_code_input.js';
// Well-known and common types
export { FractionalPercent_DenominatorType } from './generated/envoy/type/v3/percent.js';
// Envoy Gateway's extension server API (proto/envoygateway/extension/): its hook messages.
export {
  ExtensionResource,
  PostClusterExtensionContext,
  PostHTTPListenerExtensionContext,
  PostRouteExtensionContext,
  PostTranslateExtensionContext,
  PostVirtualHostExtensionContext,
} from './generated/envoygateway/extension/context.js';
export {
  PostClusterModifyRequest,
  PostClusterModifyResponse,
  PostEndpointsModifyRequest,
  PostEndpointsModifyResponse,
  PostHTTPListenerModifyRequest,
  PostHTTPListenerModifyResponse,
  PostRouteModifyRequest,
  PostRouteModifyResponse,
  PostTranslateModifyRequest,
  PostTranslateModifyResponse,
  PostVirtualHostModifyRequest,
  PostVirtualHostModifyResponse,
} from './generated/envoygateway/extension/service.js';
// A policy's CEL condition (google.api.expr.v1alpha1, as RBAC's Policy.condition carries it)
export { Expr as CelExpr } from './generated/google/api/expr/v1alpha1/syntax.js';
export { Any } from './generated/google/protobuf/any.js';
export { Duration } from './generated/google/protobuf/duration.js';
export { ListValue, NullValue, Struct, Value } from './generated/google/protobuf/struct.js';
export {
  BoolValue,
  DoubleValue,
  Int32Value,
  Int64Value,
  StringValue,
  UInt32Value,
  UInt64Value,
} from './generated/google/protobuf/wrappers.js';
export { Status } from './generated/google/rpc/status.js';
// OTLP collectors (proto/otlp/), which the tests' stand-in receiver serves.
export { ExportLogsServiceRequest } from './generated/opentelemetry/proto/collector/logs/v1/logs_service.js';
export { ExportMetricsServiceRequest } from './generated/opentelemetry/proto/collector/metrics/v1/metrics_service.js';
export { ExportTraceServiceRequest } from './generated/opentelemetry/proto/collector/trace/v1/trace_service.js';
export type { AnyValue, KeyValue } from './generated/opentelemetry/proto/common/v1/common.js';
// The Rate Limit Service's configuration (proto/ratelimit/), served to it over xDS.
export {
  RateLimitConfig,
  RateLimitDescriptor,
  RateLimitUnit,
} from './generated/ratelimit/config/ratelimit/v3/rls_conf.js';
export { Matcher as XdsMatcher } from './generated/xds/type/matcher/v3/matcher.js';
