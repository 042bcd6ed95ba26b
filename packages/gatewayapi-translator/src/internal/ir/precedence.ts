// Route precedence within a hostname, as Gateway API defines it for HTTPRoute rules: Exact path,
// then (regular expression, then) longest prefix, then method match, most header matches, most
// query param matches; ties go to the oldest route, then namespace/name, then rule and match order.
import type { HTTPRouteIR } from '@egts/ir';

export interface RankedRoute {
  ir: HTTPRouteIR;
  /** Position of the route resource in age-then-name order. */
  routeOrder: number;
  ruleIndex: number;
  matchIndex: number;
}

const PATH_RANK: Record<string, number> = {
  Exact: 0,
  RegularExpression: 1,
  PathPrefix: 2,
  Prefix: 2,
};

export function compareRoutePrecedence(a: RankedRoute, b: RankedRoute): number {
  const byMatch = compareMatchPrecedence(a.ir, b.ir);
  if (byMatch !== 0) return byMatch;
  return compareRouteOrder(a, b);
}

/** The order routes were written in: oldest route first, then rule and match order. */
export function compareRouteOrder(a: RankedRoute, b: RankedRoute): number {
  if (a.routeOrder !== b.routeOrder) return a.routeOrder - b.routeOrder;
  if (a.ruleIndex !== b.ruleIndex) return a.ruleIndex - b.ruleIndex;
  return a.matchIndex - b.matchIndex;
}

/** The part of the precedence that the matches alone decide (0: the routes' order decides). */
export function compareMatchPrecedence(a: HTTPRouteIR, b: HTTPRouteIR): number {
  const pa = a.pathMatch;
  const pb = b.pathMatch;
  const rankA = pa ? (PATH_RANK[pa.type] ?? 3) : 2;
  const rankB = pb ? (PATH_RANK[pb.type] ?? 3) : 2;
  if (rankA !== rankB) return rankA - rankB;
  const lenA = pa?.value.length ?? 1;
  const lenB = pb?.value.length ?? 1;
  if (lenA !== lenB) return lenB - lenA;
  const methodA = a.headerMatches.some((h) => h.name === ':method') ? 1 : 0;
  const methodB = b.headerMatches.some((h) => h.name === ':method') ? 1 : 0;
  if (methodA !== methodB) return methodB - methodA;
  if (a.headerMatches.length !== b.headerMatches.length) {
    return b.headerMatches.length - a.headerMatches.length;
  }
  return b.queryParamMatches.length - a.queryParamMatches.length;
}
