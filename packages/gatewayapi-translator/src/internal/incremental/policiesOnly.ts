// Policy changes cost what they target (DESIGN.md "Cost follows change"). The footprint of a
// policy is what it targets and what it writes to the IR: when only policies targeting HTTPRoutes
// and GRPCRoutes change, the routes they target (before and after the change) are spliced again
// (spliceRoutes.ts: what a policy writes to a route's IR comes with that route's translation) and
// only the statuses that can move are computed again, from the Gateways, routes and policies that
// reach those targets:
// - an edit in place that keeps the footprint (targets, selectors, mergeType, age) moves no other
//   status: only the edited policies' statuses are computed again;
// - a policy added, removed or retargeted moves the claims (Conflicted) of the policies of its
//   kind on the same routes: theirs are computed again too. A policy of that kind that selects by
//   labels, or targets a Gateway of those routes, would see the change as well (its Overridden
//   or merged state follows the route policies under it): then, as for a policy targeting a
//   Gateway or listener itself, whose footprint is the whole Gateway, the caller translates
//   everything.
import {
  POLICY_COLLECTIONS,
  type PolicyCollection,
  type ResourceStatus,
  type Resources,
  ROUTE_COLLECTIONS,
} from '@egts/api';
import type { TranslateOptions } from '../../translate.js';
import type { IncrementalMemo } from './incrementalMemo.js';
import { type Policy, policyChanges, routeTargets, seesGateways } from './policyChanges.js';
import { policiesReaching } from './policyFootprint.js';
import { translatePolicyStatuses } from './policyStatuses.js';
import { type Route, type RouteChange, routeIndex, statusKey } from './routeDiff.js';
import { gatewaysOf, type RoutesUpdate, withStatuses } from './routesOnly.js';
import { spliceRoutes } from './spliceRoutes.js';
import type { Translation } from './translation.js';

