// Kubernetes mode: a Gateway's status.addresses come from its proxy Service, and it is Programmed
// only once that Service has an address and a proxy replica is available (GEP-1651; Envoy Gateway's
// UpdateGatewayStatusProgrammedCondition). The translator cannot know either: the Service and the
// Deployment are made, addressed and scheduled after it runs.
import type { Condition, ResourceStatus, Service } from '@egts/api';
import { fleetGateways, type InfraIR, type ProxyInfra } from '@egts/ir';
import { fleetObjectNames } from './internal/kubernetesObjects.js';
import {
  type GatewayStatusAddress,
  type ServiceAddressFields,
  serviceAddresses,
} from './serviceAddresses.js';

// Gateway API caps status.addresses at 16 entries.
const MAX_ADDRESSES = 16;

/** Which fleet serves each Gateway (`namespace/name`): its own, or its class's merged one. */
const fleetsByGateway = (infraIR: InfraIR): Map<string, ProxyInfra> => {
  const fleets = new Map<string, ProxyInfra>();
  for (const proxy of infraIR.proxies)
    for (const { namespace, name } of fleetGateways(proxy.owner))
      fleets.set(`${namespace}/${name}`, proxy);
  return fleets;
};

/** A proxy Deployment or DaemonSet, as far as its availability goes. */
export interface ProxyWorkload {
  kind: string;
  metadata: { name: string; namespace?: string | undefined };
  status?: {
    replicas?: number;
    availableReplicas?: number;
    numberAvailable?: number;
    desiredNumberScheduled?: number;
  };
}

/** What the cluster says of the proxies: their Services and Deployments or DaemonSets. */
export interface ProxyObjects {
  readonly services: readonly Service[];
  readonly workloads: readonly ProxyWorkload[];
  /** The nodes' addresses, for NodePort Services (see `nodeAddresses`). */
  readonly nodeAddresses?: readonly string[];
}

const programmed = (
  addresses: readonly GatewayStatusAddress[],
  workload: ProxyWorkload | undefined,
): Condition => {
  if (addresses.length === 0) {
    return {
      type: 'Programmed',
      status: 'False',
      reason: 'AddressNotAssigned',
      message: 'No addresses have been assigned to the Gateway.',
    };
  }
  if (addresses.length > MAX_ADDRESSES) {
    return {
      type: 'Programmed',
      status: 'False',
      reason: 'Invalid',
      message: `Too many addresses (${addresses.length}) have been assigned to the Gateway, the maximum number of addresses is ${MAX_ADDRESSES}.`,
    };
  }
  const status = workload?.status ?? {};
  const [available, desired] =
    workload?.kind === 'DaemonSet'
      ? [status.numberAvailable ?? 0, status.desiredNumberScheduled ?? 0]
      : [status.availableReplicas ?? 0, status.replicas ?? 0];
  if (available === 0) {
    return {
      type: 'Programmed',
      status: 'False',
      reason: 'NoResources',
      message: 'Envoy replicas unavailable.',
    };
  }
  return {
    type: 'Programmed',
    status: 'True',
    reason: 'Programmed',
    message: `Address assigned to the Gateway, ${available}/${desired} envoy replicas available.`,
  };
};

const byName = <T extends { metadata: { name: string; namespace?: string | undefined } }>(
  objects: readonly T[],
) => new Map(objects.map((o) => [`${o.metadata.namespace ?? 'default'}/${o.metadata.name}`, o]));

/**
 * The statuses with each programmed Gateway's addresses taken from its fleet's Service (none while
 * the Service is missing or its load balancer unprovisioned), and Programmed True only with an
 * address and an available replica. A Gateway the translator did not program keeps its status.
 */
export const withInfraStatus = (
  statuses: readonly ResourceStatus[],
  infraIR: InfraIR,
  cluster: ProxyObjects,
): ResourceStatus[] => {
  const fleets = fleetsByGateway(infraIR);
  const servicesByName = byName(cluster.services);
  const workloadsByName = byName(cluster.workloads);
  return statuses.map((entry) => {
    if (entry.kind !== 'Gateway' || entry.apiVersion !== 'gateway.networking.k8s.io/v1')
      return entry;
    const conditions = (entry.status.conditions ?? []) as Condition[];
    const isProgrammed = conditions.some((c) => c.type === 'Programmed' && c.status === 'True');
    if (!isProgrammed) return entry;
    const fleet = fleets.get(`${entry.metadata.namespace ?? 'default'}/${entry.metadata.name}`);
    const names = fleet && fleetObjectNames(fleet);
    const service = names && servicesByName.get(`${fleet.namespace}/${names.service}`);
    const addresses =
      fleet && service
        ? serviceAddresses(
            service as ServiceAddressFields,
            fleet.addresses.length > 0,
            cluster.nodeAddresses,
          )
        : [];
    const workload = names && workloadsByName.get(`${fleet.namespace}/${names.workload}`);
    const condition = programmed(addresses, workload);
    // Keep the field order the translator uses (conditions, addresses, listeners).
    const { conditions: _, addresses: _old, ...rest } = entry.status;
    return {
      ...entry,
      status: {
        conditions: conditions.map((c) => (c.type === 'Programmed' ? condition : c)),
        addresses: addresses.slice(0, MAX_ADDRESSES),
        ...rest,
      },
    };
  });
};
