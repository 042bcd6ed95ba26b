// What changed in one policy kind between two snapshots, by policy key (namespace/name): edits
// that keep the policy's footprint (targets, selectors, mergeType, age), and the rest (added,
// removed, or retargeted policies), each with its version before and after.
import { GATEWAY_GROUP } from '../types.js';
import { routeKeyOf } from './routeDiff.js';
import { sameJson } from './sameJson.js';

export interface Policy {
  kind: string;
  metadata: { name: string; namespace?: string | null; creationTimestamp?: unknown };
  spec?: {
    targetRef?: unknown;
    targetRefs?: readonly { group?: string | null; kind: string; name: string }[] | null;
    targetSelectors?: readonly unknown[] | null;
    mergeType?: unknown;
  };
}

const keyOf = (p: Policy) => `${p.metadata.namespace ?? 'default'}/${p.metadata.name}`;

/** What must stay for an edit to move no other status, and the routes it targets. */
const footprint = (p: Policy) => ({
  targetRefs: p.spec?.targetRefs,
  targetRef: p.spec?.targetRef,
  selectors: p.spec?.targetSelectors,
  mergeType: p.spec?.mergeType,
  age: p.metadata.creationTimestamp,
});

export interface PolicyChanges {
  /** Edited in place, footprint kept (the new versions). */
  readonly edited: Policy[];
  /** Added, removed or with another footprint: the versions before and after (when present). */
  readonly moved: { before?: Policy; after?: Policy }[];
}

/** The changes of one policy kind; undefined when keys repeat (a full translation decides). */
export const policyChanges = (
  before: readonly Policy[],
  after: readonly Policy[],
): PolicyChanges | undefined => {
  const was = new Map(before.map((p) => [keyOf(p), p]));
  if (was.size !== before.length) return undefined;
  const edited: Policy[] = [];
  const moved: { before?: Policy; after?: Policy }[] = [];
  const seen = new Set<string>();
  for (const policy of after) {
    const key = keyOf(policy);
    if (seen.has(key)) return undefined;
    seen.add(key);
    const old = was.get(key);
    if (old === policy) continue;
    if (old === undefined) moved.push({ after: policy });
    else if (sameJson(footprint(old), footprint(policy))) edited.push(policy);
    else moved.push({ before: old, after: policy });
  }
  for (const [key, old] of was) if (!seen.has(key)) moved.push({ before: old });
  return { edited, moved };
};

/** The routes a policy targets (`kind/namespace/name` keys), or undefined for any other target. */
export const routeTargets = (policy: Policy): string[] | undefined => {
  const spec = policy.spec ?? {};
  if ((spec.targetSelectors?.length ?? 0) > 0 || spec.targetRef) return undefined;
  const refs = spec.targetRefs ?? [];
  if (refs.length === 0) return undefined;
  const keys: string[] = [];
  for (const ref of refs) {
    if ((ref.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP) return undefined;
    if (ref.kind !== 'HTTPRoute' && ref.kind !== 'GRPCRoute') return undefined;
    keys.push(routeKeyOf(ref.kind, policy.metadata.namespace, ref.name));
  }
  return keys;
};

/**
 * Whether a policy that is not route-only can see a change to routes of `gateways`: it selects
 * by labels, targets another kind, or targets one of those Gateways (its merged or overridden
 * state follows the route policies under it).
 */
export const seesGateways = (policy: Policy, gateways: ReadonlySet<string>): boolean => {
  const spec = policy.spec ?? {};
  const namespace = policy.metadata.namespace;
  if ((spec.targetSelectors?.length ?? 0) > 0 || spec.targetRef || namespace == null) return true;
  return (spec.targetRefs ?? []).some(
    (ref) =>
      (ref.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP ||
      ref.kind !== 'Gateway' ||
      gateways.has(`${namespace}/${ref.name}`),
  );
};
