// Session persistence (GEP-1619) with Envoy's stateful_session filter: present but idle in the
// connection manager, switched on per route with a cookie- or header-based session state
// (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/stateful_session_filter).
import {
  CookieBasedSessionState,
  HeaderBasedSessionState,
  HttpFilter,
  packAny,
  StatefulSession,
  StatefulSessionPerRoute,
} from '@egts/envoy-api';
import type { HTTPRouteIR, SessionPersistence } from '@egts/ir';
import { typedConfig } from '../protoValues.js';
import { type HttpFilterTranslator, routesOf } from './httpFilter.js';

const NAME = 'envoy.filters.http.stateful_session';

/** The cookie is scoped to the path the route matches (GEP-1619), "/" for regex matches. */
const cookiePath = (route: HTTPRouteIR): string =>
  route.pathMatch?.type === 'Exact' || route.pathMatch?.type === 'PathPrefix'
    ? route.pathMatch.value.replace(/(.)\/+$/, '$1')
    : '/';

const sessionState = (route: HTTPRouteIR, session: SessionPersistence) =>
  session.type === 'Cookie'
    ? typedConfig(
        'envoy.http.stateful_session.cookie',
        CookieBasedSessionState,
        CookieBasedSessionState.fromPartial({
          cookie: {
            name: session.name,
            path: cookiePath(route),
            // Absent ttl: a session cookie (GEP-1619 "Session" lifetime).
            ...(session.ttlSeconds === undefined
              ? {}
              : { ttl: { seconds: session.ttlSeconds, nanos: 0 } }),
          },
        }),
      )
    : typedConfig(
        'envoy.http.stateful_session.header',
        HeaderBasedSessionState,
        HeaderBasedSessionState.fromPartial({ name: session.name }),
      );

export const statefulSessionFilter: HttpFilterTranslator = {
  patchListener: (listeners) =>
    routesOf(listeners).some((route) => route.sessionPersistence !== undefined)
      ? [
          HttpFilter.fromPartial({
            name: NAME,
            typedConfig: packAny(StatefulSession, StatefulSession.fromPartial({})),
          }),
        ]
      : [],
  patchRoute: (route) =>
    route.sessionPersistence === undefined
      ? undefined
      : {
          [NAME]: packAny(
            StatefulSessionPerRoute,
            StatefulSessionPerRoute.fromPartial({
              statefulSession: { sessionState: sessionState(route, route.sessionPersistence) },
            }),
          ),
        },
};
