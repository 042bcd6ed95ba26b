// Bootstraps Envoy refuses, as Gateway status. The translator checks an EnvoyProxy bootstrap's
// shape; Envoy itself (`envoy --mode validate`, run by the host infra-manager) is the judge of the
// rest. A refused bootstrap leaves the running proxy as it was and, as Envoy Gateway reports an
// invalid EnvoyProxy bootstrap (e2e EnvoyProxyInvalidUpdate), sets the owning Gateway's Accepted
// condition False with reason InvalidParameters: every Gateway of a fleet whose EnvoyProxy merges
// Gateways.
import type { ResourceStatus } from '@egts/api';
import type { InfraOwner } from '@egts/ir';
import { BehaviorSubject } from 'rxjs';

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** Why Envoy refused each fleet's bootstrap, by fleet (proxy) name, from infra-manager events. */
export function bootstrapRefusals(): {
  readonly refusals$: BehaviorSubject<ReadonlyMap<string, string>>;
  /** Notes an infra-manager event: refused sets the fleet's reason, accepted clears it. */
  note(event: { type: string; proxy: string; reason?: string }): void;
} {
  const refusals$ = new BehaviorSubject<ReadonlyMap<string, string>>(new Map());
  return {
    refusals$,
    note(event) {
      const current = refusals$.value;
      if (event.type === 'bootstrap-refused') {
        if (current.get(event.proxy) === event.reason) return;
        refusals$.next(new Map(current).set(event.proxy, event.reason ?? 'refused by Envoy'));
      } else if (event.type === 'bootstrap-accepted' && current.has(event.proxy)) {
        const next = new Map(current);
        next.delete(event.proxy);
        refusals$.next(next);
      }
    },
  };
}

/** A fleet's Gateways: its own, or those merged into it. */
interface GatewayRef {
  readonly namespace: string;
  readonly name: string;
}
export type FleetGateways = ReadonlyMap<string, readonly GatewayRef[]>;

/** The Gateways a fleet serves, from its Infra IR owner. */
export const fleetGateways = (owner: InfraOwner): readonly GatewayRef[] =>
  owner.gateways ??
  (owner.gatewayNamespace !== undefined && owner.gatewayName !== undefined
    ? [{ namespace: owner.gatewayNamespace, name: owner.gatewayName }]
    : []);

/** `statuses` with Accepted False (InvalidParameters) on the Gateways of refused fleets. */
export function withBootstrapRefusals(
  statuses: readonly ResourceStatus[],
  refusals: ReadonlyMap<string, string>,
  fleetGateways: FleetGateways,
): readonly ResourceStatus[] {
  if (refusals.size === 0) return statuses;
  const gateways = new Map<string, string>();
  for (const [fleet, reason] of refusals)
    for (const gateway of fleetGateways.get(fleet) ?? [])
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
