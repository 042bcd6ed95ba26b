// TranslatorContext: the input indexed once (by namespace/name, Services' EndpointSlices,
// ReferenceGrants by namespace) plus the contexts every processX step fills in.

import type {
  Backend,
  ClusterTrustBundle,
  ConfigMap,
  EndpointSlice,
  EnvoyProxy,
  GatewayClass,
  HTTPRouteFilter,
  Namespace,
  ReferenceGrant,
  Resources,
  Secret,
  Service,
  ServiceImport,
} from '@egts/api';
import type { ExtensionsIR } from '@egts/ir';
import type { OidcDiscovery } from '../../oidcDiscovery.js';
import type { RateLimitServiceOptions } from '../../translate.js';
import type { ExtensionKinds } from '../extensionServer/extensionObjects.js';
import type { AppliedPolicy } from '../policies/processPolicies.js';
import type { SecurityPolicyIR } from '../policies/securityPolicyIR.js';
import type { BackendTLSPolicyContext } from '../routes/backendTls.js';
import type { RuleOutcome } from '../routes/ruleOutcome.js';
import { nsName } from '../types.js';
import type { GatewayContext } from './gatewayContext.js';
import type { InputLookups } from './inputLookups.js';
import type { ListenerSetContext } from './listenerSetContext.js';
import type { AnyRouteContext } from './routeContext.js';

export interface ResolvedOptions {
  controllerName: string;
  controllerNamespace: string;
  /** Clock for certificate validity checks; fixed by callers that need reproducible output. */
  now: Date;
  /** Ports are claimed across Gateways (host mode; see listeners/hostPorts.ts). */
  sharedHostPorts: boolean;
  /** Backends may name this host (host mode; see TranslateOptions). */
  allowLoopbackBackends: boolean;
  /** Zone-aware routing cannot take effect (see TranslateOptions). */
  proxiesWithoutZone: boolean;
  /** Where the fleets' proxy Services are, for their local clusters (see TranslateOptions). */
  proxyLocality: { serviceNamespace: string } | undefined;
  /** EnvoyGateway extensionApis.enableEnvoyPatchPolicy (see TranslateOptions). */
  enableEnvoyPatchPolicy: boolean;
  /** EnvoyGateway extensionApis.enableBackend (see TranslateOptions). */
  enableBackend: boolean;
  /** The Rate Limit Service; undefined: global rate limiting is not enabled. */
  rateLimitService: RateLimitServiceOptions | undefined;
  /** OpenID provider discovery results by issuer (see TranslateOptions). */
  oidcDiscovery: OidcDiscovery;
  /** The extension server's kinds (see TranslateOptions `extensionManager`). */
  extensionKinds: ExtensionKinds;
}

export interface GatewayClassContext {
  resource: GatewayClass;
  accepted: boolean;
  envoyProxy: EnvoyProxy | undefined;
  /**
   * Why the class's EnvoyProxy is invalid: the class reports InvalidParameters, yet its Gateways
   * are still translated, each also reporting InvalidParameters (Envoy Gateway).
   */
  parametersProblem?: string | undefined;
}

/** The object a backendRef names, and the port it names on it (absent on a Backend without one). */
export interface SettingBackend {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly port?: number | undefined;
}

interface Named {
  metadata: { name: string; namespace?: string | undefined };
}

function index<T extends Named>(items: readonly T[]): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of items) {
    const key = nsName(item.metadata.namespace ?? 'default', item.metadata.name);
    if (!map.has(key)) map.set(key, item);
  }
  return map;
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Cluster-scoped objects by name. */
const byName = <T extends { metadata: { name: string } }>(items: readonly T[]) =>
  new Map(items.map((item) => [item.metadata.name, item]));

/** EndpointSlices by the Service (and ServiceImport) their labels name. */
function indexSlices(slices: readonly EndpointSlice[]) {
  const byService = new Map<string, EndpointSlice[]>();
  const byServiceImport = new Map<string, EndpointSlice[]>();
  for (const slice of slices) {
    const labels = slice.metadata.labels ?? {};
    const namespace = slice.metadata.namespace ?? 'default';
    const service = labels['kubernetes.io/service-name'];
    if (service) push(byService, nsName(namespace, service), slice);
    const imported = labels['multicluster.kubernetes.io/service-name'];
    if (imported) push(byServiceImport, nsName(namespace, imported), slice);
  }
  return { byService, byServiceImport };
}

function indexGrants(grants: readonly ReferenceGrant[]) {
  const byNamespace = new Map<string, ReferenceGrant[]>();
  for (const grant of grants) push(byNamespace, grant.metadata.namespace ?? 'default', grant);
  return byNamespace;
}

