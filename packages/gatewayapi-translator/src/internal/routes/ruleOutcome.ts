// What processing one route rule yields: the IR pieces for each of its matches, plus the typed
// errors that decide the route's conditions (see routeConditions.ts).
import type { HTTPRouteIR, RouteDestination } from '@egts/ir';
import type { RouteStatusError } from '../status/statusError.js';

/** The parts of an HTTP IR route that do not depend on listener or hostname. */
export type HTTPRouteTemplate = Omit<HTTPRouteIR, 'name' | 'hostname'>;

export interface RuleOutcome {
  /** Problem that drops the whole rule (Accepted/PartiallyInvalid). */
  invalid?: RouteStatusError;
  /** Reference problems (ResolvedRefs=False); the rule stays. */
  refErrors: RouteStatusError[];
  /** Some resolved backend has no endpoints. */
  noEndpoints: boolean;
  /** One template per match (HTTP/GRPC). */
  httpRoutes: HTTPRouteTemplate[];
  /** The rule's destination (TLS/TCP/UDP). */
  destination?: RouteDestination;
}

export const emptyOutcome = (): RuleOutcome => ({
  refErrors: [],
  noEndpoints: false,
  httpRoutes: [],
});
