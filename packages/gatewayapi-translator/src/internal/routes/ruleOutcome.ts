// What processing one route rule yields: the IR pieces for each of its matches, plus the typed
// errors that decide the route's conditions (see routeConditions.ts).
import type { HTTPRouteIR, RouteDestination, StringMatch } from '@egts/ir';
import type { RouteStatusError } from '../status/statusError.js';
import type { FilterOutcome } from './httpFilters.js';

/** The parts of an HTTP IR route that do not depend on listener or hostname. */
export type HTTPRouteTemplate = Omit<HTTPRouteIR, 'name' | 'hostname'>;

export interface RuleOutcome {
  /** Problem that drops the whole rule (Accepted/PartiallyInvalid). */
  invalid?: RouteStatusError;
  /** Invalid, yet its matches are served, answering 500 (see failClosed). */
  failClosed?: boolean;
  /** Reference problems (ResolvedRefs=False); the rule stays. */
  refErrors: RouteStatusError[];
  /** Some resolved backend has no endpoints. */
  noEndpoints: boolean;
  /** One template per match (HTTP/GRPC). */
  httpRoutes: HTTPRouteTemplate[];
  /** The rule's destination (TLS/TCP/UDP). */
  destination?: RouteDestination;
}

/** What one converted match of a rule selects. */
type MatchFields = Pick<HTTPRouteTemplate, 'pathMatch' | 'headerMatches' | 'queryParamMatches'>;

/**
 * The template of one match, with the header and mirror filters of its rule; `headerMatches`
 * replaces the match's own (an HTTPRouteFilter adds some). Written out field by field, not
 * `{ ...match, ... }`: on Node 20's V8 every new property an object literal defines after a
 * leading spread goes through a slow runtime call (about 0.3 KiB of garbage each), and this
 * runs for every match of every rule.
 */
export function matchTemplate(
  match: MatchFields,
  headerMatches: StringMatch[],
  filters: Pick<FilterOutcome, 'requestHeaders' | 'responseHeaders' | 'mirrors'>,
  base: Pick<HTTPRouteTemplate, 'grpc' | 'source'>,
): HTTPRouteTemplate {
  // Two literals, not a conditional spread in one (a temporary object and a slow runtime call
  // each time): the same properties in the same order.
  if (match.pathMatch === undefined)
    return {
      headerMatches,
      queryParamMatches: match.queryParamMatches,
      addRequestHeaders: filters.requestHeaders.add,
      removeRequestHeaders: filters.requestHeaders.remove,
      addResponseHeaders: filters.responseHeaders.add,
      removeResponseHeaders: filters.responseHeaders.remove,
      mirrors: filters.mirrors,
      grpc: base.grpc,
      source: { ...base.source },
    };
  return {
    headerMatches,
    queryParamMatches: match.queryParamMatches,
    pathMatch: match.pathMatch,
    addRequestHeaders: filters.requestHeaders.add,
    removeRequestHeaders: filters.requestHeaders.remove,
    addResponseHeaders: filters.responseHeaders.add,
    removeResponseHeaders: filters.responseHeaders.remove,
    mirrors: filters.mirrors,
    grpc: base.grpc,
    source: { ...base.source },
  };
}

/**
 * Gateway API: a custom filter that cannot be resolved must not be skipped; the requests it
 * would have processed get an error. So a rule invalid for an unknown filter kind keeps its
 * matches, each answering 500 (as Envoy Gateway does), instead of letting those requests fall
 * through to another rule.
 */
export function failClosed(
  outcome: RuleOutcome,
  matches: readonly (
    | Pick<HTTPRouteTemplate, 'pathMatch' | 'headerMatches' | 'queryParamMatches'>
    | undefined
  )[],
  base: Pick<HTTPRouteTemplate, 'grpc' | 'source'>,
): void {
  outcome.failClosed = true;
  for (const match of matches) {
    if (!match) continue;
    outcome.httpRoutes.push({
      ...match,
      ...base,
      addRequestHeaders: [],
      removeRequestHeaders: [],
      addResponseHeaders: [],
      removeResponseHeaders: [],
      mirrors: [],
      directResponse: { statusCode: 500 },
    });
  }
}

export const emptyOutcome = (): RuleOutcome => ({
  refErrors: [],
  noEndpoints: false,
  httpRoutes: [],
});
