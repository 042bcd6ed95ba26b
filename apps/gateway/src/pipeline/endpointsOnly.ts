// Endpoint-only changes as an EDS-only push (DESIGN.md "Cost follows change"): when nothing but
// EndpointSlices changed, only the routes that reach the changed Services are translated again (by
// the translator itself, on an input reduced to them), and only their clusters' endpoints are
// replaced (translateDestinations builds no listener or route); every other Envoy message object
// is reused, so the xDS server's per-object hash hits.
// Anything this cannot prove equivalent to a full translation returns undefined: translate it all.
import { isDeepStrictEqual } from 'node:util';
import type { Resources } from '@egts/api';
import { type Cluster, Cluster_DiscoveryType } from '@egts/envoy-api';
import { type ResourceStatus, type TranslateOptions, translate } from '@egts/gatewayapi-translator';
import type { DestinationSetting, InfraIR, RouteDestination, XdsIR } from '@egts/ir';
import { translateDestinations, type XdsResources } from '@egts/xds-translator';
import { ROUTE_KINDS } from './routeDiff.js';

/** The last full translation (or an update of it) and what was served from it. */
export interface Translation {
  readonly resources: Resources;
  readonly infraIR: InfraIR;
  readonly xdsIR: readonly XdsIR[];
  readonly statuses: readonly ResourceStatus[];
}

export interface EndpointsUpdate {
  /** Every Gateway's IR; the patched ones are new objects, the rest the previous objects. */
  readonly xdsIR: XdsIR[];
  /** xDS resources of the patched Gateways, unchanged messages reused. */
  readonly xds: ReadonlyMap<string, XdsResources>;
}

/** Envoy Gateway's policy kinds: their statuses can follow routes through scopes and targets. */
export const POLICY_KINDS = [
  'clientTrafficPolicies',
  'backendTrafficPolicies',
  'securityPolicies',
  'envoyExtensionPolicies',
  'envoyPatchPolicies',
] as const;
const SERVICE_LABELS = ['kubernetes.io/service-name', 'multicluster.kubernetes.io/service-name'];

interface Meta {
  metadata: { name: string; namespace?: string | undefined | null; labels?: unknown };
}
const keyOf = (o: Meta) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

const sameElement = (a: unknown, b: unknown) => a === b || isDeepStrictEqual(a, b);

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
const referenced = new WeakMap<object, Set<string>>();
const referencesOf = (route: Meta & { spec?: unknown }): Set<string> => {
  let refs = referenced.get(route);
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
  referenced.set(route, refs);
  return refs;
};

