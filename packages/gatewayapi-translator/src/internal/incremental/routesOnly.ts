// Route-only changes re-translate only what they touch (DESIGN.md "Cost follows change"). HTTP
// and gRPC route changes are spliced into the previous output (spliceRoutes.ts). Otherwise the
// translator runs on an input reduced to the Gateways the changed routes name (before and after)
// and every route attached to those, and its output replaces theirs. Either way other Gateways keep
// their IR objects, so they cost nothing downstream. A policy's footprint is what it targets and
// what it writes to the IR: every reduced translation keeps every policy, so what a policy writes
// to a route comes with that route's translation; the policies' statuses are kept when the change
// is one they cannot see, else computed again without translating any rule. Returns undefined
// whenever that cannot equal a full translation: translate everything then.
import {
  POLICY_COLLECTIONS,
  type ResourceStatus,
  type Resources,
  ROUTE_COLLECTIONS,
} from '@egts/api';
import type { XdsIR } from '@egts/ir';
import { type TranslateOptions, translateWith } from '../../translate.js';
import type { IncrementalMemo } from './incrementalMemo.js';
import { overlapsMove } from './overlapsMove.js';
import { footprintsKept, policiesReaching } from './policyFootprint.js';
import { translatePolicyStatuses } from './policyStatuses.js';
import { diffRoutes, type Route, statusKey } from './routeDiff.js';
import { sameJson } from './sameJson.js';
import { spliceRoutes } from './spliceRoutes.js';
import type { Translation } from './translation.js';

const keyOf = (r: Route) => `${r.kind}/${r.metadata.namespace ?? ''}/${r.metadata.name}`;

/** `namespace/name` of the Gateways a route names; undefined when it names any other parent kind. */
export const gatewaysOf = (memo: IncrementalMemo, route: Route): readonly string[] | undefined => {
  const parents = memo.parentGateways;
  if (parents.has(route)) return parents.get(route);
  let keys: string[] | undefined = [];
  for (const ref of (route.spec?.parentRefs ?? []) as Array<Record<string, unknown>>) {
    const group = (ref.group as string | undefined) ?? 'gateway.networking.k8s.io';
    const kind = (ref.kind as string | undefined) ?? 'Gateway';
    if (group !== 'gateway.networking.k8s.io' || kind !== 'Gateway') {
      keys = undefined;
      break;
    }
    keys.push(
      `${(ref.namespace as string | undefined) ?? route.metadata.namespace ?? ''}/${ref.name}`,
    );
  }
  parents.set(route, keys);
  return keys;
};

const sameList = (a: readonly unknown[], b: readonly unknown[]) =>
  a === b || (a.length === b.length && a.every((x, i) => x === b[i] || sameJson(x, b[i])));

export interface RoutesUpdate {
  readonly translation: Translation;
  /** The Gateways (fleet names) translated again. */
  readonly touched: ReadonlySet<string>;
  /** The IR already shares every unchanged object with the previous translation's. */
  readonly shared: boolean;
}

export function routesOnlyUpdate(
  previous: Translation,
  next: Resources,
  options: TranslateOptions | undefined,
  memo: IncrementalMemo,
): RoutesUpdate | undefined {
  const before = previous.resources;
  for (const kind of Object.keys(next) as (keyof Resources)[]) {
    if ((ROUTE_COLLECTIONS as readonly string[]).includes(kind)) continue;
    if (!sameList(before[kind] ?? [], next[kind] ?? [])) return undefined;
  }
  // A BackendTLSPolicy's ancestors are the Gateways of every route using its backend: a route
  // change can move them, and neither path below recomputes that status.
  if (next.listenerSets.length > 0 || next.backendTLSPolicies.length > 0) return undefined;
  // Merged Gateways share a fleet, which the paths below (one fleet per Gateway) cannot update.
  const merges = (p: (typeof next.envoyProxies)[number]) =>
    (p.spec as { mergeGateways?: boolean } | undefined)?.mergeGateways === true;
  if (next.envoyProxies.some(merges)) return undefined;
  const policies = POLICY_COLLECTIONS.some((kind) => next[kind].length > 0);

  // Changed routes (added, removed or edited), and the Gateways they name before and after.
  const changes = diffRoutes(memo, before, next);
  if (changes === undefined) return undefined;
  const touched = new Set<string>();
  const changed = new Set<string>();
  for (const change of changes) {
    for (const route of [change.before, change.after]) {
      if (route === undefined) continue;
      const gateways = gatewaysOf(memo, route);
      if (gateways === undefined) return undefined;
      for (const g of gateways) touched.add(g);
      changed.add(keyOf(route));
    }
  }
  if (changes.length === 0) {
    return { translation: { ...previous, resources: next }, touched, shared: true };
  }
  // Policy statuses are kept as they were (see routeFootprint), or computed again alone.
  const policiesMoved = policies && !footprintsKept(changes);
  // Other routes' statuses can depend on the changed ones (RouteRulesOverlap): the splice
  // checks that as it goes, a reduced translation after.
  const spliced = spliceRoutes(previous, next, changes, touched, options, memo);
  if (spliced === 'overlaps') return undefined;
  let update: RoutesUpdate | undefined;
  if (spliced === undefined) {
    update = reducedUpdate(previous, next, touched, changed, options, memo);
    if (update === undefined) return undefined;
    const routes = changes.map((c) => {
      const { kind, metadata } = (c.after ?? c.before)!;
      return { kind, namespace: metadata.namespace ?? 'default', name: metadata.name };
    });
    if (overlapsMove(previous.xdsIR, update.translation.xdsIR, touched, routes)) return undefined;
  } else {
    update = { translation: spliced, touched, shared: true };
  }
  if (!policiesMoved) return update;
  const translation = withStatuses(
    update.translation,
    translatePolicyStatuses(next, options, memo.lookups),
    memo,
  );
  return { ...update, translation };
}

