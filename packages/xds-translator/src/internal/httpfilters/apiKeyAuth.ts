// SecurityPolicy apiKeyAuth with Envoy's api_key_auth filter: one instance per policy holding its
// keys, where to find them and what to forward, disabled in the connection manager and enabled
// on the routes the policy protects
// (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/api_key_auth_filter).
import { ApiKeyAuth, HttpFilter, packAny } from '@egts/envoy-api';
import type { APIKeyAuth } from '@egts/ir';
import type { HttpFilterTranslator } from './httpFilter.js';
import { enabledAsConfigured, instanceName, policiesWith, securityOf } from './securityPolicies.js';

const NAME = 'envoy.filters.http.api_key_auth';

const config = (auth: APIKeyAuth): ApiKeyAuth =>
  ApiKeyAuth.fromPartial({
    credentials: auth.credentials,
    keySources: auth.keySources.map((source) => ({
      header: source.header ?? '',
      query: source.query ?? '',
      cookie: source.cookie ?? '',
    })),
    ...(auth.forwardClientIDHeader !== undefined || auth.sanitize
      ? {
          forwarding: {
            header: auth.forwardClientIDHeader ?? '',
            hideCredentials: auth.sanitize,
          },
        }
      : {}),
  });

export const apiKeyAuthFilter: HttpFilterTranslator = {
  patchListener: (listeners) =>
    policiesWith(listeners, 'apiKeyAuth').map(({ policy, apiKeyAuth }) =>
      HttpFilter.fromPartial({
        name: instanceName(NAME, policy),
        disabled: true,
        typedConfig: packAny(ApiKeyAuth, config(apiKeyAuth)),
      }),
    ),
  routeConfigOf: securityOf,
  patchRoute: (route) =>
    route.security?.apiKeyAuth === undefined
      ? undefined
      : { [instanceName(NAME, route.security.policy)]: enabledAsConfigured },
};
