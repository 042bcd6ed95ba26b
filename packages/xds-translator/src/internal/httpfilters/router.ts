// The router filter: forwards to the cluster the route picked; always present and always last
// (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/router_filter).
// `x-envoy-*` response headers are off unless the listener's header settings enable them.
import { HttpFilter, packAny, Router } from '@egts/envoy-api';
import { headerSettings } from '../defaults.js';
import type { HttpFilterTranslator } from './httpFilter.js';

export const routerFilter: HttpFilterTranslator = {
  // Listeners sharing a connection manager share its settings: the first one's apply.
  patchListener: ([listener]) => [
    HttpFilter.fromPartial({
      name: 'envoy.filters.http.router',
      typedConfig: packAny(
        Router,
        Router.fromPartial({
          suppressEnvoyHeaders: !headerSettings(listener?.headers).enableEnvoyHeaders,
        }),
      ),
    }),
  ],
};
