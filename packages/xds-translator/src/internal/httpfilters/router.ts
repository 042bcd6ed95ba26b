// The router filter: forwards to the cluster the route picked; always present and always last
// (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/router_filter).
// `x-envoy-*` response headers are off unless the listener's header settings enable them.
// Upstream access logs (EnvoyProxy `accessLog.settings[].type: Upstream`) are the router's
// `upstream_log`, flushed when each upstream stream ends, as Envoy Gateway writes them.
import { HttpFilter, packAny, Router } from '@egts/envoy-api';
import type { HTTPListener } from '@egts/ir';
import { headerSettings } from '../defaults.js';
import type { AccessLog } from '../envoyTypes.js';
import type { HttpFilterTranslator } from './httpFilter.js';

const ROUTER = 'envoy.filters.http.router';

const router = (listener: HTTPListener | undefined, upstreamLog: readonly AccessLog[] = []) =>
  HttpFilter.fromPartial({
    name: ROUTER,
    typedConfig: packAny(
      Router,
      Router.fromPartial({
        suppressEnvoyHeaders: !headerSettings(listener?.headers).enableEnvoyHeaders,
        ...(upstreamLog.length > 0
          ? {
              upstreamLog: [...upstreamLog],
              upstreamLogOptions: { flushUpstreamLogOnUpstreamStream: true },
            }
          : {}),
      }),
    ),
  });

export const routerFilter: HttpFilterTranslator = {
  // Listeners sharing a connection manager share its settings: the first one's apply.
  patchListener: ([listener]) => [router(listener)],
};

/** The connection manager's filters with the fleet's upstream access logs on the router. */
export const withUpstreamLog = (
  filters: HttpFilter[],
  listener: HTTPListener,
  upstreamLog: readonly AccessLog[],
): HttpFilter[] =>
  upstreamLog.length === 0
    ? filters
    : filters.map((f) => (f.name === ROUTER ? router(listener, upstreamLog) : f));
