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

export const redirectAction = (route: HTTPRouteIR, redirect: Redirect): RedirectAction => {
  const rewrite = pathRewrite(route, redirect.path);
  return RedirectAction.fromPartial({
    ...(redirect.scheme === undefined ? {} : { schemeRedirect: redirect.scheme }),
    ...(redirect.hostname === undefined ? {} : { hostRedirect: redirect.hostname }),
    // Kept for the scheme's own port too (Envoy leaves ':443' out of an https Location): the
    // request may have come in on another port, which Gateway API says the Location must not
    // keep (RequestRedirect.port); Envoy Gateway leaves 80 and 443 out and keeps it.
    ...(redirect.port === undefined ? {} : { portRedirect: redirect.port }),
    ...(rewrite === undefined
      ? {}
      : 'fullPath' in rewrite
        ? { pathRedirect: rewrite.fullPath }
        : rewrite),
    responseCode: CODES[redirect.statusCode] ?? Code.FOUND,
  });
};
