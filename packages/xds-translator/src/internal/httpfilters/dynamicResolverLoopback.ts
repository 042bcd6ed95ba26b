// Routes to a DynamicResolver Backend forward to whatever host the request names, so a client
// could make the proxy call itself (its admin port among others). As Envoy Gateway does, an RBAC
// filter (allowing everything by itself) denies, on those routes only, a Host naming a loopback
// address; a route whose host comes from a fixed rewrite is exempt, its host being known
// (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/rbac_filter).
import { HttpFilter, packAny, RBAC, RBAC_Action, RBACPerRoute } from '@egts/envoy-api';
import type { HTTPRouteIR } from '@egts/ir';
import { type HttpFilterTranslator, routesOf } from './httpFilter.js';

const FILTER_NAME = 'envoy.filters.http.rbac.dfp_loopback_deny';

/** Loopback host names and addresses, with an optional port (Envoy Gateway's list). */
const LOOPBACK_HOST =
  '^(127\\.0\\.0\\.1|localhost|localhost\\.localdomain|ip6-localhost|ip6-loopback|\\[::1\\]|::1)(:\\d+)?$';

const needsGuard = (route: HTTPRouteIR): boolean =>
  route.destination?.settings.some((setting) => setting.dynamicResolver === true) === true &&
  route.urlRewrite?.hostname === undefined;

export const dynamicResolverLoopbackFilter: HttpFilterTranslator = {
  patchListener: (listeners) =>
    routesOf(listeners).some(needsGuard)
      ? [
          HttpFilter.fromPartial({
            name: FILTER_NAME,
            typedConfig: packAny(RBAC, RBAC.fromPartial({})),
          }),
        ]
      : [],
  patchRoute: (route) => {
    if (!needsGuard(route)) return undefined;
    // The header the host is taken from: a Header hostname rewrite names it, else :authority.
    const header = route.urlRewrite?.hostnameFromHeader ?? ':authority';
    const perRoute = RBACPerRoute.fromPartial({
      rbac: {
        rules: {
          action: RBAC_Action.DENY,
          policies: {
            'deny-loopback-host': {
              permissions: [
                { header: { name: header, stringMatch: { safeRegex: { regex: LOOPBACK_HOST } } } },
              ],
              principals: [{ any: true }],
            },
          },
        },
      },
    });
    return { [FILTER_NAME]: packAny(RBACPerRoute, perRoute) };
  },
};
