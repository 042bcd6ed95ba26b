// Request buffering (BackendTrafficPolicy `requestBuffer`) with Envoy's buffer filter
// (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/buffer_filter):
// the whole request body is read, up to the limit (413 past it), before going upstream. The
// connection manager holds the filter disabled; each route that asks enables it with its limit.
import { BufferFilter, BufferPerRoute, HttpFilter, packAny } from '@egts/envoy-api';
import { type HttpFilterTranslator, routesOf } from './httpFilter.js';
import { enabledOnRoute } from './securityPolicies.js';

const NAME = 'envoy.filters.http.buffer';
/** The connection manager's copy never runs (disabled); Envoy still wants a positive size. */
const PLACEHOLDER_BYTES = 32 * 1024;

export const bufferFilter: HttpFilterTranslator = {
  patchListener: (listeners) =>
    routesOf(listeners).some((route) => route.requestBuffer !== undefined)
      ? [
          HttpFilter.fromPartial({
            name: NAME,
            disabled: true,
            typedConfig: packAny(
              BufferFilter,
              BufferFilter.fromPartial({ maxRequestBytes: PLACEHOLDER_BYTES }),
            ),
          }),
        ]
      : [],
  patchRoute: (route) =>
    route.requestBuffer === undefined
      ? undefined
      : {
          [NAME]: enabledOnRoute(
            packAny(
              BufferPerRoute,
              BufferPerRoute.fromPartial({
                buffer: { maxRequestBytes: route.requestBuffer.limitBytes },
              }),
            ),
          ),
        },
};
