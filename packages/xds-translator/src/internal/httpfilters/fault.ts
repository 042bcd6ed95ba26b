// Fault injection (BackendTrafficPolicy `faultInjection`) with Envoy's fault filter
// (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/fault_filter):
// in the connection manager without faults (it passes everything), and each route's delays and
// aborts in its per-route config. Percentages become fractions of a million, as Envoy Gateway
// has them, so fractional percentages keep their precision.
import { FractionalPercent_DenominatorType, HTTPFault, HttpFilter, packAny } from '@egts/envoy-api';
import type { FaultInjection } from '@egts/ir';
import { durationMs } from '../protoValues.js';
import { type HttpFilterTranslator, routesOf } from './httpFilter.js';

const NAME = 'envoy.filters.http.fault';

const perMillion = (percentage: number | undefined) => ({
  numerator: Math.round((percentage ?? 100) * 10_000),
  denominator: FractionalPercent_DenominatorType.MILLION,
});

const httpFault = ({ delay, abort }: FaultInjection): HTTPFault =>
  HTTPFault.fromPartial({
    ...(delay
      ? {
          delay: {
            fixedDelay: durationMs(delay.fixedDelayMs),
            percentage: perMillion(delay.percentage),
          },
        }
      : {}),
    ...(abort
      ? {
          abort: {
            ...(abort.grpcStatus === undefined
              ? { httpStatus: abort.httpStatus ?? 500 }
              : { grpcStatus: abort.grpcStatus }),
            percentage: perMillion(abort.percentage),
          },
        }
      : {}),
  });

export const faultFilter: HttpFilterTranslator = {
  patchListener: (listeners) =>
    routesOf(listeners).some((route) => route.faultInjection !== undefined)
      ? [
          HttpFilter.fromPartial({
            name: NAME,
            typedConfig: packAny(HTTPFault, HTTPFault.fromPartial({})),
          }),
        ]
      : [],
  patchRoute: (route) =>
    route.faultInjection === undefined
      ? undefined
      : { [NAME]: packAny(HTTPFault, httpFault(route.faultInjection)) },
};
