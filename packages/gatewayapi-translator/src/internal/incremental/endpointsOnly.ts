// Endpoint-only changes (DESIGN.md "Cost follows change"): when nothing but EndpointSlices
// changed, only the routes that reach the changed Services are translated again (on an input
// reduced to them), and their destination settings are swapped into the previous IR, copy on
// write along their paths, every other object shared. The xds-translator then sees that only
// endpoints moved and rebuilds only those.
// Anything this cannot prove equivalent to a full translation returns undefined: translate it all.
import { type ResourceStatus, type Resources, ROUTE_COLLECTIONS } from '@egts/api';
import type { DestinationSetting, XdsIR } from '@egts/ir';
import { type TranslateOptions, translateWith } from '../../translate.js';
import type { IncrementalMemo, SettingPath } from './incrementalMemo.js';
import { policiesReaching } from './policyFootprint.js';
import { type Route, statusKey } from './routeDiff.js';
import { gatewaysOf } from './routesOnly.js';
import { sameJson } from './sameJson.js';
import type { Translation } from './translation.js';

const SERVICE_LABELS = ['kubernetes.io/service-name', 'multicluster.kubernetes.io/service-name'];

interface Meta {
  metadata: { name: string; namespace?: string | undefined | null; labels?: unknown };
}
const keyOf = (o: Meta) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

const sameElement = (a: unknown, b: unknown) => a === b || sameJson(a, b);

const sameList = (a: readonly unknown[], b: readonly unknown[]) =>
  a === b || (a.length === b.length && a.every((x, i) => sameElement(x, b[i])));

/** `namespace/name` of the Services the changed EndpointSlices belong to (before and after). */
const changedServices = (before: readonly Meta[], after: readonly Meta[]): Set<string> => {
  const old = new Map(before.map((s) => [keyOf(s), s]));
  const changed: Meta[] = [];
  for (const slice of after) {
    const previous = old.get(keyOf(slice));
    old.delete(keyOf(slice));
    if (previous === undefined || !sameElement(previous, slice)) {
      changed.push(slice);
      if (previous !== undefined) changed.push(previous);
    }
  }
  changed.push(...old.values()); // deleted
  const services = new Set<string>();
  for (const slice of changed) {
    const labels = (slice.metadata.labels ?? {}) as Record<string, string>;
    for (const label of SERVICE_LABELS) {
      if (labels[label] !== undefined)
        services.add(`${slice.metadata.namespace ?? ''}/${labels[label]}`);
    }
  }
  return services;
};

/** Every `{name, namespace?}` a route's rules name (backendRefs, mirrors...), as `namespace/name`. */
const referencesOf = (memo: IncrementalMemo, route: Meta & { spec?: unknown }): Set<string> => {
  let refs = memo.referenced.get(route);
  if (refs !== undefined) return refs;
  refs = new Set();
  const namespace = route.metadata.namespace ?? '';
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const v of value) walk(v);
    } else if (value !== null && typeof value === 'object') {
      const o = value as Record<string, unknown>;
      if (typeof o.name === 'string') {
        refs!.add(`${typeof o.namespace === 'string' ? o.namespace : namespace}/${o.name}`);
      }
      for (const v of Object.values(o)) walk(v);
    }
  };
  walk((route.spec as { rules?: unknown } | undefined)?.rules);
  memo.referenced.set(route, refs);
  return refs;
};

/** Positions of the routes of an array by each `namespace/name` they name, once per array. */
const referenceIndex = (memo: IncrementalMemo, routes: readonly (Meta & { spec?: unknown })[]) => {
  let index = memo.referenceIndexes.get(routes);
  if (index === undefined) {
    index = new Map();
    for (const [i, route] of routes.entries()) {
      for (const ref of referencesOf(memo, route)) {
        const positions = index.get(ref) ?? [];
        positions.push(i);
        index.set(ref, positions);
      }
    }
    memo.referenceIndexes.set(routes, index);
  }
  return index;
};

