// BackendTrafficPolicy `loadBalancer.zoneAware` -> IR: prefer the proxy's own zone (Envoy
// zone-aware routing) or weigh each endpoint zone, as Envoy Gateway's LoadBalancer.PreferLocal
// and WeightedZones.
import type { ZoneAware } from '@egts/ir';
import { list, type Obj, obj } from './validation/policyValues.js';

const count = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;

export function zoneAware(value: Obj | undefined): ZoneAware | undefined {
  if (value === undefined) return undefined;
  const prefer = obj(value.preferLocal);
  const force = obj(prefer?.force);
  const zones = list(value.weightedZones).flatMap((entry) =>
    typeof entry.zone === 'string' && count(entry.weight) !== undefined
      ? [{ zone: entry.zone, weight: count(entry.weight) as number }]
      : [],
  );
  const preferLocal =
    prefer === undefined
      ? undefined
      : {
          ...(count(prefer.minEndpointsThreshold) === undefined
            ? {}
            : { minEndpoints: count(prefer.minEndpointsThreshold) }),
          ...(typeof prefer.percentageEnabled === 'number'
            ? { percentageEnabled: prefer.percentageEnabled }
            : {}),
          // Envoy Gateway's default when `force` is given without a threshold: 1.
          ...(force === undefined
            ? {}
            : { forceMinEndpointsInZone: count(force.minEndpointsInZoneThreshold) ?? 1 }),
        };
  if (preferLocal === undefined && zones.length === 0) return undefined;
  return {
    ...(preferLocal === undefined ? {} : { preferLocal }),
    ...(zones.length === 0 ? {} : { weightedZones: zones }),
  };
}
