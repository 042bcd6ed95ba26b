// The Programmed condition of EnvoyPatchPolicies. Their patches apply to the final Envoy
// resources, which only the xDS translator sees: it reports what became of each policy
// (@egts/xds-translator's `envoyPatchPolicies` outcomes) and this puts that on the statuses
// translate() gave, as Envoy Gateway does (Programmed True "successfully applied patches.", or
// False with reason Invalid or ResourceNotFound).
import type { ResourceStatus } from '@egts/api';
import type { EnvoyPatchPolicyOutcome } from '@egts/ir';
import { onAcceptedAncestors } from './acceptedAncestors.js';

/**
 * `statuses` with a Programmed condition on every accepted ancestor of each EnvoyPatchPolicy an
 * outcome names; statuses without an outcome are returned as they are.
 */
export function withEnvoyPatchOutcomes(
  statuses: readonly ResourceStatus[],
  outcomes: readonly EnvoyPatchPolicyOutcome[],
): ResourceStatus[] {
  const byPolicy = new Map(outcomes.map((o) => [`${o.namespace}/${o.name}`, o]));
  return onAcceptedAncestors(
    statuses,
    'EnvoyPatchPolicy',
    (key) => byPolicy.get(key),
    (conditions, accepted, outcome) => {
      const programmed = {
        type: 'Programmed',
        status: outcome.programmed ? 'True' : 'False',
        reason: outcome.reason,
        message: outcome.message,
        ...(accepted.observedGeneration === undefined
          ? {}
          : { observedGeneration: accepted.observedGeneration }),
      };
      return [...conditions.filter((c) => c.type !== 'Programmed'), programmed].sort((a, b) =>
        a.type < b.type ? -1 : a.type > b.type ? 1 : 0,
      );
    },
  );
}
