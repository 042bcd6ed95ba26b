// @egts/envoy-api/services: the grpc-js service definitions, clients and server interfaces of the
// gRPC APIs egts serves or calls (ADS, Envoy Gateway's extension server) and that the tests'
// stand-ins serve (ext_authz, ext_proc, access logs, OTLP). An entry of its own, so that what only
// translates (`egts translate`, `validate`) never loads @grpc/grpc-js: the messages are in the
// main entry, and the files here are split out of the generated ones by scripts/generate.mjs.
export type { AccessLogServiceServer } from './generated/services/envoy/service/accesslog/v3/als.js';
export { AccessLogServiceService } from './generated/services/envoy/service/accesslog/v3/als.js';
export type { AuthorizationServer } from './generated/services/envoy/service/auth/v3/external_auth.js';
export { AuthorizationService } from './generated/services/envoy/service/auth/v3/external_auth.js';
export type { AggregatedDiscoveryServiceServer } from './generated/services/envoy/service/discovery/v3/ads.js';
export {
  AggregatedDiscoveryServiceClient,
  AggregatedDiscoveryServiceService,
} from './generated/services/envoy/service/discovery/v3/ads.js';
export type { ExternalProcessorServer } from './generated/services/envoy/service/ext_proc/v3/external_processor.js';
export { ExternalProcessorService } from './generated/services/envoy/service/ext_proc/v3/external_processor.js';
export {
  EnvoyGatewayExtensionClient,
  type EnvoyGatewayExtensionServer,
  EnvoyGatewayExtensionService,
} from './generated/services/envoygateway/extension/service.js';
export type { LogsServiceServer } from './generated/services/opentelemetry/proto/collector/logs/v1/logs_service.js';
export { LogsServiceService } from './generated/services/opentelemetry/proto/collector/logs/v1/logs_service.js';
export type { MetricsServiceServer } from './generated/services/opentelemetry/proto/collector/metrics/v1/metrics_service.js';
export { MetricsServiceService } from './generated/services/opentelemetry/proto/collector/metrics/v1/metrics_service.js';
export type { TraceServiceServer } from './generated/services/opentelemetry/proto/collector/trace/v1/trace_service.js';
export { TraceServiceService } from './generated/services/opentelemetry/proto/collector/trace/v1/trace_service.js';
