// Step 5: routes of every kind: attach to parents, process rules into outcomes, and set the
// route conditions. BackendTLSPolicies are indexed first, since backends consult them.
import { appended } from './appended.js';
import { type AnyRouteContext, RouteContext } from './context/routeContext.js';
import type { TranslatorContext } from './context/translatorContext.js';
import { attachRoute } from './routes/attachRoute.js';
import { processGRPCRouteRule } from './routes/grpcRouteRules.js';
import { processHTTPRouteRule } from './routes/httpRouteRules.js';
import { l4RouteRejection, processL4RouteRules } from './routes/l4RouteRules.js';
import { markRouteOverlaps } from './routes/routeOverlaps.js';
import { emptyOutcome, type RuleOutcome } from './routes/ruleOutcome.js';
import { applyRouteConditions } from './status/routeConditions.js';
import { invalidRule } from './status/statusError.js';

function translateRules(ctx: TranslatorContext, route: AnyRouteContext): RuleOutcome[] {
  // A route whose content this translator cannot handle is rejected alone: one bad resource
  // never takes its neighbours (or the whole translation) down with it.
  try {
    switch (route.kind) {
      // Loops, not map() with a closure per route; the outcomes are kept (lists of the exact
      // size while short, see appended).
      case 'HTTPRoute': {
        const rules = route.resource.spec.rules ?? [];
        let outcomes: RuleOutcome[] = [];
        for (let i = 0; i < rules.length; i++)
          outcomes = appended(outcomes, processHTTPRouteRule(ctx, route, rules[i]!, i));
        return outcomes;
      }
      case 'GRPCRoute': {
        const rules = route.resource.spec.rules ?? [];
        let outcomes: RuleOutcome[] = [];
        for (let i = 0; i < rules.length; i++)
          outcomes = appended(outcomes, processGRPCRouteRule(ctx, route, rules[i]!, i));
        return outcomes;
      }
      default:
        return processL4RouteRules(ctx, route);
    }
  } catch (error) {
    const outcome = emptyOutcome();
    outcome.invalid = invalidRule(
      'UnsupportedValue',
      `The route could not be translated: ${(error as Error).message}`,
    );
    return [outcome];
  }
}

/** `rules: false` attaches routes without translating their rules (for policy statuses alone). */
export function processRoutes(ctx: TranslatorContext, options: { rules?: boolean } = {}): void {
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
    if (rejection || options.rules === false) {
      ctx.routes.push(route);
      continue;
    }
    const outcomes = translateRules(ctx, route);
    applyRouteConditions(route, outcomes);
    ctx.routes.push(route);
    ctx.routeOutcomes.set(route, outcomes);
  }
  if (options.rules !== false) markRouteOverlaps(ctx);
}
