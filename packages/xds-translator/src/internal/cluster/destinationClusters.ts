// Route destinations -> clusters: one cluster for the destination, or one per backend group when
// traffic is split by weight or a backend has its own header filters (Envoy weighted_clusters).
import type { DestinationSetting, RouteDestination } from '@egts/ir';
import type { ResourceSet } from '../resourceSet.js';
import { addCluster } from './buildCluster.js';

/** How a route reaches its destination. */
export type DestinationTarget =
  | { readonly kind: 'cluster'; readonly cluster: string }
  | {
      readonly kind: 'weighted';
      readonly clusters: readonly { name: string; weight: number; setting: DestinationSetting }[];
      /** Share (by weight) of invalid backendRefs, which must not reach any cluster. */
      readonly invalidWeight: number;
      /** Some clusters are shared with other routes (EnvoyProxy `mergeBackends`). */
      readonly shared?: boolean;
    }
  /** No backend may take traffic (none valid, or every weight 0). */
  | { readonly kind: 'none' };

export interface DestinationOptions {
  /** One cluster even for several groups (locality-weighted): for mirrors and UDP, which take one cluster. */
  readonly single?: boolean;
}

/** Whether a backend has filters of its own (backendRef filters): it needs its own cluster entry. */
export const hasBackendFilters = (setting: DestinationSetting): boolean =>
  setting.requestHeaders !== undefined ||
  setting.responseHeaders !== undefined ||
  setting.hostRewrite !== undefined ||
  setting.credentialInjection !== undefined;

const takesTraffic = (setting: DestinationSetting): boolean => setting.weight > 0;

/** Adds the clusters of `destination` to `out` and says how to route to them. */
export const addDestination = (
  destination: RouteDestination,
  out: ResourceSet,
  options: DestinationOptions = {},
): DestinationTarget => {
  const { settings } = destination;
  // Usually every backend takes traffic: the IR's own list then, rather than a copy per route.
  const live = settings.every(takesTraffic) ? settings : settings.filter(takesTraffic);
  if (live.length === 0) return { kind: 'none' };
  const perBackendHeaders = live.some(hasBackendFilters);
  const invalidWeight = destination.invalidWeight ?? 0;
  if (live.some((setting) => setting.cluster !== undefined)) {
    return sharedClusters(destination, live, perBackendHeaders, invalidWeight, out);
  }
  // Fallback backends (a priority) need one cluster, where priorities live (Envoy Gateway too).
  if (options.single === true || live.some((setting) => (setting.priority ?? 0) > 0)) {
    // One cluster: invalid backendRefs' share is a locality without endpoints, which drops it.
    // Made only when there is such a share (UDP routes and mirrors come through here each time).
    const [first] = live;
    const invalid =
      first !== undefined && invalidWeight > 0
        ? { ...first, name: `${destination.name}/invalid`, weight: invalidWeight, endpoints: [] }
        : undefined;
    addCluster(destination.name, invalid ? [...live, invalid] : live, out, destination);
    return { kind: 'cluster', cluster: destination.name };
  }
  if (live.length === 1 && !perBackendHeaders && invalidWeight === 0) {
    addCluster(destination.name, live, out, destination);
    return { kind: 'cluster', cluster: destination.name };
  }
  for (const setting of live) addCluster(setting.name, [setting], out, destination);
  return {
    kind: 'weighted',
    clusters: live.map((setting) => ({ name: setting.name, weight: setting.weight, setting })),
    invalidWeight,
  };
};

/**
 * A destination whose backends share clusters with other routes (EnvoyProxy `mergeBackends`):
 * each backend is a cluster of its own, under its shared name (`cluster`) or, not shared, under
 * its setting's name; the gatewayapi-translator gives a shared name only to backends whose every
 * route builds the same cluster, so whichever route adds it first adds what all would.
 */
const sharedClusters = (
  destination: RouteDestination,
  live: readonly DestinationSetting[],
  perBackendHeaders: boolean,
  invalidWeight: number,
  out: ResourceSet,
): DestinationTarget => {
  const clusters = live.map((setting) => {
    const name = setting.cluster ?? setting.name;
    addCluster(name, [setting], out, destination);
    return { name, weight: setting.weight, setting };
  });
  const [only] = clusters;
  if (only !== undefined && clusters.length === 1 && !perBackendHeaders && invalidWeight === 0)
    return { kind: 'cluster', cluster: only.name };
  return { kind: 'weighted', clusters, invalidWeight, shared: true };
};

/** A cluster with no endpoints under the destination's name: for TCP/UDP routes without backends. */
export const addEmptyDestination = (destination: RouteDestination, out: ResourceSet): string => {
  addCluster(destination.name, [], out, destination);
  return destination.name;
};
