// Step 5: routes of every kind: attach to parents, process rules into outcomes, and set the
// route conditions. BackendTLSPolicies are indexed first, since backends consult them.
import { RouteContext } from './context/routeContext.js';
import type { TranslatorContext } from './context/translatorContext.js';
import { attachRoute } from './routes/attachRoute.js';
import { indexBackendTLSPolicies } from './routes/backendTls.js';
import { processGRPCRouteRule } from './routes/grpcRouteRules.js';
import { processHTTPRouteRule } from './routes/httpRouteRules.js';
import { l4RouteRejection, processL4RouteRules } from './routes/l4RouteRules.js';
import type { RuleOutcome } from './routes/ruleOutcome.js';
import { applyRouteConditions } from './status/routeConditions.js';

export function processRoutes(ctx: TranslatorContext): void {
  ctx.backendTLSPolicies = indexBackendTLSPolicies(ctx);
  const r = ctx.resources;
  const routes = [
    ...r.httpRoutes.map((x) => new RouteContext('HTTPRoute', x)),
    ...r.grpcRoutes.map((x) => new RouteContext('GRPCRoute', x)),
    ...r.tlsRoutes.map((x) => new RouteContext('TLSRoute', x)),
    ...r.tcpRoutes.map((x) => new RouteContext('TCPRoute', x)),
    ...r.udpRoutes.map((x) => new RouteContext('UDPRoute', x)),
  ];
  for (const route of routes) {
    const rejection = l4RouteRejection(route);
    attachRoute(ctx, route, rejection);
    if (route.parents.length === 0) continue;
    if (rejection) {
      ctx.routes.push(route);
      continue;
    }
    let outcomes: RuleOutcome[];
    switch (route.kind) {
      case 'HTTPRoute':
        outcomes = (route.resource.spec.rules ?? []).map((rule, i) =>
          processHTTPRouteRule(ctx, route, rule, i),
        );
        break;
      case 'GRPCRoute':
        outcomes = (route.resource.spec.rules ?? []).map((rule, i) =>
          processGRPCRouteRule(ctx, route, rule, i),
        );
        break;
      default:
        outcomes = processL4RouteRules(ctx, route);
    }
    applyRouteConditions(route, outcomes);
    ctx.routes.push(route);
    ctx.routeOutcomes.set(route, outcomes);
  }
}
