// TLSRoute, TCPRoute and UDPRoute rules -> RuleOutcomes: a weighted destination each. TCP and
// UDP listeners cannot pick between rules, so those routes must have exactly one.
import type { AnyRouteContext, RouteContext } from '../context/routeContext.js';
import type { TranslatorContext } from '../context/translatorContext.js';
import { invalidRule, type RouteStatusError } from '../status/statusError.js';
import type { BackendRefLike } from '../types.js';
import { buildDestination } from './destinations.js';
import { emptyOutcome, type RuleOutcome } from './ruleOutcome.js';

type L4Route = RouteContext<'TLSRoute'> | RouteContext<'TCPRoute'> | RouteContext<'UDPRoute'>;

type L4Rules = readonly { backendRefs?: readonly BackendRefLike[] | null | undefined }[];

/** TCP and UDP listeners cannot tell rules apart: such a route with several is rejected whole. */
export function l4RouteRejection(route: AnyRouteContext): RouteStatusError | undefined {
  if (route.kind !== 'TCPRoute' && route.kind !== 'UDPRoute') return undefined;
  const rules = (route.resource.spec.rules ?? []) as L4Rules;
  return rules.length > 1
    ? invalidRule('InvalidRule', `Only one rule is supported on a ${route.kind}.`)
    : undefined;
}

export function processL4RouteRules(ctx: TranslatorContext, route: L4Route): RuleOutcome[] {
  const rules = (route.resource.spec.rules ?? []) as L4Rules;
  const protocol = route.kind === 'UDPRoute' ? 'UDP' : route.kind === 'TLSRoute' ? 'TLS' : 'TCP';
  return rules.map((rule, index) => {
    const outcome = emptyOutcome();
    const name = `${route.irName}/rule/${index}`;
    const refs = rule.backendRefs ?? [];
    const { destination } = buildDestination(
      ctx,
      route as AnyRouteContext,
      refs,
      name,
      protocol,
      outcome,
    );
    // Kept without a valid backend too, as Envoy Gateway does: the listener accepts connections
    // and closes them (no endpoints), rather than not listening at all.
    outcome.destination = destination;
    return outcome;
  });
}
