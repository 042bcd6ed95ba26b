// The statuses the status runner publishes: the translator's, completed by what later stages
// learn. EnvoyPatchPolicies are Programmed or not by what the xDS translator made of their
// patches; a Wasm module that could not be fetched fails its policy; a bootstrap Envoy refused
// is reported on the Gateway (or GatewayClass) that owns the fleet.
import { isDeepStrictEqual } from 'node:util';
import type { ResourceStatus } from '@egts/api';
import { withEnvoyPatchOutcomes, withWasmFailures } from '@egts/gatewayapi-translator';
import { type FleetGateways, withBootstrapRefusals } from '@egts/infra-manager';
import { type FleetOwnerRef, fleetGateways, fleetOwnerRef, type InfraIR } from '@egts/ir';
import { combineLatest, distinctUntilChanged, map, type Observable, type Subscription } from 'rxjs';

export interface StatusInputs {
  readonly statuses$: Observable<readonly ResourceStatus[]>;
  readonly infraIR$: Observable<InfraIR>;
  readonly patchOutcomes$: Observable<Parameters<typeof withEnvoyPatchOutcomes>[1]>;
  readonly wasmFailures$: Observable<Parameters<typeof withWasmFailures>[1]>;
  readonly refusals$: Observable<Parameters<typeof withBootstrapRefusals>[1]>;
}

export interface FleetStatuses {
  readonly statuses$: Observable<readonly ResourceStatus[]>;
  /** The Gateway (or GatewayClass, merged Gateways) owning each fleet of the latest Infra IR. */
  owner(fleet: string): FleetOwnerRef | undefined;
  /** Stops following the Infra IR. */
  readonly subscription: Subscription;
}

export function fleetStatuses(inputs: StatusInputs): FleetStatuses {
  let owners = new Map<string, FleetOwnerRef>();
  let gateways: FleetGateways = new Map();
  const subscription = inputs.infraIR$.subscribe((infraIR) => {
    owners = new Map(infraIR.proxies.map((fleet) => [fleet.name, fleetOwnerRef(fleet.owner)]));
    gateways = new Map(infraIR.proxies.map((fleet) => [fleet.name, fleetGateways(fleet.owner)]));
  });
  const statuses$ = combineLatest([
    inputs.statuses$,
    inputs.patchOutcomes$,
    inputs.wasmFailures$,
    inputs.refusals$,
  ]).pipe(
    map(([statuses, outcomes, failures, refusals]) =>
      withBootstrapRefusals(
        withWasmFailures(
          outcomes.length === 0 ? statuses : withEnvoyPatchOutcomes(statuses, outcomes),
          failures,
        ),
        refusals,
        gateways,
      ),
    ),
    distinctUntilChanged<readonly ResourceStatus[]>(isDeepStrictEqual),
  );
  return { statuses$, owner: (fleet) => owners.get(fleet), subscription };
}
