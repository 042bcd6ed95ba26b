// The listener's health check endpoint (ClientTrafficPolicy `healthCheck.path`): Envoy answers
// that path itself, 200 while live and 503 once it drains, never forwarding it, as Envoy Gateway
// serves it (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/health_check_filter).
import { HealthCheckFilter, HttpFilter, packAny } from '@egts/envoy-api';
import type { HttpFilterTranslator } from './httpFilter.js';

export const healthCheckFilter: HttpFilterTranslator = {
  // Listeners sharing a connection manager share its settings: the first one's apply.
  patchListener: ([listener]) => {
    const path = listener?.clientTraffic?.healthCheckPath;
    if (path === undefined) return [];
    return [
      HttpFilter.fromPartial({
        name: 'envoy.filters.http.health_check',
        typedConfig: packAny(
          HealthCheckFilter,
          HealthCheckFilter.fromPartial({
            passThroughMode: false,
            headers: [{ name: ':path', stringMatch: { exact: path } }],
          }),
        ),
      }),
    ];
  },
};
