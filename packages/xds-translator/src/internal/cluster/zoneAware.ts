// Locality load balancing from BackendTrafficPolicy `loadBalancer.zoneAware`: Envoy's zone-aware
// routing (prefer the proxy's own zone, which its bootstrap names in node.locality and whose fleet
// its `local_cluster` lists) or locality-weighted balancing with a weight per zone. Both live in
// the typed load balancer's LocalityLbConfig, as Envoy Gateway emits them
// (https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/zone_aware,
// https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/load_balancing_policies/common/v3/common.proto).
import { LocalityLbConfig } from '@egts/envoy-api';
import type { RouteDestination } from '@egts/ir';

export type ZoneAware = NonNullable<NonNullable<RouteDestination['loadBalancer']>['zoneAware']>;

/** Envoy's (and Envoy Gateway's) default fewest upstream endpoints for zone-aware routing. */
const MIN_CLUSTER_SIZE = 6;

/**
 * The LocalityLbConfig a cluster's typed load balancer takes: with several backend groups (a
 * merged destination) their localities are the groups, weighted; otherwise zone-aware routing
 * for `preferLocal`, or locality weights for `weightedZones`.
 */
export function localityLbConfig(
  zoneAware: ZoneAware | undefined,
  grouped: boolean,
): LocalityLbConfig | undefined {
  if (grouped || (zoneAware?.weightedZones?.length ?? 0) > 0)
    return LocalityLbConfig.fromPartial({ localityWeightedLbConfig: {} });
  const prefer = zoneAware?.preferLocal;
  if (prefer === undefined) return undefined;
  return LocalityLbConfig.fromPartial({
    zoneAwareLbConfig: {
      minClusterSize: prefer.minEndpoints ?? MIN_CLUSTER_SIZE,
      ...(prefer.percentageEnabled === undefined
        ? {}
        : { routingEnabled: { value: prefer.percentageEnabled } }),
      ...(prefer.forceMinEndpointsInZone === undefined
        ? {}
        : { forceLocalZone: { minSize: prefer.forceMinEndpointsInZone } }),
    },
  });
}

/** A zone's locality weight under `weightedZones` (zones not listed weigh 1), else none. */
export function zoneWeight(
  zoneAware: ZoneAware | undefined,
  zone: string | undefined,
): number | undefined {
  const zones = zoneAware?.weightedZones;
  if (zones === undefined || zones.length === 0) return undefined;
  return zones.find((entry) => entry.zone === zone)?.weight ?? 1;
}
