// translate(): Gateway API and Envoy Gateway resources -> Infra IR, xDS IR and statuses.
// Pure and deterministic: an ordered list of processX steps over a context indexed once;
// inputs are never mutated.

import { DEFAULT_CONTROLLER_NAME, type Resources } from '@egts/api';
import type { InfraIR, RateLimitService, XdsIR } from '@egts/ir';
import type { InputLookups } from './internal/context/inputLookups.js';
import { type ResolvedOptions, TranslatorContext } from './internal/context/translatorContext.js';
import { withExtensionPolicies } from './internal/extensionServer/extensionServerPolicies.js';
import { buildProxyInfra } from './internal/ir/buildInfra.js';
import { buildXdsIR, translationIndexes } from './internal/ir/buildXds.js';
import { proxyFleets } from './internal/ir/fleets.js';
import { processBackends } from './internal/policies/processBackends.js';
import {
  envoyPatchPoliciesByFleet,
  processEnvoyPatchPolicies,
} from './internal/policies/processEnvoyPatchPolicies.js';
import { processEnvoyProxies } from './internal/policies/processEnvoyProxies.js';
import { processPolicies } from './internal/policies/processPolicies.js';
import { processGatewayClasses } from './internal/processGatewayClasses.js';
import { processGateways } from './internal/processGateways.js';
import { processListenerSets } from './internal/processListenerSets.js';
import { processListeners } from './internal/processListeners.js';
import { processRoutes } from './internal/processRoutes.js';
import { indexBackendTLSPolicies } from './internal/routes/backendTls.js';
import { collectStatuses, type ResourceStatus } from './internal/status/collectStatuses.js';
import type { OidcDiscovery } from './oidcDiscovery.js';

export const DEFAULT_CONTROLLER_NAMESPACE = 'envoy-gateway-system';

export interface TranslateOptions {
  /** GatewayClasses with this spec.controllerName are ours. */
  controllerName?: string;
  /** Namespace the proxies are deployed into. */
  controllerNamespace?: string;
  /** Time against which certificate validity is checked (default: now). */
  now?: Date;
  /**
   * All proxies run on one host (host mode), so two Gateways cannot both listen on a port: the
   * later one's listener is PortUnavailable. Default false (Kubernetes: a Service per Gateway).
   */
  sharedHostPorts?: boolean;
  /**
   * Backends may name this host (a loopback IP, `localhost`): the proxies run on the host too
   * (host mode), so that is where the user's backends are, as in Envoy Gateway's standalone
   * quickstart. Default false: in a cluster a loopback endpoint would reach the proxy itself
   * (its admin port among others), which Envoy Gateway forbids.
   */
  allowLoopbackBackends?: boolean;
  /**
   * The proxies have no zone of their own (no node.locality and local cluster in their
   * bootstrap): zone-aware routing (BackendTrafficPolicy `loadBalancer.zoneAware.preferLocal`)
   * cannot take effect, so it is not applied. Default false, as Envoy Gateway's proxies learn
   * their zone from their node.
   */
  proxiesWithoutZone?: boolean;
  /**
   * The proxies run in Kubernetes and learn their zone from their node (the infra-manager's
   * `zoneAware`): each fleet's IR holds its own proxies by zone, the endpoints of its Service in
   * this namespace (labelled with the fleet's owner, as the infra-manager labels it), which the
   * proxies compare with the upstream zones (Envoy's `local_cluster`; Envoy Gateway's
   * ProxyInfraCluster).
   */
  proxyLocality?: { serviceNamespace: string };
  /**
   * The EnvoyGateway's `extensionApis`: a control plane passes its configuration's, where both
   * are off by default and an EnvoyPatchPolicy is then not accepted (reason Disabled), a Backend
   * not accepted and a reference to one unresolved. Absent, the translator translates what it is
   * given, as `egctl x translate` does (both on).
   */
  extensionApis?:
    | { enableEnvoyPatchPolicy?: boolean | undefined; enableBackend?: boolean | undefined }
    | undefined;

  /**
   * The Rate Limit Service proxies ask for global rate limits (EnvoyGateway `rateLimit`). Absent:
   * global rate limiting is not enabled, and a BackendTrafficPolicy with global rules is not
   * accepted, as in Envoy Gateway.
   */
  rateLimitService?: RateLimitServiceOptions;
  /**
   * OpenID provider discovery results (discoverOidcProviders): the endpoints of oidc providers
   * given by their issuer alone. Absent for such an issuer: the policy is not accepted.
   */
  oidcDiscovery?: OidcDiscovery;
  /**
   * The kinds the EnvoyGateway's extension server registers (`extensionManager`): rules naming
   * an object of a `resources` kind as an extensionRef filter carry it in the IR route's
   * `extensionRefs`; objects of a `policyResources` kind targeting a Gateway are each fleet's
   * `extensionServerPolicies`. Absent: such references are unknown filters, as without one.
   */
  extensionManager?: {
    resources?: readonly { group: string; kind: string }[] | undefined;
    policyResources?: readonly { group: string; kind: string }[] | undefined;
    /** Kinds a backendRef may name (custom backends, filled in by PostClusterModify). */
    backendResources?: readonly { group: string; kind: string }[] | undefined;
  };
}