/** Positions of the routes of an array by each `namespace/name` they name, once per array. */
const referenceIndexes = new WeakMap<readonly object[], Map<string, number[]>>();
const referenceIndex = (routes: readonly (Meta & { spec?: unknown })[]) => {
  let index = referenceIndexes.get(routes);
  if (index === undefined) {
    index = new Map();
    for (const [i, route] of routes.entries()) {
      for (const ref of referencesOf(route)) {
        const positions = index.get(ref) ?? [];
        positions.push(i);
        index.set(ref, positions);
      }
    }
    referenceIndexes.set(routes, index);
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

type Path = readonly (string | number)[];

/** Where each destination setting sits in an IR (names to paths), found once per IR object. */
const settingPaths = new WeakMap<object, ReadonlyMap<string, readonly Path[]>>();

/** Indexes the settings of a full translation's IR, so endpoint updates never walk all of it. */
export const indexSettings = (ir: XdsIR): ReadonlyMap<string, readonly Path[]> => {
  let paths = settingPaths.get(ir);
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
  settingPaths.set(ir, paths);
  return paths;
};

/**
 * A copy of `ir` with the settings named in `replace` swapped in (copy on write along their
 * paths; everything else is shared), the names of those whose endpoints changed added to `moved`.
 * Undefined when a setting is unknown or differs in more than its endpoints.
 */
const patch = (
  ir: XdsIR,
  replace: ReadonlyMap<string, DestinationSetting>,
  moved: Set<string>,
): XdsIR | undefined => {
  const paths = indexSettings(ir);
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
      if (!isDeepStrictEqual({ ...old, endpoints: [] }, { ...next, endpoints: [] }))
        return undefined;
      if (isDeepStrictEqual(old.endpoints, next.endpoints)) continue;
      moved.add(name);
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
  settingPaths.set(root, paths); // same shape, same paths
  return root;
};

/** `previous` messages with those of `changed` swapped in by name, but for those `same` keeps. */
const replaceByName = <T>(
  previous: readonly T[],
  changed: readonly T[],
  nameOf: (t: T) => string,
  same: (old: T, next: T) => boolean,
): T[] | undefined => {
  const byName = new Map(changed.map((t) => [nameOf(t), t]));
  let replaced = 0;
  let different = false;
  const out = previous.map((old) => {
    const next = byName.get(nameOf(old));
    if (next === undefined) return old;
    replaced++;
    if (same(old, next)) return old;
    different = true;
    return next;
  });
  if (replaced !== byName.size) return undefined;
  // The same array when nothing changed: the xDS server reuses its index of it.
  return different ? out : (previous as T[]);
};

/** Every destination of an IR: routes', mirrors', TCP and UDP routes'. */
const destinationsOf = (ir: XdsIR): RouteDestination[] => [
  ...ir.http.flatMap((l) =>
    l.routes.flatMap((r) => [
      ...(r.destination === undefined ? [] : [r.destination]),
      ...r.mirrors.map((m) => m.destination),
    ]),
  ),
  ...ir.tcp.flatMap((l) => l.routes.map((r) => r.destination)),
  ...ir.udp.flatMap((l) => (l.route === undefined ? [] : [l.route.destination])),
];

/**
 * Names of the clusters built from a destination with a setting in `moved`: the xds-translator
 * names a destination's cluster after it, or after each setting when it splits them. Clusters
 * and endpoints under other names were built from unchanged settings and equal what is served.
 */
const movedClusters = (partial: XdsIR, moved: ReadonlySet<string>): Set<string> => {
  const names = new Set<string>();
  for (const destination of destinationsOf(partial)) {
    if (!destination.settings.some((setting) => moved.has(setting.name))) continue;
    names.add(destination.name);
    for (const setting of destination.settings) names.add(setting.name);
  }
  return names;
};

/**
 * Whether a rebuilt cluster equals the served one: an EDS cluster holds no endpoints, and patch()
 * let through only settings that differ in their endpoints alone, so it always does; one with
 * endpoints inline does unless its settings moved. (Comparing messages in full cost more than the
 * rest of an endpoint update.)
 */
const keepCluster = (moved: ReadonlySet<string>) => (old: Cluster, next: Cluster) =>
  (old.type === Cluster_DiscoveryType.EDS && next.type === Cluster_DiscoveryType.EDS) ||
  !moved.has(next.name);

const statusKey = (s: ResourceStatus) =>
  `${s.kind}/${s.metadata.namespace ?? ''}/${s.metadata.name}`;
const statusIndex = new WeakMap<readonly ResourceStatus[], Map<string, ResourceStatus>>();
const indexStatuses = (statuses: readonly ResourceStatus[]) => {
  let index = statusIndex.get(statuses);
  if (index === undefined) {
    index = new Map(statuses.map((s) => [statusKey(s), s]));
    statusIndex.set(statuses, index);
  }
  return index;
};

/**
 * The update for `next` when it differs from `previous.resources` in EndpointSlices only, or
 * undefined when a full translation is needed. `served` holds each Gateway's current xDS resources.
 */
export function endpointsOnlyUpdate(
  previous: Translation,
  next: Resources,
  served: ReadonlyMap<string, XdsResources>,
  options: TranslateOptions | undefined,
): EndpointsUpdate | undefined {
  const before = previous.resources;
  for (const kind of Object.keys(next) as (keyof Resources)[]) {
    if (kind === 'endpointSlices') continue;
    if (!sameList(before[kind] ?? [], next[kind] ?? [])) return undefined;
  }
  const unchanged = { xdsIR: [...previous.xdsIR], xds: new Map() };
  const services = changedServices(before.endpointSlices, next.endpointSlices);
  if (services.size === 0) return unchanged;

  const reduced: Resources = { ...next };
  let affected = 0;
  for (const kind of ROUTE_KINDS) {
    const routes = next[kind] as (Meta & { spec?: unknown })[];
    const index = referenceIndex(routes);
    const positions = new Set<number>();
    for (const service of services) for (const i of index.get(service) ?? []) positions.add(i);
    // In input order, as a full translation sees them.
    (reduced[kind] as unknown[]) = [...positions].sort((a, b) => a - b).map((i) => routes[i]);
    affected += positions.size;
  }
  if (affected === 0) return unchanged;
  for (const kind of POLICY_KINDS) (reduced[kind] as unknown[]) = [];

  const result = translate(reduced, options);
  // Endpoints can change route conditions (BackendsAvailable): then statuses need the full run.
  const statuses = indexStatuses(previous.statuses);
  for (const status of result.statuses) {
    if (!status.kind.endsWith('Route')) continue;
    if (!isDeepStrictEqual(statuses.get(statusKey(status)), status)) return undefined;
  }

  const xdsIR: XdsIR[] = [];
  const xds = new Map<string, XdsResources>();
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
    const moved = new Set<string>();
    const patched = patch(ir, settings, moved);
    if (patched === undefined) return undefined;
    xdsIR.push(patched);
    if (patched === ir) continue;
    const current = served.get(ir.name);
    if (current === undefined) return undefined;
    const changed = translateDestinations(partial, { mode: 'ads' });
    const rebuilt = movedClusters(partial, moved);
    const clusters = replaceByName(
      current.clusters,
      changed.clusters,
      (c) => c.name,
      keepCluster(rebuilt),
    );
    const endpoints = replaceByName(
      current.endpoints,
      changed.endpoints,
      (e) => e.clusterName,
      (_, next) => !rebuilt.has(next.clusterName),
    );
    if (clusters === undefined || endpoints === undefined) return undefined;
    xds.set(ir.name, { ...current, clusters, endpoints });
  }
  // A Gateway the reduced input served that the full one did not: not an endpoint-only change.
  if (reducedByName.size > 0) return undefined;
  return { xdsIR, xds };
}