/** `translation` with the statuses of `fresh` in place of those of the same resources. */
export const withStatuses = (
  translation: Translation,
  fresh: readonly ResourceStatus[],
  memo: IncrementalMemo,
): Translation => {
  const byKey = new Map(fresh.map((s) => [statusKey(s), s]));
  const kinds = new Set(fresh.map((s) => s.kind));
  const statuses = translation.statuses.map((status) => {
    if (!kinds.has(status.kind)) return status;
    const key = statusKey(status);
    const now = byKey.get(key);
    byKey.delete(key);
    return now ?? status;
  });
  // Nothing appended: every status keeps its position, and so does the index of positions the
  // next splice looks statuses up in (built over every status, it is not built again). It moves
  // on: one list owns it, so a splice may update it (spliceRoutes.ts).
  const positions = memo.statusPositions.get(translation.statuses);
  if (byKey.size === 0 && positions !== undefined) {
    memo.statusPositions.delete(translation.statuses);
    memo.statusPositions.set(statuses, positions);
  }
  statuses.push(...byKey.values());
  return { ...translation, statuses };
};

/** The touched Gateways translated again with every route attached to them. */
function reducedUpdate(
  previous: Translation,
  next: Resources,
  touched: ReadonlySet<string>,
  changed: ReadonlySet<string>,
  options: TranslateOptions | undefined,
  memo: IncrementalMemo,
): RoutesUpdate | undefined {
  // The policies that reach these routes and Gateways stay in: what they write to the IR comes
  // with this translation. Their statuses from this run are not used (see withStatuses).
  const reduced: Resources = {
    ...next,
    gateways: next.gateways.filter((g) =>
      touched.has(`${g.metadata.namespace ?? ''}/${g.metadata.name}`),
    ),
  };
  for (const kind of ROUTE_COLLECTIONS) {
    (reduced[kind] as Route[]) = (next[kind] as Route[]).filter((route) => {
      const gateways = gatewaysOf(memo, route);
      return gateways === undefined || gateways.some((g) => touched.has(g));
    });
  }
  const routes = ROUTE_COLLECTIONS.flatMap((kind) => reduced[kind] as Route[]);
  Object.assign(reduced, policiesReaching(memo, next, routes, reduced.gateways));
  const result = translateWith(reduced, options, memo.lookups);

  // Fleets: one per Gateway (merged ones were refused above), named `<namespace>/<gateway>`.
  const fresh = new Map(result.xdsIR.map((ir) => [ir.name, ir]));
  for (const name of fresh.keys()) if (!touched.has(name)) return undefined;
  const xdsIR: XdsIR[] = [
    ...previous.xdsIR.filter((ir) => !touched.has(ir.name)),
    ...result.xdsIR,
  ].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const proxies = [
    ...previous.infraIR.proxies.filter((p) => !touched.has(p.name)),
    ...result.infraIR.proxies,
  ].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  // Statuses: the touched Gateways' and the changed routes' from the reduced run; others as before.
  const replaced = new Map<string, ResourceStatus>();
  for (const status of result.statuses) {
    const key = statusKey(status);
    const gateway = `${status.metadata.namespace ?? ''}/${status.metadata.name}`;
    if ((status.kind === 'Gateway' && touched.has(gateway)) || changed.has(key)) {
      replaced.set(key, status);
    }
  }
  const statuses: ResourceStatus[] = [];
  for (const status of previous.statuses) {
    const key = statusKey(status);
    if (changed.has(key) || (status.kind === 'Gateway' && replaced.has(key))) {
      const now = replaced.get(key);
      replaced.delete(key);
      if (now !== undefined) statuses.push(now);
    } else {
      statuses.push(status);
    }
  }
  statuses.push(...replaced.values()); // new routes (order may differ from a full run's)
  return {
    translation: { resources: next, xdsIR, infraIR: { ...previous.infraIR, proxies }, statuses },
    touched,
    shared: false,
  };
}
