// A policy edited in place costs what it targets (DESIGN.md "Cost follows change"): when only
// route-targeting policies change, and each keeps its targets, mergeType and age, the routes they
// target are spliced again (spliceRoutes.ts: what a policy writes to a route's IR comes with that
// route's translation) and only the edited policies' statuses are computed again, from the
// Gateways, routes and policies that reach those targets. Such an edit moves no other status:
// claims (Conflicted) follow targets and age, a broader policy's Merged/Overridden follows which
// narrower policies apply and merge, and the route's parents are its own. Anything else (a policy
// added, removed or retargeted, one selecting by labels, one targeting a Gateway) returns
// undefined: the caller translates everything then.
import { isDeepStrictEqual } from 'node:util';
import {
  POLICY_COLLECTIONS,
  type PolicyCollection,
  type ResourceStatus,
  type Resources,
  ROUTE_COLLECTIONS,
} from '@egts/api';
import type { TranslateOptions } from '../../translate.js';
import { GATEWAY_GROUP } from '../types.js';
import type { IncrementalMemo } from './incrementalMemo.js';
import { policiesReaching } from './policyFootprint.js';
import { translatePolicyStatuses } from './policyStatuses.js';
import { type Route, type RouteChange, routeIndex, routeKeyOf, statusKey } from './routeDiff.js';
import { gatewaysOf, type RoutesUpdate, withStatuses } from './routesOnly.js';
import { spliceRoutes } from './spliceRoutes.js';
import type { Translation } from './translation.js';

interface Policy {
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

/** The policies of one kind edited in place (same key, another object), or undefined. */
const editedPolicies = (
  before: readonly Policy[],
  after: readonly Policy[],
): Policy[] | undefined => {
  if (before.length !== after.length) return undefined;
  const edited: Policy[] = [];
  for (const [i, policy] of after.entries()) {
    const was = before[i]!;
    if (was === policy) continue;
    if (keyOf(was) !== keyOf(policy)) return undefined;
    if (!isDeepStrictEqual(footprint(was), footprint(policy))) return undefined;
    edited.push(policy);
  }
  return edited;
};

/** The routes a policy targets (`kind/namespace/name` keys), or undefined for any other target. */
const routeTargets = (policy: Policy): string[] | undefined => {
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

export function policiesOnlyUpdate(
  previous: Translation,
  next: Resources,
  options: TranslateOptions | undefined,
  memo: IncrementalMemo,
): RoutesUpdate | undefined {
  const before = previous.resources;
  const edited: Policy[] = [];
  for (const kind of Object.keys(next) as (keyof Resources)[]) {
    const [was, now] = [before[kind] ?? [], next[kind] ?? []];
    if (was === now) continue;
    if (!(POLICY_COLLECTIONS as readonly string[]).includes(kind)) {
      if (was.length !== now.length || was.some((x, i) => x !== now[i])) return undefined;
      continue;
    }
    const found = editedPolicies(
      before[kind as PolicyCollection] as readonly Policy[],
      next[kind as PolicyCollection] as readonly Policy[],
    );
    if (found === undefined) return undefined;
    edited.push(...found);
  }
  if (edited.length === 0) return undefined;
  // As for route changes (routesOnly.ts): what the splice cannot update.
  if (next.listenerSets.length > 0 || next.backendTLSPolicies.length > 0) return undefined;
  const merges = (p: (typeof next.envoyProxies)[number]) =>
    (p.spec as { mergeGateways?: boolean } | undefined)?.mergeGateways === true;
  if (next.envoyProxies.some(merges)) return undefined;

  // The routes the edited policies target, as route "changes" to the same object.
  const http = routeIndex(memo, next.httpRoutes as Route[]);
  const grpc = routeIndex(memo, next.grpcRoutes as Route[]);
  if (http === undefined || grpc === undefined) return undefined;
  const changes = new Map<string, RouteChange>();
  const touched = new Set<string>();
  for (const policy of edited) {
    const keys = routeTargets(policy);
    if (keys === undefined) return undefined;
    for (const key of keys) {
      const route = http.get(key) ?? grpc.get(key);
      if (route === undefined || changes.has(key)) continue;
      const gateways = gatewaysOf(memo, route);
      if (gateways === undefined) return undefined;
      for (const g of gateways) touched.add(g);
      const kind = route.kind === 'HTTPRoute' ? 'httpRoutes' : 'grpcRoutes';
      changes.set(key, { kind, key, before: route, after: route });
    }
  }
  const routes = [...changes.values()].map((c) => c.after as Route);
  const spliced =
    changes.size === 0
      ? { ...previous, resources: next }
      : spliceRoutes(previous, next, [...changes.values()], touched, options, memo);
  // The spliced routes' statuses come from translating them alone: not when another route shares
  // their requests (RouteRulesOverlap), which the splice checks.
  if (spliced === undefined || spliced === 'overlaps') return undefined;

  // The edited policies' statuses, from what reaches their targets.
  const gateways = next.gateways.filter((g) =>
    touched.has(`${g.metadata.namespace ?? ''}/${g.metadata.name}`),
  );
  const reduced: Resources = { ...next, gateways };
  for (const kind of ROUTE_COLLECTIONS) (reduced[kind] as Route[]) = [];
  reduced.httpRoutes = routes.filter((r) => r.kind === 'HTTPRoute') as Resources['httpRoutes'];
  reduced.grpcRoutes = routes.filter((r) => r.kind === 'GRPCRoute') as Resources['grpcRoutes'];
  Object.assign(reduced, policiesReaching(memo, next, routes, gateways));
  const keys = new Set(edited.map(statusKey));
  const fresh: ResourceStatus[] = translatePolicyStatuses(reduced, options).filter((s) =>
    keys.has(statusKey(s)),
  );
  // A policy reaching nothing has a status in a full translation too (with no ancestors).
  if (fresh.length !== keys.size) return undefined;
  return { translation: withStatuses(spliced, fresh), touched, shared: true };
}
