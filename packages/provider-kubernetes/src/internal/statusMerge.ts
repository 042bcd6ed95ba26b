// Merges the statuses the translator computed into what an object's status holds now, keeping what
// other controllers own, and stamping lastTransitionTime/observedGeneration as the Kubernetes API
// conventions ("Typical status properties") and Gateway API require.

export interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime?: string;
}

type Status = Record<string, unknown>;

/**
 * Condition types Gateway API defines for the kinds we write (GEP-1364): ours to set or remove on
 * objects we control. Any other type on such an object belongs to someone else and is kept.
 */
const OWNED_TYPES = new Set([
  'Accepted',
  'Programmed',
  'Ready',
  'ResolvedRefs',
  'Conflicted',
  'PartiallyInvalid',
  'SupportedVersion',
  'AttachedListenerSets',
  'InsecureFrontendValidationMode',
  'Scheduled',
  'Aggregated',
  'Overridden',
]);

/**
 * Our own condition types (egts.io/..., e.g. DataPlaneRejected, set while a proxy rejects what a
 * resource produced) are ours too: gone from what we compute, they are removed, not kept as foreign.
 */
const OWN_DOMAIN = 'egts.io/';
const owned = (type: string): boolean => OWNED_TYPES.has(type) || type.startsWith(OWN_DOMAIN);

/** RFC 3339 at second precision, as metav1.Time serialises. */
export const rfc3339 = (date: Date): string => `${date.toISOString().slice(0, 19)}Z`;

/**
 * Our new conditions, each keeping its old lastTransitionTime when its status did not change
 * (the time is of the last change of status, not of reason or message); then the old conditions of
 * types we do not own, untouched.
 */
export const mergeConditions = (
  previous: readonly Condition[] | undefined,
  next: readonly Condition[],
  generation: number | undefined,
  now: string,
  keepForeign = true,
): Condition[] => {
  const old = new Map((previous ?? []).map((c) => [c.type, c]));
  const out: Condition[] = next.map((c) => {
    const before = old.get(c.type);
    const merged: Condition = {
      type: c.type,
      status: c.status,
      reason: c.reason,
      message: c.message,
      lastTransitionTime:
        before && before.status === c.status && before.lastTransitionTime
          ? before.lastTransitionTime
          : now,
    };
    const observed = c.observedGeneration ?? generation;
    if (observed !== undefined) merged.observedGeneration = observed;
    return merged;
  });
  if (keepForeign) {
    const ours = new Set(next.map((c) => c.type));
    for (const c of previous ?? []) {
      if (!ours.has(c.type) && !owned(c.type)) out.push(c);
    }
  }
  return out;
};

const conditionsOf = (value: unknown): Condition[] | undefined =>
  (value as { conditions?: Condition[] } | undefined)?.conditions;

const sameRef = (a: unknown, b: unknown): boolean => {
  const x = (a ?? {}) as Record<string, unknown>;
  const y = (b ?? {}) as Record<string, unknown>;
  const keys = ['group', 'kind', 'namespace', 'name', 'sectionName', 'port'];
  return keys.every((k) => (x[k] ?? '') === (y[k] ?? ''));
};

/**
 * Route `parents` and policy `ancestors` are lists with one entry per (reference, controller):
 * entries of other controllers are kept as they are (GEP-1364, RouteParentStatus: "a controller
 * must not alter entries it does not own"); ours are replaced, old conditions keeping their times.
 */
const mergeEntries = (
  previous: unknown,
  next: unknown,
  refField: 'parentRef' | 'ancestorRef',
  controllerName: string,
  generation: number | undefined,
  now: string,
): Record<string, unknown>[] => {
  const old = (Array.isArray(previous) ? previous : []) as Record<string, unknown>[];
  const foreign = old.filter((e) => e.controllerName !== controllerName);
  const ours = (Array.isArray(next) ? next : []) as Record<string, unknown>[];
  return [
    ...foreign,
    ...ours.map((entry) => {
      const before = old.find(
        (e) => e.controllerName === controllerName && sameRef(e[refField], entry[refField]),
      );
      return {
        ...entry,
        conditions: mergeConditions(
          conditionsOf(before),
          conditionsOf(entry) ?? [],
          generation,
          now,
          false,
        ),
      };
    }),
  ];
};

/** The status to write: `current` with `computed` merged in. */
export const mergeStatus = (
  current: Status | undefined,
  computed: Status,
  controllerName: string,
  generation: number | undefined,
  now: string,
): Status => {
  const merged: Status = { ...(current ?? {}) };
  for (const [field, value] of Object.entries(computed)) {
    if (field === 'parents' || field === 'ancestors') {
      const ref = field === 'parents' ? 'parentRef' : 'ancestorRef';
      merged[field] = mergeEntries(current?.[field], value, ref, controllerName, generation, now);
    } else if (field === 'conditions') {
      merged.conditions = mergeConditions(
        conditionsOf(current),
        value as Condition[],
        generation,
        now,
      );
    } else if (field === 'listeners' && Array.isArray(value)) {
      // Listener entries are keyed by name; the Gateway's controller owns them all.
      const old = (Array.isArray(current?.listeners) ? current.listeners : []) as Record<
        string,
        unknown
      >[];
      merged.listeners = (value as Record<string, unknown>[]).map((listener) => ({
        ...listener,
        conditions: mergeConditions(
          conditionsOf(old.find((l) => l.name === listener.name)),
          conditionsOf(listener) ?? [],
          generation,
          now,
          false,
        ),
      }));
    } else {
      merged[field] = value;
    }
  }
  return merged;
};
