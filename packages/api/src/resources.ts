// The Resources bundle: every input egts reads, one array per kind, and the registry that says
// which kind goes in which array.
import {
  type ClusterTrustBundle,
  clusterTrustBundleDefinition,
} from './core/clusterTrustBundle.js';
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
import type { ObjectMeta } from './objectMeta.js';

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
  clusterTrustBundles: ClusterTrustBundle[];
  envoyProxies: EnvoyProxy[];
  clientTrafficPolicies: ClientTrafficPolicy[];
  backendTrafficPolicies: BackendTrafficPolicy[];
  securityPolicies: SecurityPolicy[];
  envoyExtensionPolicies: EnvoyExtensionPolicy[];
  envoyPatchPolicies: EnvoyPatchPolicy[];
  backends: Backend[];
  httpRouteFilters: HTTPRouteFilter[];
  /**
   * Objects of the kinds an extension server registers (EnvoyGateway `extensionManager`), read
   * unstructured: egts hands them to the extension; absent when none is registered.
   */
  extensionResources?: ExtensionResource[];
}

/** An object of a kind an extension server registers, as read (Kubernetes unstructured). */
export interface ExtensionResource {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** Any resource a Resources bundle can hold. */
export type Resource = NonNullable<Resources[keyof Resources]>[number];

/**
 * What a kind is to the translator; lists of kinds (every route kind, every policy kind) are
 * derived from these roles instead of being written out where they are needed.
 */
export type ResourceRole =
  | 'class'
  | 'gateway'
  | 'listenerSet'
  | 'route'
  | 'grant'
  | 'backendPolicy'
  | 'backend'
  | 'endpoints'
  | 'data'
  | 'parameters'
  | 'policy'
  | 'filter';

/**
 * Each kind's definition, its role and the array of Resources it goes in, in the order kinds
 * are listed.
 */
export const resourceKinds = [
  { collection: 'gatewayClasses', role: 'class', definition: gatewayClassDefinition },
  { collection: 'gateways', role: 'gateway', definition: gatewayDefinition },
  { collection: 'listenerSets', role: 'listenerSet', definition: listenerSetDefinition },
  { collection: 'httpRoutes', role: 'route', definition: httpRouteDefinition },
  { collection: 'grpcRoutes', role: 'route', definition: grpcRouteDefinition },
  { collection: 'tlsRoutes', role: 'route', definition: tlsRouteDefinition },
  { collection: 'tcpRoutes', role: 'route', definition: tcpRouteDefinition },
  { collection: 'udpRoutes', role: 'route', definition: udpRouteDefinition },
  { collection: 'referenceGrants', role: 'grant', definition: referenceGrantDefinition },
  {
    collection: 'backendTLSPolicies',
    role: 'backendPolicy',
    definition: backendTLSPolicyDefinition,
  },
  { collection: 'namespaces', role: 'data', definition: namespaceDefinition },
  { collection: 'services', role: 'backend', definition: serviceDefinition },
  { collection: 'serviceImports', role: 'backend', definition: serviceImportDefinition },
  { collection: 'endpointSlices', role: 'endpoints', definition: endpointSliceDefinition },
  { collection: 'secrets', role: 'data', definition: secretDefinition },
  { collection: 'configMaps', role: 'data', definition: configMapDefinition },
  {
    collection: 'clusterTrustBundles',
    role: 'data',
    definition: clusterTrustBundleDefinition,
  },
  { collection: 'envoyProxies', role: 'parameters', definition: envoyProxyDefinition },
  {
    collection: 'clientTrafficPolicies',
    role: 'policy',
    definition: clientTrafficPolicyDefinition,
  },
  {
    collection: 'backendTrafficPolicies',
    role: 'policy',
    definition: backendTrafficPolicyDefinition,
  },
  { collection: 'securityPolicies', role: 'policy', definition: securityPolicyDefinition },
  {
    collection: 'envoyExtensionPolicies',
    role: 'policy',
    definition: envoyExtensionPolicyDefinition,
  },
  { collection: 'envoyPatchPolicies', role: 'policy', definition: envoyPatchPolicyDefinition },
  { collection: 'backends', role: 'backend', definition: backendDefinition },
  { collection: 'httpRouteFilters', role: 'filter', definition: httpRouteFilterDefinition },
] as const satisfies ReadonlyArray<{
  collection: keyof Resources;
  role: ResourceRole;
  definition: KindDefinition;
}>;

/** The collections of one role, in the order kinds are listed. */
type CollectionOf<R extends ResourceRole> = Extract<
  (typeof resourceKinds)[number],
  { role: R }
>['collection'];

const collectionsWithRole = <R extends ResourceRole>(role: R): readonly CollectionOf<R>[] =>
  resourceKinds.filter((k) => k.role === role).map((k) => k.collection as CollectionOf<R>);

/** The route collections: HTTPRoute, GRPCRoute, TLSRoute, TCPRoute, UDPRoute. */
export const ROUTE_COLLECTIONS = collectionsWithRole('route');
export type RouteCollection = (typeof ROUTE_COLLECTIONS)[number];

/** Envoy Gateway's policy collections (gateway.envoyproxy.io), which target Gateways and routes. */
export const POLICY_COLLECTIONS = collectionsWithRole('policy');
export type PolicyCollection = (typeof POLICY_COLLECTIONS)[number];

/** The route kinds (`HTTPRoute`...), as resources and status entries spell them. */
export const ROUTE_KINDS: ReadonlySet<string> = new Set(
  resourceKinds.filter((k) => k.role === 'route').map((k) => k.definition.kind),
);

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
