// CORS (HTTPRoute CORS filter, GEP-1767) with Envoy's cors filter: enabled in the connection
// manager when a route has a policy, configured per route through typed_per_filter_config
// (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/cors_filter).
import { Cors, CorsFilterPolicy, HttpFilter, packAny } from '@egts/envoy-api';
import { type CORS, wildcardOriginRegex } from '@egts/ir';
import type { StringMatcher } from '../envoyTypes.js';
import { type HttpFilterTranslator, routesOf } from './httpFilter.js';

const NAME = 'envoy.filters.http.cors';

/** An origin with `*` wildcards ("https://*.example.com") as a matcher; "*" alone matches all. */
const originMatcher = (origin: string): StringMatcher =>
  origin.includes('*')
    ? {
        safeRegex: { regex: wildcardOriginRegex(origin) },
        ignoreCase: false,
      }
    : { exact: origin, ignoreCase: false };

const corsPolicy = (cors: CORS): CorsFilterPolicy =>
  CorsFilterPolicy.fromPartial({
    allowOriginStringMatch: cors.allowOrigins.map(originMatcher),
    allowMethods: cors.allowMethods.join(','),
    allowHeaders: cors.allowHeaders.join(','),
    exposeHeaders: cors.exposeHeaders.join(','),
    ...(cors.maxAgeSeconds === undefined ? {} : { maxAge: String(cors.maxAgeSeconds) }),
    allowCredentials: cors.allowCredentials,
  });

export const corsFilter: HttpFilterTranslator = {
  patchListener: (listeners) =>
    routesOf(listeners).some((route) => route.cors !== undefined)
      ? [HttpFilter.fromPartial({ name: NAME, typedConfig: packAny(Cors, Cors.fromPartial({})) })]
      : [],
  routeConfigOf: (route) => route.cors,
  patchRoute: (route) =>
    route.cors === undefined
      ? undefined
      : { [NAME]: packAny(CorsFilterPolicy, corsPolicy(route.cors)) },
};
