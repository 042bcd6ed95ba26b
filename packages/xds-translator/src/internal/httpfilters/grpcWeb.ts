// gRPC-Web (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/grpc_web_filter):
// browsers' gRPC-Web requests become gRPC on listeners that serve a GRPCRoute, as Envoy Gateway
// has it, and on those whose ClientTrafficPolicy asks for it (`grpc.enableWeb`).
import { GrpcWeb, HttpFilter, packAny } from '@egts/envoy-api';
import { type HttpFilterTranslator, routesOf } from './httpFilter.js';

const NAME = 'envoy.filters.http.grpc_web';

export const grpcWebFilter: HttpFilterTranslator = {
  patchListener: (listeners) =>
    listeners.some((listener) => listener.clientTraffic?.grpcWeb) ||
    routesOf(listeners).some((route) => route.grpc)
      ? [
          HttpFilter.fromPartial({
            name: NAME,
            typedConfig: packAny(GrpcWeb, GrpcWeb.fromPartial({})),
          }),
        ]
      : [],
};
