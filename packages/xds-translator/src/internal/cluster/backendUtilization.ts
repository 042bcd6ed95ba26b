// BackendTrafficPolicy `loadBalancer.type: BackendUtilization`: client-side weighted round robin,
// each endpoint weighted by the queries per second over the utilization it reports in ORCA load
// reports (the `endpoint-load-metrics` response header, or an out-of-band ORCA stream), under
// wrr_locality for the locality weights, as Envoy Gateway emits it
// (https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/load_balancing_policies/client_side_weighted_round_robin/v3/client_side_weighted_round_robin.proto).
import { ClientSideWeightedRoundRobin, packAny, WrrLocality } from '@egts/envoy-api';
import type { RouteDestination } from '@egts/ir';
import { durationMs } from '../protoValues.js';

type Utilization = NonNullable<NonNullable<RouteDestination['loadBalancer']>['backendUtilization']>;

/** The ORCA report headers, removed from responses unless the policy keeps them. */
export const ORCA_HEADERS = ['endpoint-load-metrics', 'endpoint-load-metrics-bin'];

const duration = (value: number | undefined) =>
  value === undefined ? undefined : durationMs(value);

/**
 * Out-of-band reports: Envoy opens an ORCA stream (OpenRcaService/StreamCoreMetrics) to each
 * endpoint and weighs it by the reports that come in every reporting period (default 10 s),
 * on another port or with another :authority when the policy says so.
 */
const outOfBand = (oob: NonNullable<Utilization['outOfBand']>) => ({
  enableOobLoadReport: true,
  oobReportingPeriod: duration(oob.reportingPeriodMs),
  oobReportingConfig:
    oob.port === undefined && oob.authority === undefined
      ? undefined
      : { portValue: oob.port ?? 0, authority: oob.authority ?? '' },
});

export function backendUtilizationPolicy(bu: Utilization, slowStartWindowMs?: number) {
  const wrr = ClientSideWeightedRoundRobin.fromPartial({
    ...(bu.outOfBand === undefined ? {} : outOfBand(bu.outOfBand)),
    blackoutPeriod: duration(bu.blackoutPeriodMs),
    weightExpirationPeriod: duration(bu.weightExpirationPeriodMs),
    weightUpdatePeriod: duration(bu.weightUpdatePeriodMs),
    // A FloatValue; 100% is a penalty of 1.0.
    errorUtilizationPenalty:
      bu.errorUtilizationPenaltyPercent === undefined
        ? undefined
        : bu.errorUtilizationPenaltyPercent / 100,
    metricNamesForComputingUtilization: bu.metricNamesForComputingUtilization ?? [],
    slowStartConfig:
      slowStartWindowMs === undefined
        ? undefined
        : { slowStartWindow: durationMs(slowStartWindowMs) },
  });
  return {
    name: 'envoy.load_balancing_policies.wrr_locality',
    typedConfig: packAny(
      WrrLocality,
      WrrLocality.fromPartial({
        endpointPickingPolicy: {
          policies: [
            {
              typedExtensionConfig: {
                name: 'envoy.load_balancing_policies.client_side_weighted_round_robin',
                typedConfig: packAny(ClientSideWeightedRoundRobin, wrr),
              },
            },
          ],
        },
      }),
    ),
  };
}