const isSetting = (value: object): value is DestinationSetting =>
  'addressType' in value &&
  'endpoints' in value &&
  typeof (value as { name?: unknown }).name === 'string';

/** Destination settings of an IR, by name. */
const settingsOf = (ir: unknown, into: Map<string, DestinationSetting>): void => {
  if (Array.isArray(ir)) {
    for (const v of ir) settingsOf(v, into);
  } else if (ir !== null && typeof ir === 'object') {
    if (isSetting(ir)) into.set(ir.name, ir);
    else for (const v of Object.values(ir)) settingsOf(v, into);
  }
};

type Path = SettingPath;

/**
 * Where each destination setting sits in an IR (names to paths), found once per IR object:
 * indexing a full translation's IR up front means endpoint updates never walk all of it.
 */
export const indexSettings = (
  memo: IncrementalMemo,
  ir: XdsIR,
): ReadonlyMap<string, readonly Path[]> => {
  let paths = memo.settingPaths.get(ir);
  if (paths !== undefined) return paths;
  const found = new Map<string, Path[]>();
  const path: (string | number)[] = [];
  const walk = (value: object): void => {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const v: unknown = value[i];
        if (v === null || typeof v !== 'object') continue;
        path.push(i);
        walk(v);
        path.pop();
      }
    } else if (isSetting(value)) {
      const list = found.get(value.name) ?? [];
      list.push([...path]);
      found.set(value.name, list);
    } else {
      for (const key in value) {
        const v: unknown = (value as Record<string, unknown>)[key];
        if (v === null || typeof v !== 'object') continue;
        path.push(key);
        walk(v);
        path.pop();
      }
    }
  };
  walk(ir);
  paths = found;
  memo.settingPaths.set(ir, paths);
  return paths;
};

/**
 * A copy of `ir` with the settings named in `replace` swapped in (copy on write along their
 * paths; everything else is shared). Undefined when a setting is unknown or differs in more than
 * its endpoints.
 */
const patch = (
  memo: IncrementalMemo,
  ir: XdsIR,
  replace: ReadonlyMap<string, DestinationSetting>,
): XdsIR | undefined => {
  const paths = indexSettings(memo, ir);
  const copies = new Map<object, Record<string | number, unknown>>();
  const copyOf = (o: object): Record<string | number, unknown> => {
    let copy = copies.get(o);
    if (copy === undefined) {
      copy = (Array.isArray(o) ? [...o] : { ...o }) as Record<string | number, unknown>;
      copies.set(o, copy);
    }
    return copy;
  };
  for (const [name, next] of replace) {
    const where = paths.get(name);
    if (where === undefined) return undefined;
    for (const path of where) {
      // Walk down the original, remembering each parent's copy.
      const originals: object[] = [ir];
      for (const step of path.slice(0, -1)) {
        originals.push(
          (originals[originals.length - 1] as Record<string | number, unknown>)[step] as object,
        );
      }
      const old = (originals[originals.length - 1] as Record<string | number, unknown>)[
        path[path.length - 1]!
      ] as DestinationSetting;
      // A shared cluster (`cluster`) is decided again on the whole IR (createTranslator).
      if (
        !sameJson(
          { ...old, endpoints: [], cluster: undefined },
          { ...next, endpoints: [], cluster: undefined },
        )
      )
        return undefined;
      if (sameJson(old.endpoints, next.endpoints)) continue;
      let child: unknown = next;
      for (let depth = path.length - 1; depth >= 0; depth--) {
        const parent = copyOf(originals[depth]!);
        parent[path[depth]!] = child;
        child = parent;
      }
    }
  }
  const root = copies.get(ir) as XdsIR | undefined;
  if (root === undefined) return ir;
  memo.settingPaths.set(root, paths); // same shape, same paths
  return root;
};