export class TranslatorContext {
  // The input's lookups: shared between translations of the same arrays (InputLookups), so
  // never modified.
  readonly services: ReadonlyMap<string, Service>;
  readonly serviceImports: ReadonlyMap<string, ServiceImport>;
  readonly secrets: ReadonlyMap<string, Secret>;
  readonly configMaps: ReadonlyMap<string, ConfigMap>;
  /** ClusterTrustBundles (cluster-scoped) by name. */
  readonly clusterTrustBundles: ReadonlyMap<string, ClusterTrustBundle>;
  readonly backends: ReadonlyMap<string, Backend>;
  readonly envoyProxies: ReadonlyMap<string, EnvoyProxy>;
  readonly httpRouteFilters: ReadonlyMap<string, HTTPRouteFilter>;
  readonly namespaces: ReadonlyMap<string, Namespace>;
  /** EndpointSlices by the `namespace/service` their kubernetes.io/service-name label names. */
  readonly endpointSlices: ReadonlyMap<string, readonly EndpointSlice[]>;
  /** EndpointSlices by the `namespace/serviceimport` their multicluster.kubernetes.io/service-name label names. */
  readonly multiClusterEndpointSlices: ReadonlyMap<string, readonly EndpointSlice[]>;
  /** ReferenceGrants by the namespace they live in (the referent's). */
  readonly referenceGrants: ReadonlyMap<string, readonly ReferenceGrant[]>;

  readonly gatewayClasses = new Map<string, GatewayClassContext>();
  readonly gateways: GatewayContext[] = [];
  readonly gatewaysByKey = new Map<string, GatewayContext>();
  readonly listenerSetsByKey = new Map<string, ListenerSetContext>();
  readonly routes: AnyRouteContext[] = [];
  /** Rule outcomes per route, in rule order, for IR building. */
  readonly routeOutcomes = new Map<AnyRouteContext, RuleOutcome[]>();
  /**
   * The backend each route destination setting reaches, by setting name (EnvoyProxy
   * `mergeBackends` names shared clusters after it).
   */
  readonly settingBackends = new Map<string, SettingBackend>();
  /**
   * Whether any EnvoyProxy asks for `mergeBackends`: only then is `settingBackends` kept (an
   * entry for every backend of every rule, which nothing else reads).
   */
  readonly mergesBackends: boolean;
  backendTLSPolicies: BackendTLSPolicyContext[] = [];
  /** Where each SecurityPolicy applies and whether it is accepted there (processPolicies). */
  readonly securityPolicies: AppliedPolicy[] = [];
  /** What each SecurityPolicy (`namespace/name`) enforces, built once when it is validated. */
  readonly securityPolicyIR = new Map<string, SecurityPolicyIR>();
  /** Where each BackendTrafficPolicy applies and whether it is accepted there (processPolicies). */
  readonly backendTrafficPolicies: AppliedPolicy[] = [];
  /** Where each ClientTrafficPolicy applies and whether it is accepted there (processPolicies). */
  readonly clientTrafficPolicies: AppliedPolicy[] = [];
  /** Where each EnvoyExtensionPolicy applies and whether it is accepted there (processPolicies). */
  readonly envoyExtensionPolicies: AppliedPolicy[] = [];
  /** What each EnvoyExtensionPolicy runs on a Gateway, by `namespace/name|gateway key`. */
  readonly envoyExtensionPolicyIR = new Map<string, ExtensionsIR>();

  constructor(
    readonly resources: Resources,
    readonly options: ResolvedOptions,
    lookups?: InputLookups,
  ) {
    const of = <T extends object, R>(items: readonly T[], build: (items: readonly T[]) => R) =>
      lookups === undefined ? build(items) : lookups.of(items, build);
    this.services = of(resources.services, index);
    this.serviceImports = of(resources.serviceImports, index);
    this.secrets = of(resources.secrets, index);
    this.configMaps = of(resources.configMaps, index);
    this.clusterTrustBundles = of(resources.clusterTrustBundles, byName);
    this.backends = of(resources.backends, index);
    this.envoyProxies = of(resources.envoyProxies, index);
    this.mergesBackends = resources.envoyProxies.some((p) => p.spec.mergeBackends !== undefined);
    this.httpRouteFilters = of(resources.httpRouteFilters, index);
    this.namespaces = of(resources.namespaces, byName);
    const slices = of(resources.endpointSlices, indexSlices);
    this.endpointSlices = slices.byService;
    this.multiClusterEndpointSlices = slices.byServiceImport;
    this.referenceGrants = of(resources.referenceGrants, indexGrants);
  }

  namespaceLabels(namespace: string): Record<string, string> {
    return (this.namespaces.get(namespace)?.metadata.labels as Record<string, string>) ?? {};
  }
}