export function policiesOnlyUpdate(
  previous: Translation,
  next: Resources,
  options: TranslateOptions | undefined,
  memo: IncrementalMemo,
): RoutesUpdate | undefined {
  const before = previous.resources;
  const edited: Policy[] = [];
  const moved: { before?: Policy; after?: Policy }[] = [];
  const movedKinds: PolicyCollection[] = [];
  for (const kind of Object.keys(next) as (keyof Resources)[]) {
    const [was, now] = [before[kind] ?? [], next[kind] ?? []];
    if (was === now) continue;
    if (!(POLICY_COLLECTIONS as readonly string[]).includes(kind)) {
      if (was.length !== now.length || was.some((x, i) => x !== now[i])) return undefined;
      continue;
    }
    const found = policyChanges(was as readonly Policy[], now as readonly Policy[]);
    if (found === undefined) return undefined;
    edited.push(...found.edited);
    moved.push(...found.moved);
    if (found.moved.length > 0) movedKinds.push(kind as PolicyCollection);
  }
  if (edited.length === 0 && moved.length === 0) return undefined;
  // As for route changes (routesOnly.ts): what the splice cannot update.
  if (next.listenerSets.length > 0 || next.backendTLSPolicies.length > 0) return undefined;
  const merges = (p: (typeof next.envoyProxies)[number]) =>
    (p.spec as { mergeGateways?: boolean } | undefined)?.mergeGateways === true;
  if (next.envoyProxies.some(merges)) return undefined;

  // The routes the changed policies target (before and after), as route "changes" to the same
  // object, and their Gateways.
  const http = routeIndex(memo, next.httpRoutes as Route[]);
  const grpc = routeIndex(memo, next.grpcRoutes as Route[]);
  if (http === undefined || grpc === undefined) return undefined;
  const changes = new Map<string, RouteChange>();
  const touched = new Set<string>();
  const target = (key: string): boolean => {
    const route = http.get(key) ?? grpc.get(key);
    if (route === undefined || changes.has(key)) return true;
    const gateways = gatewaysOf(memo, route);
    if (gateways === undefined) return false;
    for (const g of gateways) touched.add(g);
    const kind = route.kind === 'HTTPRoute' ? 'httpRoutes' : 'grpcRoutes';
    changes.set(key, { kind, key, before: route, after: route });
    return true;
  };
  const changed = [...edited, ...moved.flatMap((m) => [m.before, m.after].filter((p) => !!p))];
  for (const policy of changed as Policy[]) {
    const keys = routeTargets(policy);
    if (keys === undefined || !keys.every(target)) return undefined;
  }

  // Statuses to compute again: the changed policies', and with added, removed or retargeted
  // ones those of every policy of their kind on the same routes (claims move).
  const recompute = new Set<Policy>(moved.flatMap((m) => (m.after ? [m.after] : [])));
  for (const p of edited) recompute.add(p);
  for (const kind of movedKinds) {
    for (const policy of next[kind] as readonly Policy[]) {
      const keys = routeTargets(policy);
      if (keys === undefined) {
        if (seesGateways(policy, touched)) return undefined;
      } else if (keys.some((key) => changes.has(key))) recompute.add(policy);
    }
  }
  // Their targets all in the translation that computes them (their ancestors are all of them).
  const statusRoutes = new Map<string, Route>();
  for (const policy of recompute) {
    for (const key of routeTargets(policy) ?? []) {
      const route = http.get(key) ?? grpc.get(key);
      if (route === undefined) continue;
      if (gatewaysOf(memo, route) === undefined) return undefined;
      statusRoutes.set(key, route);
    }
  }
  const routes = [...statusRoutes.values()];
  const statusGateways = new Set(touched);
  for (const route of routes) for (const g of gatewaysOf(memo, route) ?? []) statusGateways.add(g);

  const spliced =
    changes.size === 0
      ? { ...previous, resources: next }
      : spliceRoutes(previous, next, [...changes.values()], touched, options, memo);
  // The spliced routes' statuses come from translating them alone: not when another route shares
  // their requests (RouteRulesOverlap), which the splice checks.
  if (spliced === undefined || spliced === 'overlaps') return undefined;

  const gateways = next.gateways.filter((g) =>
    statusGateways.has(`${g.metadata.namespace ?? ''}/${g.metadata.name}`),
  );
  const reduced: Resources = { ...next, gateways };
  for (const kind of ROUTE_COLLECTIONS) (reduced[kind] as Route[]) = [];
  reduced.httpRoutes = routes.filter((r) => r.kind === 'HTTPRoute') as Resources['httpRoutes'];
  reduced.grpcRoutes = routes.filter((r) => r.kind === 'GRPCRoute') as Resources['grpcRoutes'];
  Object.assign(reduced, policiesReaching(memo, next, routes, gateways));
  // Those whose every target an older policy claimed are left out of reduced translations (they
  // write nothing); their own statuses (Conflicted) are wanted here.
  for (const kind of POLICY_COLLECTIONS) {
    const kept = new Set<object>(reduced[kind]);
    const all = next[kind] as readonly Policy[];
    if (all.some((p) => recompute.has(p) && !kept.has(p)))
      (reduced[kind] as readonly Policy[]) = all.filter((p) => kept.has(p) || recompute.has(p));
  }
  const keys = new Set([...recompute].map(statusKey));
  const fresh: ResourceStatus[] = translatePolicyStatuses(reduced, options, memo.lookups).filter(
    (s) => keys.has(statusKey(s)),
  );
  // A policy reaching nothing has a status in a full translation too (with no ancestors).
  if (fresh.length !== keys.size) return undefined;
  const gone = new Set(moved.flatMap((m) => (m.before && !m.after ? [statusKey(m.before)] : [])));
  const translation = withStatuses(spliced, fresh, memo);
  const statuses = gone.size
    ? translation.statuses.filter((s) => !gone.has(statusKey(s)))
    : translation.statuses;
  return { translation: { ...translation, statuses }, touched, shared: true };
}