/** Where the Rate Limit Service listens and how proxies treat it. */
export interface RateLimitServiceOptions {
  host: string;
  port: number;
  /** Refuse requests when the service cannot answer (default false: let them through). */
  failClosed?: boolean;
  /** How long a proxy waits for an answer (default: Envoy's 20ms). */
  timeoutMs?: number;
  /** mTLS to the service: the proxy's SDS files for its client certificate and the CA. */
  tls?: RateLimitService['tls'];
}

/**
 * The Rate Limit Service where Envoy Gateway deploys it in a cluster: the `envoy-ratelimit` Service
 * in the controller's namespace, gRPC on 8081. Offline translation (`egts translate`, the status
 * corpus) assumes global rate limiting is enabled there, as Envoy Gateway's translator tests do.
 */
export const inClusterRateLimitService = (
  controllerNamespace: string = DEFAULT_CONTROLLER_NAMESPACE,
): RateLimitServiceOptions => ({
  host: `envoy-ratelimit.${controllerNamespace}.svc.cluster.local`,
  port: 8081,
});

export interface TranslateResult {
  /** Proxy fleets to run, sorted by name. */
  infraIR: InfraIR;
  /** What each fleet serves, keyed and sorted by the same name as its Infra IR. */
  xdsIR: XdsIR[];
  /** Every input resource a status was computed for. */
  statuses: ResourceStatus[];
}

/** The options with their defaults filled in. */
export const resolveOptions = (options: TranslateOptions): ResolvedOptions => ({
  controllerName: options.controllerName ?? DEFAULT_CONTROLLER_NAME,
  controllerNamespace: options.controllerNamespace ?? DEFAULT_CONTROLLER_NAMESPACE,
  now: options.now ?? new Date(),
  sharedHostPorts: options.sharedHostPorts ?? false,
  allowLoopbackBackends: options.allowLoopbackBackends ?? false,
  proxiesWithoutZone: options.proxiesWithoutZone ?? false,
  proxyLocality: options.proxyLocality,
  enableEnvoyPatchPolicy:
    options.extensionApis === undefined || options.extensionApis.enableEnvoyPatchPolicy === true,
  enableBackend:
    options.extensionApis === undefined || options.extensionApis.enableBackend === true,
  rateLimitService: options.rateLimitService,
  oidcDiscovery: options.oidcDiscovery ?? new Map(),
  extensionKinds: {
    filters: groupKinds(options.extensionManager?.resources),
    policies: groupKinds(options.extensionManager?.policyResources),
    backends: groupKinds(options.extensionManager?.backendResources),
  },
});

const groupKinds = (kinds: readonly { group: string; kind: string }[] | undefined) =>
  new Set((kinds ?? []).map((k) => `${k.group}/${k.kind}`));

export function translate(resources: Resources, options: TranslateOptions = {}): TranslateResult {
  return translateWith(resources, options);
}

/**
 * translate(), taking the input's lookups from `lookups` when given: a stateful translator's
 * (createTranslator), whose translations see the same Services and Secrets one after another.
 */
export function translateWith(
  resources: Resources,
  options: TranslateOptions = {},
  lookups?: InputLookups,
): TranslateResult {
  const ctx = new TranslatorContext(resources, resolveOptions(options), lookups);
  // First: Gateways (EnvoyProxy telemetry backends) and routes both look BackendTLSPolicies up.
  ctx.backendTLSPolicies = indexBackendTLSPolicies(ctx);
  const gatewayClasses = processGatewayClasses(ctx);
  processGateways(ctx);
  const rejectedListenerSets = processListenerSets(ctx);
  processListeners(ctx);
  processRoutes(ctx);
  const policies = processPolicies(ctx);
  const patchPolicies = processEnvoyPatchPolicies(ctx);
  const backends = processBackends(ctx);
  const envoyProxies = processEnvoyProxies(ctx);
  const fleets = proxyFleets(ctx);
  const indexes = translationIndexes(ctx);
  const patchesByFleet = envoyPatchPoliciesByFleet(patchPolicies);
  return {
    infraIR: { proxies: fleets.map((fleet) => buildProxyInfra(ctx, fleet)) },
    xdsIR: fleets.map((fleet) => {
      const ir = buildXdsIR(ctx, fleet, indexes);
      const envoyPatchPolicies = patchesByFleet.get(fleet.name);
      return withExtensionPolicies(ctx, envoyPatchPolicies ? { ...ir, envoyPatchPolicies } : ir);
    }),
    statuses: collectStatuses(ctx, {
      gatewayClasses,
      rejectedListenerSets,
      policies,
      patchPolicies,
      backends,
      envoyProxies,
    }),
  };
}
