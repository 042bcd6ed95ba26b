// A policy's footprint: what it targets and what it reads of the routes it reaches. Reduced
// translations keep the policies that can reach their routes and Gateways (what those write to
// the IR comes with the translation) and leave out the rest, which cannot touch that IR; the
// policies' statuses are computed again only when a route change moves what they read.
import { POLICY_COLLECTIONS, type PolicyCollection, type Resources, ROUTE_KINDS } from '@egts/api';
import { compareByAge } from '../ordering.js';
import { GATEWAY_GROUP } from '../types.js';
import type { IncrementalMemo } from './incrementalMemo.js';
import type { Route, RouteChange } from './routeDiff.js';
import { sameJson } from './sameJson.js';

/**
 * What the policy steps read of a route: its labels (targetSelectors), its parents and the
 * listeners it attaches to (ancestors, scopes) and its rule names (sectionName). While this stays
 * the same a route change leaves the policies' statuses as they were; what a policy writes to the
 * route's IR comes with the route's own translation.
 */
export const routeFootprint = (route: Route) => {
  const spec = route.spec as
    | { parentRefs?: unknown; hostnames?: unknown; rules?: { name?: unknown }[] | null }
    | undefined;
  return {
    labels: route.metadata.labels,
    parentRefs: spec?.parentRefs,
    hostnames: spec?.hostnames,
    rules: spec?.rules?.map((rule) => rule.name),
  };
};

/** Every change an edit keeping its route's footprint (none added or removed). */
export const footprintsKept = (changes: readonly RouteChange[]): boolean =>
  changes.every(
    (c) =>
      c.before !== undefined &&
      c.after !== undefined &&
      sameJson(routeFootprint(c.before), routeFootprint(c.after)),
  );

interface Named {
  kind: string;
  metadata: { name: string; namespace?: string | null | undefined };
}

interface TargetRef {
  group?: string | null;
  kind: string;
  name: string;
  sectionName?: string | null;
}

interface PolicySpec {
  targetRef?: TargetRef | null;
  targetRefs?: readonly TargetRef[] | null;
  targetSelectors?: readonly unknown[] | null;
}

type Policy = { metadata: Named['metadata'] & { creationTimestamp?: unknown }; spec?: unknown };

const refsOf = (spec: PolicySpec): readonly TargetRef[] =>
  spec.targetRefs?.length ? spec.targetRefs : spec.targetRef ? [spec.targetRef] : [];

/** The kinds whose policies claim their targets, the oldest first (processPolicies.ts). */
const CLAIMING: ReadonlySet<PolicyCollection> = new Set<PolicyCollection>([
  'clientTrafficPolicies',
  'backendTrafficPolicies',
  'securityPolicies',
  'envoyExtensionPolicies',
]);

/**
 * The policies of one kind that can write nothing: every object they target was claimed by an
 * older policy of the same kind, so each of their targets is Conflicted (processPolicies.ts:
 * a claim is `kind/namespace/name/section` of a target, taken in age order whether or not the
 * policy taking it is valid). Leaving them out of a reduced translation changes no IR: the
 * oldest claimer of each target stays. Their statuses come from full translations only. Policies
 * with targetSelectors (their targets depend on labels) are never left out. Once per array.
 */
const shadowedPolicies = (memo: IncrementalMemo, all: readonly Policy[]): ReadonlySet<object> => {
  const known = memo.shadowedPolicies.get(all);
  if (known !== undefined) return known;
  const shadowed = new Set<object>();
  const claimed = new Set<string>();
  // Array.prototype.sort is stable: ties keep their input order, as processPolicies sorts them.
  for (const policy of [...all].sort(compareByAge as (a: Policy, b: Policy) => number)) {
    const spec = (policy.spec ?? {}) as PolicySpec;
    const refs = refsOf(spec);
    const claims = refs.map(
      (ref) =>
        `${ref.kind}/${policy.metadata.namespace ?? 'default'}/${ref.name}/${ref.sectionName ?? ''}`,
    );
    const onlyClaims =
      (spec.targetSelectors?.length ?? 0) === 0 &&
      refs.length > 0 &&
      refs.every((ref) => (ref.group ?? GATEWAY_GROUP) === GATEWAY_GROUP);
    if (onlyClaims && claims.every((claim) => claimed.has(claim))) shadowed.add(policy);
    for (const claim of claims) claimed.add(claim);
  }
  memo.shadowedPolicies.set(all, shadowed);
  return shadowed;
};

const key = (kind: string, namespace: string | null | undefined, name: string) =>
  `${kind}/${namespace ?? 'default'}/${name}`;

/**
 * The policies of `resources` that can reach `routes` or `gateways`: those naming one of them
 * (policy targets are local to the policy's namespace), those selecting by labels, and those
 * targeting any other kind; but not those whose every target an older policy of their kind
 * claimed (they write nothing). Each list is the input array itself when nothing is left out.
 */
export const policiesReaching = (
  memo: IncrementalMemo,
  resources: Resources,
  routes: readonly Named[],
  gateways: readonly Named[],
): Pick<Resources, PolicyCollection> => {
  const out = {} as Record<PolicyCollection, unknown[]>;
  for (const collection of POLICY_COLLECTIONS) {
    const all = resources[collection] as Policy[];
    const index = targetIndex(memo, collection, all);
    const positions = new Set(index.always);
    for (const o of [...routes, ...gateways]) {
      const found = index.byTarget.get(key(o.kind, o.metadata.namespace, o.metadata.name));
      for (const i of found ?? []) positions.add(i);
    }
    // In input order, as a full translation sees them (ties in age keep it).
    out[collection] =
      positions.size === all.length
        ? all
        : [...positions].sort((a, b) => a - b).map((i) => all[i]!);
  }
  return out as unknown as Pick<Resources, PolicyCollection>;
};

/** Positions of a policy array's policies by what they target, once per array. */
interface TargetIndex {
  /** Policies that may reach anything: by labels, or targeting another kind. */
  readonly always: readonly number[];
  /** Policies by each Gateway or route (`kind/namespace/name`) they name. */
  readonly byTarget: ReadonlyMap<string, readonly number[]>;
}

const targetIndex = (
  memo: IncrementalMemo,
  collection: PolicyCollection,
  all: readonly Policy[],
): TargetIndex => {
  const known = memo.policyTargets.get(all);
  if (known !== undefined) return known;
  const shadowed = CLAIMING.has(collection) ? shadowedPolicies(memo, all) : new Set<object>();
  const always: number[] = [];
  const byTarget = new Map<string, number[]>();
  all.forEach((policy, i) => {
    if (shadowed.has(policy)) return;
    const spec = (policy.spec ?? {}) as PolicySpec;
    const refs = refsOf(spec);
    if (
      (spec.targetSelectors?.length ?? 0) > 0 ||
      refs.some((ref) => !(ref.kind === 'Gateway' || ROUTE_KINDS.has(ref.kind)))
    ) {
      always.push(i);
      return;
    }
    for (const ref of refs) {
      const target = key(ref.kind, policy.metadata.namespace, ref.name);
      const list = byTarget.get(target) ?? [];
      if (list.at(-1) !== i) list.push(i);
      byTarget.set(target, list);
    }
  });
  const index = { always, byTarget };
  memo.policyTargets.set(all, index);
  return index;
};
