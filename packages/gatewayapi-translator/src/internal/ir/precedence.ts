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
  const pa = a.ir.pathMatch;
  const pb = b.ir.pathMatch;
  const rankA = pa ? (PATH_RANK[pa.type] ?? 3) : 2;
  const rankB = pb ? (PATH_RANK[pb.type] ?? 3) : 2;
  if (rankA !== rankB) return rankA - rankB;
  const lenA = pa?.value.length ?? 1;
  const lenB = pb?.value.length ?? 1;
  if (lenA !== lenB) return lenB - lenA;
  const methodA = a.ir.headerMatches.some((h) => h.name === ':method') ? 1 : 0;
  const methodB = b.ir.headerMatches.some((h) => h.name === ':method') ? 1 : 0;
  if (methodA !== methodB) return methodB - methodA;
  if (a.ir.headerMatches.length !== b.ir.headerMatches.length) {
    return b.ir.headerMatches.length - a.ir.headerMatches.length;
  }
  if (a.ir.queryParamMatches.length !== b.ir.queryParamMatches.length) {
    return b.ir.queryParamMatches.length - a.ir.queryParamMatches.length;
  }
  if (a.routeOrder !== b.routeOrder) return a.routeOrder - b.routeOrder;
  if (a.ruleIndex !== b.ruleIndex) return a.ruleIndex - b.ruleIndex;
  return a.matchIndex - b.matchIndex;
}
