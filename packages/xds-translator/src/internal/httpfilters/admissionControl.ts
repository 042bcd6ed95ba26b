// Admission control (BackendTrafficPolicy `admissionControl`) with Envoy's admission_control
// filter (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/admission_control_filter):
// it sheds a share of requests that grows as the backend's success rate over the sampling window
// falls below the threshold. The filter has no per-route config, so, as for response overrides,
// the connection manager holds one disabled instance per distinct setting, enabled on its routes.
import { createHash } from 'node:crypto';
import { AdmissionControl, HttpFilter, packAny } from '@egts/envoy-api';
import type { AdmissionControl as AdmissionControlIR } from '@egts/ir';
import { durationMs } from '../protoValues.js';
import { ENABLED } from './customResponse.js';
import { type HttpFilterTranslator, routesOf } from './httpFilter.js';

const NAME = 'envoy.filters.http.admission_control';
const RUNTIME = 'admission_control';

/** What counts as success when the policy says nothing: any HTTP status below 500. */
const DEFAULT_HTTP_SUCCESS = [{ start: 100, end: 500 }];

const config = (ir: AdmissionControlIR): AdmissionControl =>
  AdmissionControl.fromPartial({
    enabled: { defaultValue: true, runtimeKey: `${RUNTIME}.enabled` },
    successCriteria: {
      // Int32Range ends are exclusive: one range per listed status.
      httpCriteria: {
        httpSuccessStatus:
          ir.httpSuccessStatuses === undefined
            ? DEFAULT_HTTP_SUCCESS
            : ir.httpSuccessStatuses.map((code) => ({ start: code, end: code + 1 })),
      },
      ...(ir.grpcSuccessStatuses === undefined
        ? {}
        : { grpcCriteria: { grpcSuccessStatus: ir.grpcSuccessStatuses } }),
    },
    ...(ir.samplingWindowMs === undefined
      ? {}
      : { samplingWindow: durationMs(ir.samplingWindowMs) }),
    ...(ir.aggression === undefined
      ? {}
      : { aggression: { defaultValue: ir.aggression, runtimeKey: `${RUNTIME}.aggression` } }),
    ...(ir.minSuccessPercent === undefined
      ? {}
      : {
          srThreshold: {
            defaultValue: { value: ir.minSuccessPercent },
            runtimeKey: `${RUNTIME}.sr_threshold`,
          },
        }),
    ...(ir.minRequestRate === undefined
      ? {}
      : {
          rpsThreshold: { defaultValue: ir.minRequestRate, runtimeKey: `${RUNTIME}.rps_threshold` },
        }),
    ...(ir.maxRejectionPercent === undefined
      ? {}
      : {
          maxRejectionProbability: {
            defaultValue: { value: ir.maxRejectionPercent },
            runtimeKey: `${RUNTIME}.max_rejection_probability`,
          },
        }),
  });

/** One instance per distinct setting, named after its content (stable across changes). */
const instanceName = (ir: AdmissionControlIR): string =>
  `${NAME}/${createHash('sha256').update(JSON.stringify(ir)).digest('hex').slice(0, 12)}`;

export const admissionControlFilter: HttpFilterTranslator = {
  patchListener: (listeners) => {
    const instances = new Map<string, AdmissionControlIR>();
    for (const route of routesOf(listeners))
      if (route.admissionControl)
        instances.set(instanceName(route.admissionControl), route.admissionControl);
    return [...instances.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, ir]) =>
        HttpFilter.fromPartial({
          name,
          disabled: true,
          typedConfig: packAny(AdmissionControl, config(ir)),
        }),
      );
  },
  patchRoute: (route) =>
    route.admissionControl === undefined
      ? undefined
      : { [instanceName(route.admissionControl)]: ENABLED },
};
