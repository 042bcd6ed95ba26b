// A policy's footprint: what it targets and what it reads of the routes it reaches. Reduced
// translations keep the policies that can reach their routes and Gateways (what those write to
// the IR comes with the translation) and leave out the rest, which cannot touch that IR; the
// policies' statuses are computed again only when a route change moves what they read.
import { POLICY_COLLECTIONS, type PolicyCollection, type Resources, ROUTE_KINDS } from '@egts/api';
import type { Route } from './routeDiff.js';

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

interface Named {
  kind: string;
  metadata: { name: string; namespace?: string | null | undefined };
}

interface PolicySpec {
  targetRef?: { kind: string; name: string } | null;
  targetRefs?: readonly { kind: string; name: string }[] | null;
  targetSelectors?: readonly unknown[] | null;
}

const key = (kind: string, namespace: string | null | undefined, name: string) =>
  `${kind}/${namespace ?? 'default'}/${name}`;

/**
 * The policies of `resources` that can reach `routes` or `gateways`: those naming one of them
 * (policy targets are local to the policy's namespace), those selecting by labels, and those
 * targeting any other kind. Each list is the input array itself when nothing is left out.
 */
export const policiesReaching = (
  resources: Resources,
  routes: readonly Named[],
  gateways: readonly Named[],
): Pick<Resources, PolicyCollection> => {
  const targets = new Set<string>();
  for (const o of [...routes, ...gateways]) {
    targets.add(key(o.kind, o.metadata.namespace, o.metadata.name));
  }
  const reaches = (policy: { metadata: Named['metadata']; spec?: unknown }): boolean => {
    const spec = (policy.spec ?? {}) as PolicySpec;
    if ((spec.targetSelectors?.length ?? 0) > 0) return true;
    const refs = spec.targetRefs?.length ? spec.targetRefs : spec.targetRef ? [spec.targetRef] : [];
    return refs.some(
      (ref) =>
        !(ref.kind === 'Gateway' || ROUTE_KINDS.has(ref.kind)) ||
        targets.has(key(ref.kind, policy.metadata.namespace, ref.name)),
    );
  };
  const out = {} as Record<PolicyCollection, unknown[]>;
  for (const collection of POLICY_COLLECTIONS) {
    const all = resources[collection] as { metadata: Named['metadata']; spec?: unknown }[];
    const kept = all.filter(reaches);
    out[collection] = kept.length === all.length ? all : kept;
  }
  return out as unknown as Pick<Resources, PolicyCollection>;
};
