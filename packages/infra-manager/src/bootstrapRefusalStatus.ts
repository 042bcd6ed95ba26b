// Bootstraps Envoy refuses, as Gateway status. The translator checks an EnvoyProxy bootstrap's
// shape; Envoy itself (`envoy --mode validate`, run by the infra-managers) is the judge of the
// rest. A refused bootstrap leaves the running proxy as it was and, as Envoy Gateway reports an
// invalid EnvoyProxy bootstrap (e2e EnvoyProxyInvalidUpdate), sets the owning Gateway's Accepted
// condition False with reason InvalidParameters: every Gateway of a fleet whose EnvoyProxy merges
// Gateways.
import type { Condition, ResourceStatus } from '@egts/api';
import type { fleetGateways } from '@egts/ir';

/** The Gateways each fleet serves, by fleet (proxy) name (`fleetGateways` of its owner). */
export type FleetGateways = ReadonlyMap<string, ReturnType<typeof fleetGateways>>;

/** `statuses` with Accepted False (InvalidParameters) on the Gateways of refused fleets. */
export function withBootstrapRefusals(
  statuses: readonly ResourceStatus[],
  refusals: ReadonlyMap<string, string>,
  gatewaysOf: FleetGateways,
): readonly ResourceStatus[] {
  if (refusals.size === 0) return statuses;
  const gateways = new Map<string, string>();
  for (const [fleet, reason] of refusals)
    for (const gateway of gatewaysOf.get(fleet) ?? [])
      gateways.set(`${gateway.namespace}/${gateway.name}`, reason);
  return statuses.map((entry) => {
    if (entry.kind !== 'Gateway') return entry;
    const reason = gateways.get(`${entry.metadata.namespace ?? 'default'}/${entry.metadata.name}`);
    const conditions = entry.status.conditions;
    if (reason === undefined || !Array.isArray(conditions)) return entry;
    const refused = {
      status: 'False',
      reason: 'InvalidParameters',
      message: `Invalid EnvoyProxy bootstrap: ${reason}`,
    };
    return {
      ...entry,
      status: {
        ...entry.status,
        conditions: (conditions as Condition[]).map((c) =>
          c.type === 'Accepted' ? { ...c, ...refused } : c,
        ),
      },
    };
  });
}
