// The Resources bundle: every input egts reads, one array per kind, and the registry that says
// which kind goes in which array.
import { type ConfigMap, configMapDefinition } from './core/configMap.js';
import { type EndpointSlice, endpointSliceDefinition } from './core/endpointSlice.js';
import { type Namespace, namespaceDefinition } from './core/namespace.js';
import { type Secret, secretDefinition } from './core/secret.js';
import { type Service, serviceDefinition } from './core/service.js';
import { type ServiceImport, serviceImportDefinition } from './core/serviceImport.js';
import { type Backend, backendDefinition } from './generated/backend.js';
import { type BackendTLSPolicy, backendTLSPolicyDefinition } from './generated/backendTLSPolicy.js';
import {
  type BackendTrafficPolicy,
  backendTrafficPolicyDefinition,
} from './generated/backendTrafficPolicy.js';
import {
  type ClientTrafficPolicy,
  clientTrafficPolicyDefinition,
} from './generated/clientTrafficPolicy.js';
import {
  type EnvoyExtensionPolicy,
  envoyExtensionPolicyDefinition,
} from './generated/envoyExtensionPolicy.js';
import { type EnvoyPatchPolicy, envoyPatchPolicyDefinition } from './generated/envoyPatchPolicy.js';
import { type EnvoyProxy, envoyProxyDefinition } from './generated/envoyProxy.js';
import { type Gateway, gatewayDefinition } from './generated/gateway.js';
import { type GatewayClass, gatewayClassDefinition } from './generated/gatewayClass.js';
import { type GRPCRoute, grpcRouteDefinition } from './generated/grpcRoute.js';
import { type HTTPRoute, httpRouteDefinition } from './generated/httpRoute.js';
import { type HTTPRouteFilter, httpRouteFilterDefinition } from './generated/httpRouteFilter.js';
import { type ListenerSet, listenerSetDefinition } from './generated/listenerSet.js';
import { type ReferenceGrant, referenceGrantDefinition } from './generated/referenceGrant.js';
import { type SecurityPolicy, securityPolicyDefinition } from './generated/securityPolicy.js';
import { type TCPRoute, tcpRouteDefinition } from './generated/tcpRoute.js';
import { type TLSRoute, tlsRouteDefinition } from './generated/tlsRoute.js';
import { type UDPRoute, udpRouteDefinition } from './generated/udpRoute.js';
import type { KindDefinition } from './kindDefinition.js';

/** Every input resource, grouped by kind. Arrays keep the order resources were read in. */
export interface Resources {
  gatewayClasses: GatewayClass[];
  gateways: Gateway[];
  listenerSets: ListenerSet[];
  httpRoutes: HTTPRoute[];
  grpcRoutes: GRPCRoute[];
  tlsRoutes: TLSRoute[];
  tcpRoutes: TCPRoute[];
  udpRoutes: UDPRoute[];
  referenceGrants: ReferenceGrant[];
  backendTLSPolicies: BackendTLSPolicy[];
  namespaces: Namespace[];
  services: Service[];
  serviceImports: ServiceImport[];
  endpointSlices: EndpointSlice[];
  secrets: Secret[];
  configMaps: ConfigMap[];
  envoyProxies: EnvoyProxy[];
  clientTrafficPolicies: ClientTrafficPolicy[];
  backendTrafficPolicies: BackendTrafficPolicy[];
  securityPolicies: SecurityPolicy[];
  envoyExtensionPolicies: EnvoyExtensionPolicy[];
  envoyPatchPolicies: EnvoyPatchPolicy[];
  backends: Backend[];
  httpRouteFilters: HTTPRouteFilter[];
}

/** Any resource a Resources bundle can hold. */
export type Resource = Resources[keyof Resources][number];

/** Each kind's definition and the array of Resources it goes in, in the order kinds are listed. */
export const resourceKinds = [
  { collection: 'gatewayClasses', definition: gatewayClassDefinition },
  { collection: 'gateways', definition: gatewayDefinition },
  { collection: 'listenerSets', definition: listenerSetDefinition },
  { collection: 'httpRoutes', definition: httpRouteDefinition },
  { collection: 'grpcRoutes', definition: grpcRouteDefinition },
  { collection: 'tlsRoutes', definition: tlsRouteDefinition },
  { collection: 'tcpRoutes', definition: tcpRouteDefinition },
  { collection: 'udpRoutes', definition: udpRouteDefinition },
  { collection: 'referenceGrants', definition: referenceGrantDefinition },
  { collection: 'backendTLSPolicies', definition: backendTLSPolicyDefinition },
  { collection: 'namespaces', definition: namespaceDefinition },
  { collection: 'services', definition: serviceDefinition },
  { collection: 'serviceImports', definition: serviceImportDefinition },
  { collection: 'endpointSlices', definition: endpointSliceDefinition },
  { collection: 'secrets', definition: secretDefinition },
  { collection: 'configMaps', definition: configMapDefinition },
  { collection: 'envoyProxies', definition: envoyProxyDefinition },
  { collection: 'clientTrafficPolicies', definition: clientTrafficPolicyDefinition },
  { collection: 'backendTrafficPolicies', definition: backendTrafficPolicyDefinition },
  { collection: 'securityPolicies', definition: securityPolicyDefinition },
  { collection: 'envoyExtensionPolicies', definition: envoyExtensionPolicyDefinition },
  { collection: 'envoyPatchPolicies', definition: envoyPatchPolicyDefinition },
  { collection: 'backends', definition: backendDefinition },
  { collection: 'httpRouteFilters', definition: httpRouteFilterDefinition },
] as const satisfies ReadonlyArray<{ collection: keyof Resources; definition: KindDefinition }>;

/** A bundle with no resources. */
export function emptyResources(): Resources {
  const resources = {} as Record<keyof Resources, unknown[]>;
  for (const { collection } of resourceKinds) resources[collection] = [];
  return resources as unknown as Resources;
}

/** How many resources a bundle holds, over every kind. */
export function countResources(resources: Resources): number {
  let count = 0;
  for (const { collection } of resourceKinds) count += resources[collection].length;
  return count;
}
