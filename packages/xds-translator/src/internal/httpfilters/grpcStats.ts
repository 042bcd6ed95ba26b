// gRPC statistics (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/grpc_stats_filter):
// per-method request and message counters on listeners that serve a GRPCRoute, and the same
// counts as filter state for access logs, as Envoy Gateway has them; EnvoyProxy
// `metrics.enableGRPCStats` turns them on for every listener (true) or off (false).
import { GrpcStats, HttpFilter, packAny } from '@egts/envoy-api';
import { type HttpFilterTranslator, routesOf } from './httpFilter.js';

const NAME = 'envoy.filters.http.grpc_stats';

export const grpcStatsFilter: HttpFilterTranslator = {
  patchListener: (listeners) =>
    (listeners[0]?.grpcStats ?? routesOf(listeners).some((route) => route.grpc))
      ? [
          HttpFilter.fromPartial({
            name: NAME,
            typedConfig: packAny(
              GrpcStats,
              GrpcStats.fromPartial({ emitFilterState: true, statsForAllMethods: true }),
            ),
          }),
        ]
      : [],
};
