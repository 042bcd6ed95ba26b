// Which routes changed between two inputs, in time proportional to the changes when the provider
// keeps unchanged objects (and their positions), as the file and Kubernetes providers do: a
// one-route edit must not cost a pass of string keys and deep comparisons over every route.
import { type Resources, ROUTE_COLLECTIONS, type RouteCollection } from '@egts/api';
import type { IncrementalMemo } from './incrementalMemo.js';
import { sameJson } from './sameJson.js';

export interface Route {
  kind: string;
  metadata: {
    name: string;
    namespace?: string | undefined | null;
    creationTimestamp?: string | undefined | null;
    labels?: unknown;
  };
  spec?: { parentRefs?: unknown[] | null | undefined } | undefined;
}

/** One added (no `before`), removed (no `after`) or edited route. */
export interface RouteChange {
  readonly kind: RouteCollection;
  /** `<kind in lower case>/<namespace>/<name>` (see routeKeyOf). */
  readonly key: string;
  readonly before?: Route | undefined;
  readonly after?: Route | undefined;
}

/** A route's key from its identity (an IR route's `source`, or the resource's own). */
export const routeKeyOf = (kind: string, namespace: string | null | undefined, name: string) =>
  `${kind.toLowerCase()}/${namespace ?? 'default'}/${name}`;

/** A status's key among the statuses of one translation: kind, namespace and name. */
export const statusKey = (s: {
  kind: string;
  metadata: { name: string; namespace?: string | null | undefined };
}) => `${s.kind}/${s.metadata.namespace ?? ''}/${s.metadata.name}`;

const routeKey = (route: Route): string =>
  routeKeyOf(route.kind, route.metadata.namespace, route.metadata.name);

/** Routes by key, once per array (memo.routeIndexes); undefined when two routes share a key. */
export const routeIndex = (
  memo: IncrementalMemo,
  routes: readonly Route[],
): ReadonlyMap<string, Route> | undefined => {
  const indexes = memo.routeIndexes;
  if (indexes.has(routes)) return indexes.get(routes);
  let index: Map<string, Route> | undefined = new Map();
  for (const route of routes) {
    const key = routeKey(route);
    if (index.has(key)) {
      index = undefined;
      break;
    }
    index.set(key, route);
  }
  indexes.set(routes, index);
  return index;
};

/** The changes of one kind, or undefined when either side has two routes with one key. */
const diffKind = (
  memo: IncrementalMemo,
  kind: RouteCollection,
  before: readonly Route[],
  after: readonly Route[],
): RouteChange[] | undefined => {
  const indexes = memo.routeIndexes;
  if (before === after) return routeIndex(memo, after) === undefined ? undefined : [];
  if (before.length === after.length) {
    const edits: RouteChange[] = [];
    const replaced: [string, Route][] = [];
    let aligned = true;
    for (let i = 0; i < after.length && aligned; i++) {
      const was = before[i]!;
      const now = after[i]!;
      if (was === now) continue;
      const key = routeKey(now);
      if (routeKey(was) !== key) aligned = false;
      else {
        replaced.push([key, now]);
        if (!sameJson(was, now)) edits.push({ kind, key, before: was, after: now });
      }
    }
    if (aligned) {
      if (!indexes.has(before)) return edits;
      // Same keys at the same positions: the index of `before`, updated, is the index of `after`.
      const index = indexes.get(before);
      if (index === undefined) return undefined; // duplicate keys
      for (const [key, route] of replaced) index.set(key, route);
      indexes.delete(before);
      indexes.set(after, index);
      return edits;
    }
  }
  // Routes added or removed (a new file, a deleted one): the arrays agree by identity at both
  // ends, and only what lies between is keyed and compared.
  routeIndex(memo, before);
  const old = indexes.get(before);
  if (old === undefined) return undefined; // duplicate keys
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let endBefore = before.length;
  let endAfter = after.length;
  while (endBefore > start && endAfter > start && before[endBefore - 1] === after[endAfter - 1]) {
    endBefore--;
    endAfter--;
  }
  const left = new Map<string, Route>();
  for (let i = start; i < endBefore; i++) left.set(routeKey(before[i]!), before[i]!);
  const entered = new Map<string, Route>();
  const changes: RouteChange[] = [];
  for (let i = start; i < endAfter; i++) {
    const route = after[i]!;
    const key = routeKey(route);
    // A key kept at either end, or twice in between: two routes of one key.
    if (entered.has(key) || (old.has(key) && !left.has(key))) return undefined;
    entered.set(key, route);
    const was = left.get(key);
    if (was === route || (was !== undefined && sameJson(was, route))) continue;
    changes.push({ kind, key, before: was, after: route });
  }
  for (const [key, was] of left) if (!entered.has(key)) changes.push({ kind, key, before: was });
  // The index of `before`, updated, is the index of `after`.
  for (const key of left.keys()) if (!entered.has(key)) old.delete(key);
  for (const [key, route] of entered) old.set(key, route);
  indexes.delete(before);
  indexes.set(after, old);
  return changes;
};

/** Every route change from `before` to `after`, or undefined when keys are not unique. */
export const diffRoutes = (
  memo: IncrementalMemo,
  before: Resources,
  after: Resources,
): RouteChange[] | undefined => {
  const changes: RouteChange[] = [];
  for (const kind of ROUTE_COLLECTIONS) {
    const found = diffKind(memo, kind, before[kind] as Route[], after[kind] as Route[]);
    if (found === undefined) return undefined;
    changes.push(...found);
  }
  return changes;
};
