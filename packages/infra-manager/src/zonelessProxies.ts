// Kubernetes mode: BackendTrafficPolicy `loadBalancer.zoneAware.preferLocal` works only where the
// proxies know their zone, which each pod learns at binding (the topology injector's annotation, or
// the API server's label with PodTopologyLabelsAdmission). Where the injector is disabled, down or
// refused, or a node has no zone, a fleet's pods run without one and Envoy quietly routes without
// zone preference. The translator cannot see pods; this looks at them after it, and reports the
// field on each policy ancestor (Gateway) whose proxies have no zone, instead of Accepted.
import type { Condition, ResourceStatus } from '@egts/api';
import { fleetGateways, type InfraIR } from '@egts/ir';
import { fleetLabels, ZONE_KEY, type ZoneSource } from './internal/kubernetesObjects.js';

/** A proxy pod, as far as its zone goes. */
export interface ProxyPod {
  metadata: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    deletionTimestamp?: string;
  };
  spec?: { nodeName?: string };
}

/** A BackendTrafficPolicy, as far as preferLocal goes. */
export interface PreferLocalPolicy {
  metadata: { name: string; namespace?: string };
  spec: { loadBalancer?: { zoneAware?: { preferLocal?: unknown } } } & object;
}

const FIELD = 'spec.loadBalancer.zoneAware.preferLocal';

/** Per Gateway (`namespace/name`): how many of its bound proxy pods have no zone, of how many. */
export const zonelessGateways = (
  infraIR: InfraIR,
  pods: readonly ProxyPod[],
  zoneFrom: ZoneSource,
): Map<string, { zoneless: number; bound: number }> => {
  const byGateway = new Map<string, { zoneless: number; bound: number }>();
  for (const proxy of infraIR.proxies) {
    const selector = Object.entries(fleetLabels(proxy));
    // Scheduled and not going away: a pod's zone is fixed when it is bound.
    const bound = pods.filter(
      (pod) =>
        pod.spec?.nodeName &&
        !pod.metadata.deletionTimestamp &&
        selector.every(([key, value]) => pod.metadata.labels?.[key] === value),
    );
    const zoneless = bound.filter((pod) => !pod.metadata[`${zoneFrom}s`]?.[ZONE_KEY]).length;
    if (zoneless === 0) continue;
    for (const { namespace, name } of fleetGateways(proxy.owner))
      byGateway.set(`${namespace}/${name}`, { zoneless, bound: bound.length });
  }
  return byGateway;
};

const howToFix = (zoneFrom: ZoneSource) =>
  zoneFrom === 'annotation'
    ? "egts's topology injector did not give them their node's zone: check that its webhook is reachable and that the nodes have a topology.kubernetes.io/zone label"
    : 'the API server copies the node zone onto a pod only with the PodTopologyLabelsAdmission feature gate (off by default before Kubernetes 1.35): enable it, or enable the topology injector (EnvoyGateway provider.kubernetes.topologyInjector)';

/**
 * The statuses with each BackendTrafficPolicy that sets `zoneAware.preferLocal` reported
 * Accepted=False (NotApplied, naming the field) on the Gateways whose proxy pods have no zone.
 * Other statuses, and the policy on other Gateways, are unchanged.
 */
export function withZonelessProxies(
  statuses: readonly ResourceStatus[],
  infraIR: InfraIR,
  pods: readonly ProxyPod[],
  policies: readonly PreferLocalPolicy[],
  zoneFrom: ZoneSource,
): ResourceStatus[] {
  const preferLocal = new Set(
    policies
      .filter((p) => p.spec.loadBalancer?.zoneAware?.preferLocal !== undefined)
      .map((p) => `${p.metadata.namespace ?? 'default'}/${p.metadata.name}`),
  );
  if (preferLocal.size === 0) return [...statuses];
  const zoneless = zonelessGateways(infraIR, pods, zoneFrom);
  if (zoneless.size === 0) return [...statuses];
  return statuses.map((entry) => {
    const key = `${entry.metadata.namespace ?? 'default'}/${entry.metadata.name}`;
    if (entry.kind !== 'BackendTrafficPolicy' || !preferLocal.has(key)) return entry;
    const ancestors = (entry.status.ancestors ?? []) as {
      ancestorRef: { kind?: string; name: string; namespace?: string };
      conditions?: Condition[];
    }[];
    let changed = false;
    const updated = ancestors.map((ancestor) => {
      const ref = ancestor.ancestorRef;
      const gateway = `${ref.namespace ?? entry.metadata.namespace ?? 'default'}/${ref.name}`;
      const counts = (ref.kind ?? 'Gateway') === 'Gateway' ? zoneless.get(gateway) : undefined;
      if (counts === undefined) return ancestor;
      const conditions = (ancestor.conditions ?? []).map((condition) => {
        if (condition.type !== 'Accepted' || condition.status !== 'True') return condition;
        changed = true;
        return {
          ...condition,
          status: 'False',
          reason: 'NotApplied',
          message: `${FIELD} is not applied: ${counts.zoneless} of ${counts.bound} proxy pods of Gateway ${gateway} have no zone (${howToFix(zoneFrom)}); they route without zone preference. The policy's other settings apply.`,
        } as Condition;
      });
      return { ...ancestor, conditions };
    });
    return changed ? { ...entry, status: { ...entry.status, ancestors: updated } } : entry;
  });
}
