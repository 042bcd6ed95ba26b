// Kubernetes mode: a Gateway's status.addresses come from its proxy Service, and it is Programmed
// only once that Service has an address (GEP-1651; Envoy Gateway's UpdateGatewayStatusProgrammedCondition).
// The translator cannot know either: the Service is made and addressed after it runs.
import type { Service } from '@egts/api';
import type { ResourceStatus } from '@egts/gatewayapi-translator';
import {
  fleetObjectName,
  type GatewayStatusAddress,
  type ServiceAddressFields,
  serviceAddresses,
} from '@egts/infra-manager';
import type { InfraIR, ProxyInfra } from '@egts/ir';

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

// Gateway API caps status.addresses at 16 entries.
const MAX_ADDRESSES = 16;

/** Which fleet serves each Gateway (`namespace/name`): its own, or its class's merged one. */
const fleetsByGateway = (infraIR: InfraIR): Map<string, ProxyInfra> => {
  const fleets = new Map<string, ProxyInfra>();
  for (const proxy of infraIR.proxies) {
    const { gatewayNamespace, gatewayName } = proxy.owner;
    if (gatewayNamespace && gatewayName) {
      fleets.set(`${gatewayNamespace}/${gatewayName}`, proxy);
      continue;
    }
    // Merged Gateways: listener names start with their Gateway's `namespace/name`.
    for (const listener of proxy.listeners) {
      const [namespace, name] = listener.name.split('/');
      if (namespace && name) fleets.set(`${namespace}/${name}`, proxy);
    }
  }
  return fleets;
};

const programmed = (addresses: readonly GatewayStatusAddress[]): Condition | undefined => {
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
  return undefined;
};

/**
 * The statuses with each programmed Gateway's addresses taken from its fleet's Service (none while
 * the Service is missing or its load balancer unprovisioned, and then Programmed False). A Gateway
 * the translator did not program keeps its status as it is.
 */
export const withServiceAddresses = (
  statuses: readonly ResourceStatus[],
  infraIR: InfraIR,
  services: readonly Service[],
): ResourceStatus[] => {
  const fleets = fleetsByGateway(infraIR);
  const servicesByName = new Map(
    services.map((s) => [`${s.metadata.namespace ?? 'default'}/${s.metadata.name}`, s]),
  );
  return statuses.map((entry) => {
    if (entry.kind !== 'Gateway' || entry.apiVersion !== 'gateway.networking.k8s.io/v1')
      return entry;
    const conditions = (entry.status.conditions ?? []) as Condition[];
    const isProgrammed = conditions.some((c) => c.type === 'Programmed' && c.status === 'True');
    if (!isProgrammed) return entry;
    const fleet = fleets.get(`${entry.metadata.namespace ?? 'default'}/${entry.metadata.name}`);
    const service = fleet && servicesByName.get(`${fleet.namespace}/${fleetObjectName(fleet)}`);
    const addresses =
      fleet && service
        ? serviceAddresses(service as ServiceAddressFields, fleet.addresses.length > 0)
        : [];
    const condition = programmed(addresses);
    // Keep the field order the translator uses (conditions, addresses, listeners).
    const { conditions: _, addresses: _old, ...rest } = entry.status;
    return {
      ...entry,
      status: {
        conditions: condition
          ? conditions.map((c) => (c.type === 'Programmed' ? condition : c))
          : conditions,
        addresses: addresses.slice(0, MAX_ADDRESSES),
        ...rest,
      },
    };
  });
};
