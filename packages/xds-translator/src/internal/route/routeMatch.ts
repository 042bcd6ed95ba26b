// Gateway API matches -> Envoy RouteMatch: path (exact, path prefix, regex), headers (incl.
// `:method`), query parameters (https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/route/v3/route_components.proto#config-route-v3-routematch).
import { HeaderMatcher, QueryParameterMatcher, type RouteMatch } from '@egts/envoy-api';
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

/**
 * The RouteMatch of `route` with one path specifier set, written out whole: every field
 * RouteMatch.fromPartial would set, in its order, with the same values (the header and query
 * matchers are complete messages already). fromPartial copied each field of a partial of varying
 * shape (megamorphic reads) and every matcher again, for each route of a cold translation.
 */
const withPath = (
  route: HTTPRouteIR,
  prefix: string | undefined,
  path: string | undefined,
  regex: string | undefined,
  pathSeparatedPrefix: string | undefined,
): RouteMatch => ({
  prefix,
  path,
  // A complete RegexMatcher (google_re2 unset).
  safeRegex: regex === undefined ? undefined : { googleRe2: undefined, regex },
  connectMatcher: undefined,
  pathSeparatedPrefix,
  pathMatchPolicy: undefined,
  caseSensitive: undefined,
  runtimeFraction: undefined,
  headers: route.headerMatches.map(headerMatcher),
  queryParameters: route.queryParamMatches.map(queryMatcher),
  grpc: undefined,
  tlsContext: undefined,
  dynamicMetadata: [],
});

/**
 * Gateway API's PathPrefix matches whole segments ("/foo" matches "/foo" and "/foo/bar", not
 * "/foobar") and ignores a trailing slash, which is Envoy's path_separated_prefix; "/" is every
 * path.
 */
export const routeMatch = (route: HTTPRouteIR): RouteMatch => {
  const match = route.pathMatch;
  if (match === undefined) return withPath(route, '/', undefined, undefined, undefined);
  switch (match.type) {
    case 'Exact':
      return withPath(route, undefined, match.value, undefined, undefined);
    case 'PathPrefix': {
      const trimmed = match.value.replace(/\/+$/, '');
      return trimmed === ''
        ? withPath(route, '/', undefined, undefined, undefined)
        : withPath(route, undefined, undefined, undefined, trimmed);
    }
    case 'Prefix':
      return withPath(route, match.value, undefined, undefined, undefined);
    case 'Suffix':
      return withPath(route, undefined, undefined, `.*${regexQuote(match.value)}`, undefined);
    case 'RegularExpression':
      return withPath(route, undefined, undefined, match.value, undefined);
    case 'Present':
      return withPath(route, '/', undefined, undefined, undefined);
  }
};
