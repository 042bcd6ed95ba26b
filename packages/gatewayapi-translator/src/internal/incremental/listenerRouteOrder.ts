// The order translate() gives the routes of an HTTP IR listener, as a comparator, so that a caller
// updating a listener in place (one route changed) can insert routes where a full translation
// would have put them: hostname, then Gateway API match precedence, then the routes' age and
// name, then rule and match order (see internal/ir/precedence.ts).
import type { GRPCRoute, HTTPRoute } from '@egts/api';
import type { HTTPRouteIR } from '@egts/ir';
import { compareMatchPrecedence } from '../ir/precedence.js';
import { compareByAgeThenName } from '../ordering.js';

/** One route of a listener and the resource it was translated from. */
export interface ListenerRoute {
  readonly ir: HTTPRouteIR;
  readonly route: HTTPRoute | GRPCRoute;
}

/** translate() lists routes of every kind in this order; equal age and name keep it. */
const KIND_ORDER: Record<string, number> = { HTTPRoute: 0, GRPCRoute: 1 };

export function compareListenerRoutes(a: ListenerRoute, b: ListenerRoute): number {
  if (a.ir.hostname !== b.ir.hostname) return a.ir.hostname < b.ir.hostname ? -1 : 1;
  const byMatch = compareMatchPrecedence(a.ir, b.ir);
  if (byMatch !== 0) return byMatch;
  const byRoute =
    compareByAgeThenName(a.route, b.route) ||
    (KIND_ORDER[a.route.kind] ?? 2) - (KIND_ORDER[b.route.kind] ?? 2);
  if (byRoute !== 0) return byRoute;
  // Callers give routes the translator made, which all carry their source.
  const [sa, sb] = [a.ir.source, b.ir.source];
  return (sa.ruleIndex ?? 0) - (sb.ruleIndex ?? 0) || (sa.matchIndex ?? 0) - (sb.matchIndex ?? 0);
}
