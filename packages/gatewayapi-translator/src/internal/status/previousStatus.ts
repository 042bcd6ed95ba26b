// What a controller keeps of the status a resource arrives with. Gateway API lets several
// controllers write one status: each owns only its own entries (RouteStatus.parents and
// PolicyStatus.ancestors carry a controllerName; "Implementations MUST NOT modify entries of
// other controllers", GEP-713/GEP-1364). So entries written by another controller are kept as
// they are; ours are replaced by what this translation computed, and ours that it no longer
// computes (a parentRef removed from the spec) are dropped rather than left stale. Conditions on
// single-owner resources (GatewayClass, Gateway, ListenerSet) merge as Kubernetes merges them
// (meta.SetStatusCondition): types we set are replaced, types we may set but did not this time
// are stale and dropped, other types are kept. Listener statuses are rebuilt from the spec.
import type { StatusCondition } from './conditions.js';

/** A condition as it arrived: whatever a status writer left there, passed through untouched. */
type PreviousCondition = { type: string } & Record<string, unknown>;

/** Condition types this translator sets on each single-owner kind (GEP-1364, GEP-1713). */
const OWNED_CONDITION_TYPES: Record<string, ReadonlySet<string>> = {
  GatewayClass: new Set(['Accepted', 'SupportedVersion']),
  Gateway: new Set(['Accepted', 'Programmed', 'ResolvedRefs', 'Ready']),
  ListenerSet: new Set(['Accepted', 'Programmed', 'ResolvedRefs']),
  XListenerSet: new Set(['Accepted', 'Programmed', 'ResolvedRefs']),
};

const previousConditions = (status: unknown): PreviousCondition[] => {
  const list = (status as { conditions?: unknown } | undefined)?.conditions;
  return Array.isArray(list)
    ? list.filter((c): c is PreviousCondition => typeof c?.type === 'string')
    : [];
};

/** Computed conditions plus the previous ones of types neither computed nor owned by us. */
export function mergeConditions(
  kind: string,
  previousStatus: unknown,
  computed: readonly StatusCondition[],
): (StatusCondition | PreviousCondition)[] {
  const owned = OWNED_CONDITION_TYPES[kind] ?? new Set<string>();
  const set = new Set(computed.map((c) => c.type));
  const kept = previousConditions(previousStatus).filter(
    (c) => !set.has(c.type) && !owned.has(c.type),
  );
  if (kept.length === 0) return [...computed];
  return [...computed, ...kept].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}

/**
 * Entries of `field` (parents, ancestors) in the previous status written by other controllers: a
 * new list each call, which the caller may extend.
 */
export function otherControllersEntries(
  previousStatus: unknown,
  field: 'parents' | 'ancestors',
  controllerName: string,
): Record<string, unknown>[] {
  const list = (previousStatus as Record<string, unknown> | undefined)?.[field];
  if (!Array.isArray(list)) return [];
  return list.filter(
    (e): e is Record<string, unknown> =>
      typeof e === 'object' &&
      e !== null &&
      typeof e.controllerName === 'string' &&
      e.controllerName !== controllerName,
  );
}
