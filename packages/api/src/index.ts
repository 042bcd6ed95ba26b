// @egts/api: the schemas and types of every input kind egts reads, and the loader that turns
// YAML/JSON into a typed Resources bundle with path-named problems.

export type { Condition } from './condition.js';
export type { ClusterTrustBundle } from './core/clusterTrustBundle.js';
export type { ConfigMap } from './core/configMap.js';
export { configMapDefinition } from './core/configMap.js';
export type { Endpoint, EndpointPort, EndpointSlice } from './core/endpointSlice.js';
export { endpointSliceDefinition } from './core/endpointSlice.js';
export type { Namespace } from './core/namespace.js';
export { namespaceDefinition } from './core/namespace.js';
export type { Secret } from './core/secret.js';
export { secretDefinition } from './core/secret.js';
export type { Service, ServicePort } from './core/service.js';
export { serviceDefinition } from './core/service.js';
export type { ServiceImport } from './core/serviceImport.js';
export { serviceImportDefinition } from './core/serviceImport.js';
export {
  DNS_ENDPOINT_SLICE_MANAGER,
  dnsEndpointSlice,
  ENDPOINT_SLICE_MANAGED_BY_LABEL,
  serviceAddress,
  withDnsEndpointSlices,
} from './dnsEndpointSlices.js';
export {
  DEFAULT_CONTROLLER_NAME,
  type EnvoyGateway,
  envoyGatewaySchema,
  extensionManagerOf,
  extensionManagersOf,
} from './envoyGateway.js';
export {
  type ExtensionManager,
  extensionKinds,
  extensionManagerSchema,
  type GroupVersionKind,
  XDS_TRANSLATOR_HOOKS,
  type XdsTranslatorHook,
} from './extensionManager.js';
export type { Backend, BackendSpec, BackendStatus } from './generated/backend.js';
export { backendDefinition, backendV1alpha1Schema } from './generated/backend.js';
export type {
  BackendTLSPolicy,
  BackendTLSPolicySpec,
  BackendTLSPolicyStatus,
} from './generated/backendTLSPolicy.js';
export {
  backendTLSPolicyDefinition,
  backendTLSPolicyV1alpha3Schema,
  backendTLSPolicyV1Schema,
} from './generated/backendTLSPolicy.js';
export type {
  BackendTrafficPolicy,
  BackendTrafficPolicySpec,
  BackendTrafficPolicyStatus,
} from './generated/backendTrafficPolicy.js';
export {
  backendTrafficPolicyDefinition,
  backendTrafficPolicyV1alpha1Schema,
} from './generated/backendTrafficPolicy.js';
export type {
  ClientTrafficPolicy,
  ClientTrafficPolicySpec,
  ClientTrafficPolicyStatus,
} from './generated/clientTrafficPolicy.js';
export {
  clientTrafficPolicyDefinition,
  clientTrafficPolicyV1alpha1Schema,
} from './generated/clientTrafficPolicy.js';
export type {
  EnvoyExtensionPolicy,
  EnvoyExtensionPolicySpec,
  EnvoyExtensionPolicyStatus,
} from './generated/envoyExtensionPolicy.js';
export {
  envoyExtensionPolicyDefinition,
  envoyExtensionPolicyV1alpha1Schema,
} from './generated/envoyExtensionPolicy.js';
export type {
  EnvoyPatchPolicy,
  EnvoyPatchPolicySpec,
  EnvoyPatchPolicyStatus,
} from './generated/envoyPatchPolicy.js';
export {
  envoyPatchPolicyDefinition,
  envoyPatchPolicyV1alpha1Schema,
} from './generated/envoyPatchPolicy.js';
export type { EnvoyProxy, EnvoyProxySpec, EnvoyProxyStatus } from './generated/envoyProxy.js';
export { envoyProxyDefinition, envoyProxyV1alpha1Schema } from './generated/envoyProxy.js';
export type { Gateway, GatewaySpec, GatewayStatus } from './generated/gateway.js';
export { gatewayDefinition, gatewayV1beta1Schema, gatewayV1Schema } from './generated/gateway.js';
export type {
  GatewayClass,
  GatewayClassSpec,
  GatewayClassStatus,
} from './generated/gatewayClass.js';
export {
  gatewayClassDefinition,
  gatewayClassV1beta1Schema,
  gatewayClassV1Schema,
} from './generated/gatewayClass.js';
export type { GRPCRoute, GRPCRouteSpec, GRPCRouteStatus } from './generated/grpcRoute.js';
export { grpcRouteDefinition, grpcRouteV1Schema } from './generated/grpcRoute.js';
export type { HTTPRoute, HTTPRouteSpec, HTTPRouteStatus } from './generated/httpRoute.js';
export {
  httpRouteDefinition,
  httpRouteV1beta1Schema,
  httpRouteV1Schema,
} from './generated/httpRoute.js';
export type { HTTPRouteFilter, HTTPRouteFilterSpec } from './generated/httpRouteFilter.js';
export {
  httpRouteFilterDefinition,
  httpRouteFilterV1alpha1Schema,
} from './generated/httpRouteFilter.js';
export type { ListenerSet, ListenerSetSpec, ListenerSetStatus } from './generated/listenerSet.js';
export { listenerSetDefinition, listenerSetV1Schema } from './generated/listenerSet.js';
export type { ReferenceGrant, ReferenceGrantSpec } from './generated/referenceGrant.js';
export {
  referenceGrantDefinition,
  referenceGrantV1beta1Schema,
  referenceGrantV1Schema,
} from './generated/referenceGrant.js';
export type {
  SecurityPolicy,
  SecurityPolicySpec,
  SecurityPolicyStatus,
} from './generated/securityPolicy.js';
export {
  securityPolicyDefinition,
  securityPolicyV1alpha1Schema,
} from './generated/securityPolicy.js';
export type {
  TCPRoute,
  TCPRouteV1,
  TCPRouteV1alpha2,
  TCPRouteV1alpha2Spec,
  TCPRouteV1alpha2Status,
  TCPRouteV1Spec,
  TCPRouteV1Status,
} from './generated/tcpRoute.js';
export {
  tcpRouteDefinition,
  tcpRouteV1alpha2Schema,
  tcpRouteV1Schema,
} from './generated/tcpRoute.js';
export type {
  TLSRoute,
  TLSRouteV1,
  TLSRouteV1alpha2,
  TLSRouteV1alpha2Spec,
  TLSRouteV1alpha2Status,
  TLSRouteV1Spec,
  TLSRouteV1Status,
} from './generated/tlsRoute.js';
export {
  tlsRouteDefinition,
  tlsRouteV1alpha2Schema,
  tlsRouteV1alpha3Schema,
  tlsRouteV1Schema,
} from './generated/tlsRoute.js';
export type {
  UDPRoute,
  UDPRouteV1,
  UDPRouteV1alpha2,
  UDPRouteV1alpha2Spec,
  UDPRouteV1alpha2Status,
  UDPRouteV1Spec,
  UDPRouteV1Status,
} from './generated/udpRoute.js';
export {
  udpRouteDefinition,
  udpRouteV1alpha2Schema,
  udpRouteV1Schema,
} from './generated/udpRoute.js';
export { intOrString } from './intOrString.js';
export { jsonMergePatch } from './jsonMergePatch.js';
export { apiVersionOf, type KindDefinition } from './kindDefinition.js';
export {
  type DecodedResource,
  type DecodeOptions,
  type DecodeResult,
  decodeResource,
  knownKinds,
  type ObjectProblem,
} from './loader/decodeResource.js';
export { isRecord } from './loader/isRecord.js';
export {
  type EnvoyGatewayConfigResult,
  loadEnvoyGatewayConfig,
} from './loader/loadEnvoyGatewayConfig.js';
export {
  bundleResources,
  type LoadResult,
  loadResourcesFromPath,
  loadResourcesFromText,
  READ_CONCURRENCY,
  resourceFiles,
} from './loader/loadResources.js';
export {
  createDocumentCache,
  type DocumentCache,
  type ParsedFile,
  parseResourceFile,
  type SourcedResource,
} from './loader/parseResourceFile.js';
export { formatFieldPath, formatProblem, type Problem, refuses } from './loader/problem.js';
export { refusedStatuses } from './loader/refusedStatuses.js';
export { readResourceFile, streamResourceFile } from './loader/streamResourceFile.js';
export { type ObjectMeta, type OwnerReference, objectMetaSchema } from './objectMeta.js';
export { parseQuantity } from './quantity.js';
export {
  countResources,
  type ExtensionResource,
  emptyResources,
  POLICY_COLLECTIONS,
  type PolicyCollection,
  type Resource,
  type ResourceRole,
  type Resources,
  ROUTE_COLLECTIONS,
  ROUTE_KINDS,
  type RouteCollection,
  resourceKinds,
} from './resources.js';
export type { ProviderSnapshot, ResourceStatus } from './stageContracts.js';
