// The router filter: forwards to the cluster the route picked; always present and always last
// (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/router_filter).
import { HttpFilter, packAny, Router } from '@egts/envoy-api';
import type { HttpFilterTranslator } from './httpFilter.js';

export const routerFilter: HttpFilterTranslator = {
  patchListener: () => [
    HttpFilter.fromPartial({
      name: 'envoy.filters.http.router',
      typedConfig: packAny(Router, Router.fromPartial({})),
    }),
  ],
};
