// Which SecurityPolicy protects each IR route, with Envoy Gateway's precedence: a policy on the
// route rule (sectionName) wins over one on the route, then the listener, the ListenerSet, the
// Gateway. A route or rule policy with a mergeType is merged onto the broader policy of the
// listener the route is served on (a JSON merge patch, as for BackendTrafficPolicy), and the
// result protects the route. A route whose policy (or the one it merges onto) is not accepted
// there (Invalid, NotApplied) fails closed with a 500, as Envoy Gateway answers for an invalid
// SecurityPolicy: never served unprotected.
import { jsonMergePatch } from '@egts/api';
import type { Authorization, AuthorizationRule, HTTPRouteIR } from '@egts/ir';
import type { GatewayContext } from '../context/gatewayContext.js';
import type { ListenerContext } from '../context/listenerContext.js';
import type { ListenerSetContext } from '../context/listenerSetContext.js';
import type { AnyRouteContext } from '../context/routeContext.js';
import type { TranslatorContext } from '../context/translatorContext.js';
import { failClosed } from './backendTrafficPolicyRoutes.js';
import { specificPolicy } from './policyScope.js';
import { policySettings } from './policySettings.js';
import type { AppliedPolicy } from './processPolicies.js';
import { type SecurityPolicyIR, securityPolicyIR } from './securityPolicyIR.js';
import type { Obj } from './validation/policyValues.js';

/** The policy protecting a route, and the broader one it merges onto (mergeType). */
export interface EffectiveSecurityPolicy {
  readonly policy: AppliedPolicy;
  readonly mergedOnto?: AppliedPolicy;
}

/** Looks up, once per translation, the policies by what they target. */
export interface SecurityPolicyIndex {
  forRoute(
    route: AnyRouteContext,
    ruleName: string | undefined,
    listener: ListenerContext,
  ): EffectiveSecurityPolicy | undefined;
  /** The policies on the listener, its ListenerSet and its Gateway, most specific first. */
  broader(listener: ListenerContext): AppliedPolicy[];
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
  const broaderOf = (listener: ListenerContext): AppliedPolicy[] =>
    [
      byListener.get(listener),
      listener.listenerSet ? byListenerSet.get(listener.listenerSet) : undefined,
      byGateway.get(listener.gateway),
    ].filter((a): a is AppliedPolicy => a !== undefined);
  return {
    forRoute(route, ruleName, listener) {
      const onRoute = byRoute.get(route);
      const specific = onRoute && specificPolicy(onRoute, ruleName, listener);
      // Asked for every rule of every route: no array for the broader policies.
      const broader =
        byListener.get(listener) ??
        (listener.listenerSet ? byListenerSet.get(listener.listenerSet) : undefined) ??
        byGateway.get(listener.gateway);
      if (!specific) return broader && { policy: broader };
      const merges = (specific.policy.spec as Obj).mergeType !== undefined;
      return merges && broader ? { policy: specific, mergedOnto: broader } : { policy: specific };
    },
    broader: broaderOf,
  };
}

const accepted = (a: AppliedPolicy): boolean =>
  a.ancestor.conditions.get('Accepted')?.status === 'True';

const keyOf = (a: AppliedPolicy) =>
  `${a.policy.metadata.namespace ?? 'default'}/${a.policy.metadata.name}`;

/**
 * What a policy merged onto a broader one enforces: built once per pair, under a name of its own
 * (`<policy>/merged/<broader namespace>/<broader name>`) so its filters and clusters do not
 * clash with either policy's own.
 */
function mergedIR(
  ctx: TranslatorContext,
  policy: AppliedPolicy,
  onto: AppliedPolicy,
): SecurityPolicyIR {
  const name = `${policy.policy.metadata.name}/merged/${keyOf(onto)}`;
  const namespace = policy.policy.metadata.namespace ?? 'default';
  const key = `${namespace}/${name}`;
  let built = ctx.securityPolicyIR.get(key);
  if (!built) {
    const spec = jsonMergePatch(policySettings(onto), policySettings(policy)) as Obj;
    built = securityPolicyIR(ctx, { kind: 'SecurityPolicy', namespace, name }, spec);
    ctx.securityPolicyIR.set(key, built);
  }
  return built;
}

/**
 * Makes the route what the policy protecting it makes it, in place (`ir` is the caller's own
 * copy, see applyBackendTraffic): with the policy's filters, or failed closed when the policy is
 * not accepted. A CORS filter of the route itself stays (more specific).
 */
export function applySecurityPolicy(
  ctx: TranslatorContext,
  ir: HTTPRouteIR,
  effective: EffectiveSecurityPolicy | undefined,
): void {
  if (!effective) return;
  const { policy, mergedOnto } = effective;
  const built = mergedOnto
    ? mergedIR(ctx, policy, mergedOnto)
    : ctx.securityPolicyIR.get(keyOf(policy));
  if (!accepted(policy) || (mergedOnto && !accepted(mergedOnto)) || built?.problem) {
    failClosed(ir);
    return;
  }
  if (built?.security) ir.security = built.security;
  if (built?.cors && !ir.cors) ir.cors = built.cors;
}

/**
 * An authorization as a connection sees it (network RBAC: the client address, nothing of a
 * request). A rule that needs request attributes (headers, methods, path, JWT, CEL) cannot be
 * checked there, so it fails closed: an Allow rule never matches (it is dropped), a Deny rule
 * matches on its client CIDRs alone (every connection when it has none).
 */
function overConnections(authz: Authorization): Authorization {
  const needsRequest = (r: AuthorizationRule) =>
    r.headers.length + r.methods.length > 0 || !!r.path || !!r.jwt || r.cel !== undefined;
  return {
    ...authz,
    rules: authz.rules.flatMap((rule) => {
      if (!needsRequest(rule)) return [rule];
      if (rule.action === 'Allow') return [];
      const { path: _path, jwt: _jwt, cel: _cel, ...rest } = rule;
      return [{ ...rest, headers: [], methods: [] }];
    }),
  };
}

/**
 * The authorization protecting a TCPRoute or TLSRoute (network RBAC); undefined when none does,
 * null when the route must fail closed. A policy on the route itself (TCPRoute only: on a
 * TLSRoute it is not applied) protects it when accepted there. Else, as Envoy Gateway applies
 * the authorization of listener and Gateway policies to the TCP routes still without one (their
 * other settings are HTTP only), the most specific of the listener's, ListenerSet's and
 * Gateway's policies that sets an authorization does, failing closed when it is not accepted.
 */
export function streamAuthorization(
  ctx: TranslatorContext,
  route: AnyRouteContext,
  security: SecurityPolicyIndex,
  listener: ListenerContext,
): Authorization | undefined | null {
  const effective = security.forRoute(route, undefined, listener);
  const level = effective?.policy.scope.level;
  if (effective && (level === 'route' || level === 'rule')) {
    if (route.kind !== 'TCPRoute' || !accepted(effective.policy)) return null;
    const built = ctx.securityPolicyIR.get(keyOf(effective.policy));
    if (!built || built.problem) return null;
    return built.security?.authorization ?? null;
  }
  const policy = security
    .broader(listener)
    .find((a) => (a.policy.spec as Obj).authorization !== undefined);
  if (!policy) return undefined;
  if (!accepted(policy)) return null;
  const authorization = ctx.securityPolicyIR.get(keyOf(policy))?.security?.authorization;
  return authorization ? overConnections(authorization) : null;
}