const indexStatuses = (memo: IncrementalMemo, statuses: readonly ResourceStatus[]) => {
  let index = memo.statusesByKey.get(statuses);
  if (index === undefined) {
    index = new Map(statuses.map((s) => [statusKey(s), s]));
    memo.statusesByKey.set(statuses, index);
  }
  return index;
};

/**
 * Every Gateway's IR for `next` when it differs from `previous.resources` in EndpointSlices only
 * (the patched ones new objects, the rest the previous ones), or undefined when a full
 * translation is needed.
 */
export function endpointsOnlyUpdate(
  previous: Translation,
  next: Resources,
  options: TranslateOptions | undefined,
  memo: IncrementalMemo,
): XdsIR[] | undefined {
  const before = previous.resources;
  for (const kind of Object.keys(next) as (keyof Resources)[]) {
    if (kind === 'endpointSlices') continue;
    if (!sameList(before[kind] ?? [], next[kind] ?? [])) return undefined;
  }
  const services = changedServices(before.endpointSlices, next.endpointSlices);
  if (services.size === 0) return [...previous.xdsIR];
  // A proxy Service's endpoints are its fleet's local cluster (proxyLocalCluster.ts), which no
  // route names: translate it all.
  const proxies = options?.proxyLocality?.serviceNamespace;
  if (proxies !== undefined && [...services].some((s) => s.startsWith(`${proxies}/`)))
    return undefined;

  const reduced: Resources = { ...next };
  let affected = 0;
  for (const kind of ROUTE_COLLECTIONS) {
    const routes = next[kind] as (Meta & { spec?: unknown })[];
    const index = referenceIndex(memo, routes);
    const positions = new Set<number>();
    for (const service of services) for (const i of index.get(service) ?? []) positions.add(i);
    // In input order, as a full translation sees them.
    (reduced[kind] as unknown[]) = [...positions].sort((a, b) => a - b).map((i) => routes[i]);
    affected += positions.size;
  }
  if (affected === 0) return [...previous.xdsIR];
  const routes = ROUTE_COLLECTIONS.flatMap((kind) => reduced[kind] as Meta[] as Route[]);
  // Only the Gateways these routes name: the others' IR keeps every object. (A route naming
  // another parent kind keeps them all.)
  const named = new Set<string>();
  for (const route of routes) {
    const gateways = gatewaysOf(memo, route);
    if (gateways === undefined) {
      named.clear();
      break;
    }
    for (const gateway of gateways) named.add(gateway);
  }
  if (named.size > 0) {
    reduced.gateways = next.gateways.filter((g) =>
      named.has(`${g.metadata.namespace ?? ''}/${g.metadata.name}`),
    );
  }
  // Only the policies that reach these routes and Gateways can write to their IR.
  Object.assign(reduced, policiesReaching(memo, next, routes, reduced.gateways));

  const result = translateWith(reduced, options, memo.lookups);
  // Endpoints can change route conditions (BackendsAvailable): then statuses need the full run.
  const statuses = indexStatuses(memo, previous.statuses);
  for (const status of result.statuses) {
    if (!status.kind.endsWith('Route')) continue;
    if (!sameJson(statuses.get(statusKey(status)), status)) return undefined;
  }

  const xdsIR: XdsIR[] = [];
  const reducedByName = new Map(result.xdsIR.map((ir) => [ir.name, ir]));
  for (const ir of previous.xdsIR) {
    const partial = reducedByName.get(ir.name);
    reducedByName.delete(ir.name);
    if (partial === undefined) {
      xdsIR.push(ir);
      continue;
    }
    const settings = new Map<string, DestinationSetting>();
    settingsOf(partial, settings);
    const patched = patch(memo, ir, settings);
    if (patched === undefined) return undefined;
    xdsIR.push(patched);
  }
  // A Gateway the reduced input served that the full one did not: not an endpoint-only change.
  if (reducedByName.size > 0) return undefined;
  return xdsIR;
}
