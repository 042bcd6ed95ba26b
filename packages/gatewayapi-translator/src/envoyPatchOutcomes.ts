// The Programmed condition of EnvoyPatchPolicies. Their patches apply to the final Envoy
// resources, which only the xDS translator sees: it reports what became of each policy
// (@egts/xds-translator's `envoyPatchPolicies` outcomes) and this puts that on the statuses
// translate() gave, as Envoy Gateway does (Programmed True "successfully applied patches.", or
// False with reason Invalid or ResourceNotFound).
import type { ResourceStatus } from '@egts/api';
import type { EnvoyPatchPolicyOutcome } from '@egts/ir';

interface Ancestor {
  conditions?: { type: string; status: string; observedGeneration?: number }[];
}

/**
 * `statuses` with a Programmed condition on every accepted ancestor of each EnvoyPatchPolicy an
 * outcome names; statuses without an outcome are returned as they are.
 */
export function withEnvoyPatchOutcomes(
  statuses: readonly ResourceStatus[],
  outcomes: readonly EnvoyPatchPolicyOutcome[],
): ResourceStatus[] {
  const byPolicy = new Map(outcomes.map((o) => [`${o.namespace}/${o.name}`, o]));
  return statuses.map((entry) => {
    if (entry.kind !== 'EnvoyPatchPolicy') return entry;
    const outcome = byPolicy.get(`${entry.metadata.namespace ?? 'default'}/${entry.metadata.name}`);
    const ancestors = entry.status.ancestors;
    if (outcome === undefined || !Array.isArray(ancestors)) return entry;
    return {
      ...entry,
      status: {
        ...entry.status,
        ancestors: (ancestors as Ancestor[]).map((ancestor) => {
          const conditions = ancestor.conditions ?? [];
          const accepted = conditions.find((c) => c.type === 'Accepted');
          if (accepted?.status !== 'True') return ancestor;
          const programmed = {
            type: 'Programmed',
            status: outcome.programmed ? 'True' : 'False',
            reason: outcome.reason,
            message: outcome.message,
            ...(accepted.observedGeneration === undefined
              ? {}
              : { observedGeneration: accepted.observedGeneration }),
          };
          return {
            ...ancestor,
            conditions: [...conditions.filter((c) => c.type !== 'Programmed'), programmed].sort(
              (a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0),
            ),
          };
        }),
      },
    };
  });
}
