// Which SecurityPolicy protects each IR route, with Envoy Gateway's precedence: a policy on the
// route rule (sectionName) wins over one on the route, then the listener, the ListenerSet, the
// Gateway. A route whose policy is not accepted there (Invalid, NotApplied) fails closed with a
// 500, as Envoy Gateway answers for an invalid SecurityPolicy: never served unprotected.
import type { HTTPRouteIR } from '@egts/ir';
import type { GatewayContext } from '../context/gatewayContext.js';
import type { ListenerContext } from '../context/listenerContext.js';
import type { ListenerSetContext } from '../context/listenerSetContext.js';
import type { AnyRouteContext } from '../context/routeContext.js';
import type { TranslatorContext } from '../context/translatorContext.js';
import type { AppliedPolicy } from './processPolicies.js';

/** Looks up, once per translation, the policies by what they target. */
export interface SecurityPolicyIndex {
  forRoute(
    route: AnyRouteContext,
    ruleName: string | undefined,
    listener: ListenerContext,
  ): AppliedPolicy | undefined;
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export const securityPolicyIndex = (ctx: TranslatorContext): SecurityPolicyIndex =>
  appliedPolicyIndex(ctx.securityPolicies);

/**
 * The same lookup over any kind's applied policies (`applied`, oldest first within a level), for
 * kinds with the same precedence (EnvoyExtensionPolicy).
 */
export function appliedPolicyIndex(applied: readonly AppliedPolicy[]): SecurityPolicyIndex {
  const byRoute = new Map<AnyRouteContext, AppliedPolicy[]>();
  const byListener = new Map<ListenerContext, AppliedPolicy>();
  const byListenerSet = new Map<ListenerSetContext, AppliedPolicy>();
  const byGateway = new Map<GatewayContext, AppliedPolicy>();
  // Oldest first within a level: the first one claims its target.
  const claim = <K>(map: Map<K, AppliedPolicy>, key: K | undefined, a: AppliedPolicy) => {
    if (key !== undefined && !map.has(key)) map.set(key, a);
  };
  for (const a of applied) {
    const { scope } = a;
    if (scope.level === 'rule' || scope.level === 'route') {
      if (scope.route) pushTo(byRoute, scope.route, a);
    } else if (scope.level === 'listener') claim(byListener, scope.listener, a);
    else if (scope.level === 'listenerSet') claim(byListenerSet, scope.listenerSet, a);
    else claim(byGateway, scope.gateway, a);
  }
  return {
    forRoute(route, ruleName, listener) {
      const onRoute = (byRoute.get(route) ?? []).filter(
        (a) => a.scope.gateway === listener.gateway,
      );
      return (
        (ruleName === undefined
          ? undefined
          : onRoute.find((a) => a.scope.level === 'rule' && a.scope.rule === ruleName)) ??
        onRoute.find((a) => a.scope.level === 'route') ??
        byListener.get(listener) ??
        (listener.listenerSet ? byListenerSet.get(listener.listenerSet) : undefined) ??
        byGateway.get(listener.gateway)
      );
    },
  };
}

const accepted = (a: AppliedPolicy): boolean =>
  a.ancestor.conditions.get('Accepted')?.status === 'True';

/**
 * The route as the policy protecting it makes it: with the policy's filters, or failed closed
 * when the policy is not accepted. A CORS filter of the route itself stays (more specific).
 */
export function withSecurityPolicy(
  ctx: TranslatorContext,
  ir: HTTPRouteIR,
  policy: AppliedPolicy | undefined,
): HTTPRouteIR {
  if (!policy) return ir;
  if (!accepted(policy)) {
    const { redirect: _redirect, destination: _destination, ...rest } = ir;
    return { ...rest, directResponse: { statusCode: 500 } };
  }
  const { namespace = 'default', name } = policy.policy.metadata;
  const built = ctx.securityPolicyIR.get(`${namespace}/${name}`);
  if (!built?.security && !built?.cors) return ir;
  return {
    ...ir,
    ...(built.security ? { security: built.security } : {}),
    ...(built.cors && !ir.cors ? { cors: built.cors } : {}),
  };
}
