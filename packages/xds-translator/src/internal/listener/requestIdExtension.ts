// The UUID request ID extension of every connection manager, when a fleet's EnvoyProxy asks for
// other trace settings than Envoy's default (`telemetry.requestID.tracing`): whether the trace
// decision is packed into `x-request-id` and whether the ID picks the requests randomly sampled
// (https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/request_id/uuid/v3/uuid.proto).
import { type HttpConnectionManager, packAny, UuidRequestIdConfig } from '@egts/envoy-api';
import type { XdsIR } from '@egts/ir';

export const requestIdExtension = (
  tracing: XdsIR['requestIdTracing'],
): HttpConnectionManager['requestIdExtension'] =>
  tracing === undefined
    ? undefined
    : {
        typedConfig: packAny(
          UuidRequestIdConfig,
          UuidRequestIdConfig.fromPartial({
            packTraceReason: tracing.pack,
            useRequestIdForTraceSampling: tracing.sample,
          }),
        ),
      };
