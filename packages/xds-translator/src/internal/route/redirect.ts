// RequestRedirect -> Envoy RedirectAction
// (https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/route/v3/route_components.proto#config-route-v3-redirectaction).
import { RedirectAction_RedirectResponseCode as Code, RedirectAction } from '@egts/envoy-api';
import type { HTTPRouteIR, Redirect } from '@egts/ir';
import { pathRewrite } from './pathRewrite.js';

const CODES: Record<number, Code> = {
  301: Code.MOVED_PERMANENTLY,
  302: Code.FOUND,
  303: Code.SEE_OTHER,
  307: Code.TEMPORARY_REDIRECT,
  308: Code.PERMANENT_REDIRECT,
};

/**
 * Gateway API RequestRedirect: a Location whose scheme's well-known port is the port (http 80,
 * https 443) should not name it, so no port_redirect then (Envoy Gateway leaves it out too).
 */
const isDefaultPort = (redirect: Redirect): boolean =>
  (redirect.scheme === 'https' && redirect.port === 443) ||
  (redirect.scheme === 'http' && redirect.port === 80);

export const redirectAction = (route: HTTPRouteIR, redirect: Redirect): RedirectAction => {
  const rewrite = pathRewrite(route, redirect.path);
  return RedirectAction.fromPartial({
    ...(redirect.scheme === undefined ? {} : { schemeRedirect: redirect.scheme }),
    ...(redirect.hostname === undefined ? {} : { hostRedirect: redirect.hostname }),
    ...(redirect.port === undefined || isDefaultPort(redirect)
      ? {}
      : { portRedirect: redirect.port }),
    ...(rewrite === undefined
      ? {}
      : 'fullPath' in rewrite
        ? { pathRedirect: rewrite.fullPath }
        : rewrite),
    responseCode: CODES[redirect.statusCode] ?? Code.FOUND,
  });
};
