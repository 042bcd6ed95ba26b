// Bandwidth limits (BackendTrafficPolicy `bandwidthLimit`) with Envoy's bandwidth_limit filter
// (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/bandwidth_limit_filter).
// One filter limits one rate, so requests and responses each get an instance: in the connection
// manager without a limit (mode DISABLED), and each route's rate in its per-route config. Stats
// are `http_bandwidth_limiter.http_bandwidth_limit.*`, as Envoy Gateway's proxies report them.
import { BandwidthLimit, BandwidthLimit_EnableMode, HttpFilter, packAny } from '@egts/envoy-api';
import type { HTTPRouteIR } from '@egts/ir';
import { type HttpFilterTranslator, routesOf } from './httpFilter.js';

const STAT_PREFIX = 'http_bandwidth_limiter';
const REQUEST = 'envoy.filters.http.bandwidth_limit.request';
const RESPONSE = 'envoy.filters.http.bandwidth_limit.response';

const passThrough = (name: string) =>
  HttpFilter.fromPartial({
    name,
    typedConfig: packAny(
      BandwidthLimit,
      BandwidthLimit.fromPartial({
        statPrefix: STAT_PREFIX,
        enableMode: BandwidthLimit_EnableMode.DISABLED,
      }),
    ),
  });

export const bandwidthLimitFilter: HttpFilterTranslator = {
  patchListener: (listeners) => {
    const routes = routesOf(listeners);
    return [
      ...(routes.some((r) => r.bandwidthLimit?.request) ? [passThrough(REQUEST)] : []),
      ...(routes.some((r) => r.bandwidthLimit?.response) ? [passThrough(RESPONSE)] : []),
    ];
  },
  patchRoute: (route: HTTPRouteIR) => {
    const { request, response } = route.bandwidthLimit ?? {};
    if (!request && !response) return undefined;
    const limit = (mode: BandwidthLimit_EnableMode, kibPerSecond: number, trailers?: string) =>
      packAny(
        BandwidthLimit,
        BandwidthLimit.fromPartial({
          statPrefix: STAT_PREFIX,
          enableMode: mode,
          limitKbps: kibPerSecond,
          ...(trailers === undefined
            ? {}
            : { enableResponseTrailers: true, responseTrailerPrefix: trailers }),
        }),
      );
    return {
      ...(request
        ? { [REQUEST]: limit(BandwidthLimit_EnableMode.REQUEST, request.kibPerSecond) }
        : {}),
      ...(response
        ? {
            [RESPONSE]: limit(
              BandwidthLimit_EnableMode.RESPONSE,
              response.kibPerSecond,
              response.trailerPrefix,
            ),
          }
        : {}),
    };
  },
};
