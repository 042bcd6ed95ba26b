// Conditions the control plane only learns after translation (what became of EnvoyPatchPolicy
// patches, Wasm modules that cannot be fetched) go on the ancestors of a policy's status where
// translate() accepted it. One walk for both, so they cannot drift apart.
import type { ResourceStatus } from '@egts/api';

export interface AncestorCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
}

interface Ancestor {
  conditions?: AncestorCondition[];
}

/**
 * `statuses` where, for each policy of `kind` that `find` knows by `<namespace>/<name>`, every
 * ancestor with Accepted True gets the conditions `rewrite` makes; all else is returned as it is.
 */
export function onAcceptedAncestors<T>(
  statuses: readonly ResourceStatus[],
  kind: string,
  find: (key: string) => T | undefined,
  rewrite: (
    conditions: readonly AncestorCondition[],
    accepted: AncestorCondition,
    found: T,
  ) => AncestorCondition[],
): ResourceStatus[] {
  return statuses.map((entry) => {
    if (entry.kind !== kind) return entry;
    const found = find(`${entry.metadata.namespace ?? 'default'}/${entry.metadata.name}`);
    const ancestors = entry.status.ancestors;
    if (found === undefined || !Array.isArray(ancestors)) return entry;
    return {
      ...entry,
      status: {
        ...entry.status,
        ancestors: (ancestors as Ancestor[]).map((ancestor) => {
          const conditions = ancestor.conditions ?? [];
          const accepted = conditions.find((c) => c.type === 'Accepted');
          if (accepted?.status !== 'True') return ancestor;
          return { ...ancestor, conditions: rewrite(conditions, accepted, found) };
        }),
      },
    };
  });
}
