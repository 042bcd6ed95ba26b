// SecurityPolicy basicAuth with Envoy's basic_auth filter: one instance per policy holding its
// htpasswd users, disabled in the connection manager and enabled on the routes the policy
// protects (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/basic_auth_filter).
import { BasicAuth, BasicAuthPerRoute, HttpFilter, packAny } from '@egts/envoy-api';
import type { HttpFilterTranslator } from './httpFilter.js';
import { enabledOnRoute, instanceName, policiesWith, securityOf } from './securityPolicies.js';

const NAME = 'envoy.filters.http.basic_auth';

export const basicAuthFilter: HttpFilterTranslator = {
  patchListener: (listeners) =>
    policiesWith(listeners, 'basicAuth').map(({ policy, basicAuth }) =>
      HttpFilter.fromPartial({
        name: instanceName(NAME, policy),
        disabled: true,
        typedConfig: packAny(
          BasicAuth,
          BasicAuth.fromPartial({
            users: { inlineString: basicAuth.users },
            ...(basicAuth.forwardUsernameHeader
              ? { forwardUsernameHeader: basicAuth.forwardUsernameHeader }
              : {}),
          }),
        ),
      }),
    ),
  routeConfigOf: securityOf,
  patchRoute: (route) =>
    route.security?.basicAuth === undefined
      ? undefined
      : {
          [instanceName(NAME, route.security.policy)]: enabledOnRoute(
            packAny(
              BasicAuthPerRoute,
              BasicAuthPerRoute.fromPartial({
                users: { inlineString: route.security.basicAuth.users },
              }),
            ),
          ),
        },
};
