// @egts/infra-manager: runs the data plane an Infra IR asks for. Host mode: one supervised Envoy
// process per proxy fleet, bootstrapped with Delta ADS to the egts xDS server. Kubernetes mode: per
// fleet a ServiceAccount, bootstrap ConfigMap, Deployment, Service (and HPA/PDB), server-side applied.
// Global rate limiting: the Envoy Rate Limit Service, supervised as a local process in host mode,
// a Deployment, Service and ServiceAccount in Kubernetes mode. The Wasm cache: fetches, checks
// and serves the Wasm modules of EnvoyExtensionPolicies to the proxies.

export { type FleetGateways, withBootstrapRefusals } from './bootstrapRefusalStatus.js';
export type { ProxyEvent, ProxyStatus, StopReason } from './events.js';
export {
  type ProxyObjects,
  type ProxyWorkload,
  withInfraStatus,
} from './gatewayInfraStatus.js';
export type { HostInfraManager, HostInfraManagerOptions } from './hostInfraManager.js';
export { createHostInfraManager } from './hostInfraManager.js';
export {
  MANAGED_BY,
  MANAGED_BY_LABEL,
  PROXY_POD_SELECTOR,
  ZONE_KEY,
  type ZoneSource,
} from './internal/kubernetesObjects.js';
export type {
  KubernetesInfraManager,
  KubernetesInfraManagerOptions,
  ObjectWrite,
} from './kubernetesInfraManager.js';
export { createKubernetesInfraManager, DEFAULT_ENVOY_IMAGE } from './kubernetesInfraManager.js';
export type {
  KubernetesRateLimitManager,
  KubernetesRateLimitOptions,
  RateLimitSettings,
} from './kubernetesRateLimit.js';
export {
  CERTIFICATES_ANNOTATION,
  createKubernetesRateLimitManager,
  DEFAULT_RATE_LIMIT_IMAGE,
  RATE_LIMIT_GRPC_PORT,
  RATE_LIMIT_NAME,
  rateLimitObjects,
} from './kubernetesRateLimit.js';
export type { ProxyBootstrapOptions, XdsAddress } from './proxyBootstrap.js';
export { proxyBootstrap, XDS_CLUSTER, xdsSdsFiles, xdsSdsSecrets } from './proxyBootstrap.js';
export type { MetricSinkTarget, ProxyMetrics, StatsMatch } from './proxyMetrics.js';
export { proxyMetrics, sinkTargets } from './proxyMetrics.js';
export type {
  RateLimitServiceEvent,
  RateLimitServiceHandle,
  RateLimitServiceOptions,
} from './rateLimitService.js';
export {
  findRateLimitBinary,
  freeRateLimitPort,
  RATE_LIMIT_NODE_ID,
  startRateLimitService,
} from './rateLimitService.js';
export type { RateLimitTelemetry } from './rateLimitTelemetry.js';
export { rateLimitTelemetryEnv, readRateLimitTelemetry } from './rateLimitTelemetry.js';
export type {
  GatewayStatusAddress,
  NodeAddressFields,
  ServiceAddressFields,
} from './serviceAddresses.js';
export { nodeAddresses, serviceAddresses } from './serviceAddresses.js';
export type {
  TopologyInjector,
  TopologyInjectorOptions,
  TopologyLookup,
  TopologyOutcome,
} from './topologyInjector.js';
export {
  apiServerLookup,
  createTopologyInjector,
  TOPOLOGY_INJECTOR_PATH,
  TOPOLOGY_INJECTOR_PORT,
  TOPOLOGY_WEBHOOK_NAME,
  topologyAdmission,
  topologyWebhookConfiguration,
} from './topologyInjector.js';
export type { WasmCache, WasmCacheOptions, WasmFetch } from './wasmCache.js';
export { createWasmCache } from './wasmCache.js';
export type { PreferLocalPolicy, ProxyPod } from './zonelessProxies.js';
export { withZonelessProxies, zonelessGateways } from './zonelessProxies.js';
