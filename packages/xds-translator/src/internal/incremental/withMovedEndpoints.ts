// The Envoy resources of a fleet after an endpoint-only change: the clusters and
// ClusterLoadAssignments of the moved destinations built again (translateDestinations builds no
// listener or route) and swapped in by name; every other message is the one served before.
import { type Cluster, Cluster_DiscoveryType } from '@egts/envoy-api';
import type { RouteDestination, XdsIR } from '@egts/ir';
import { translateDestinations } from '../../translateDestinations.js';
import type { TranslateXdsOptions, XdsResources } from '../../xdsResources.js';
import type { XdsMemo } from '../xdsMemo.js';
import type { EndpointChanges } from './endpointChanges.js';

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
  // A destination the full translation leaves out (a mirror that sends nothing): start over.
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
 * Names of the clusters built from a destination with a moved setting: a destination's cluster
 * is named after it, or after each setting when they are split. Clusters and endpoints under
 * other names were built from unchanged settings and equal what is served.
 */
const movedClusters = (partial: XdsIR, moved: ReadonlySet<string>): Set<string> => {
  const names = new Set<string>();
  for (const destination of destinationsOf(partial)) {
    if (!destination.settings.some((setting) => moved.has(setting.name))) continue;
    names.add(destination.name);
    for (const setting of destination.settings) {
      names.add(setting.name);
      if (setting.cluster !== undefined) names.add(setting.cluster);
    }
  }
  return names;
};

/**
 * Whether a rebuilt cluster equals the served one: an EDS cluster holds no endpoints, and only
 * endpoints moved, so it always does; one with endpoints inline does unless its settings moved.
 * (Comparing messages in full cost more than the rest of an endpoint update.)
 */
const keepCluster = (moved: ReadonlySet<string>) => (old: Cluster, next: Cluster) =>
  (old.type === Cluster_DiscoveryType.EDS && next.type === Cluster_DiscoveryType.EDS) ||
  !moved.has(next.name);

/** `previous` with the moved destinations' clusters and endpoints replaced, or undefined. */
export const withMovedEndpoints = (
  previous: XdsResources,
  changes: EndpointChanges,
  options: TranslateXdsOptions,
  memo: XdsMemo,
): XdsResources | undefined => {
  if (changes.settings.size === 0) return previous;
  const changed = translateDestinations(changes.partial, options, memo, true);
  const rebuilt = movedClusters(changes.partial, changes.settings);
  const clusters = replaceByName(
    previous.clusters,
    changed.clusters,
    (c) => c.name,
    keepCluster(rebuilt),
  );
  const endpoints = replaceByName(
    previous.endpoints,
    changed.endpoints,
    (e) => e.clusterName,
    (_, next) => !rebuilt.has(next.clusterName),
  );
  if (clusters === undefined || endpoints === undefined) return undefined;
  return { ...previous, clusters, endpoints };
};
