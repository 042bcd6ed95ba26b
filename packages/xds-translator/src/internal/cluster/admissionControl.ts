// Admission control (BackendTrafficPolicy `admissionControl`) with Envoy's admission_control
// filter (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/admission_control_filter):
// it sheds a share of requests that grows as the backend's success rate over the sampling window
// falls below the threshold. Envoy Gateway runs it among the cluster's upstream HTTP filters, so
// it sees each attempt's answer, and a route's settings stay with the cluster it reaches.
import { AdmissionControl, HttpFilter, packAny, UpstreamCodec } from '@egts/envoy-api';
import type { AdmissionControl as AdmissionControlIR } from '@egts/ir';
import { durationMs } from '../protoValues.js';

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

/**
 * The cluster's upstream HTTP filters for admission control: the filter, then the upstream codec
 * Envoy requires last (https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/upstreams/http/v3/http_protocol_options.proto#envoy-v3-api-field-extensions-upstreams-http-v3-httpprotocoloptions-http-filters).
 */
export const admissionControlFilters = (ir: AdmissionControlIR): HttpFilter[] => [
  HttpFilter.fromPartial({ name: NAME, typedConfig: packAny(AdmissionControl, config(ir)) }),
  HttpFilter.fromPartial({
    name: 'envoy.filters.http.upstream_codec',
    typedConfig: packAny(UpstreamCodec, UpstreamCodec.fromPartial({})),
  }),
];
