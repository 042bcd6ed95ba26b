// Gateway API matches -> Envoy RouteMatch: path (exact, path prefix, regex), headers (incl.
// `:method`), query parameters (https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/route/v3/route_components.proto#config-route-v3-routematch).
import { HeaderMatcher, QueryParameterMatcher, RouteMatch } from '@egts/envoy-api';
import type { HTTPRouteIR, StringMatch } from '@egts/ir';
import type { StringMatcher } from '../envoyTypes.js';
import { regexQuote } from './pathRewrite.js';

/** A string matcher for a header or query value. */
export const stringMatcher = (match: StringMatch): StringMatcher => {
  switch (match.type) {
    case 'Exact':
      return { exact: match.value, ignoreCase: false };
    case 'Prefix':
    case 'PathPrefix':
      return { prefix: match.value, ignoreCase: false };
    case 'Suffix':
      return { suffix: match.value, ignoreCase: false };
    case 'RegularExpression':
      return { safeRegex: { regex: match.value }, ignoreCase: false };
    case 'Present':
      // Unreachable for headers and query params (presentMatch is used); any value matches.
      return { safeRegex: { regex: '.*' }, ignoreCase: false };
  }
};

/**
 * The path part: Gateway API's PathPrefix matches whole segments ("/foo" matches "/foo" and
 * "/foo/bar", not "/foobar") and ignores a trailing slash, which is Envoy's
 * path_separated_prefix; "/" is every path.
 */
const pathMatch = (match: StringMatch | undefined): Partial<RouteMatch> => {
  if (match === undefined) return { prefix: '/' };
  switch (match.type) {
    case 'Exact':
      return { path: match.value };
    case 'PathPrefix': {
      const trimmed = match.value.replace(/\/+$/, '');
      return trimmed === '' ? { prefix: '/' } : { pathSeparatedPrefix: trimmed };
    }
    case 'Prefix':
      return { prefix: match.value };
    case 'Suffix':
      return { safeRegex: { regex: `.*${regexQuote(match.value)}` } };
    case 'RegularExpression':
      return { safeRegex: { regex: match.value } };
    case 'Present':
      return { prefix: '/' };
  }
};

const headerMatcher = (match: StringMatch): HeaderMatcher =>
  HeaderMatcher.fromPartial({
    name: match.name ?? '',
    ...(match.type === 'Present' ? { presentMatch: true } : { stringMatch: stringMatcher(match) }),
    invertMatch: match.invert === true,
  });

const queryMatcher = (match: StringMatch): QueryParameterMatcher =>
  QueryParameterMatcher.fromPartial({
    name: match.name ?? '',
    ...(match.type === 'Present' ? { presentMatch: true } : { stringMatch: stringMatcher(match) }),
  });

export const routeMatch = (route: HTTPRouteIR): RouteMatch =>
  RouteMatch.fromPartial({
    headers: route.headerMatches.map(headerMatcher),
    queryParameters: route.queryParamMatches.map(queryMatcher),
    // Spread last: V8 (Node 20) gives an object literal that opens with a spread a hidden class
    // of its own, so fromPartial's reads of it were megamorphic (a third of building a route).
    ...pathMatch(route.pathMatch),
  });
