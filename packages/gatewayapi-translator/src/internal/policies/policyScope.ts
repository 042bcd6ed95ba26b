// Where a policy applies, from the broadest to the most specific: a whole Gateway, a whole
// ListenerSet, one listener, one route, one route rule. A policy is Overridden wherever a more
// specific policy of the same kind applies inside its scope (Envoy Gateway's precedence).
import type { GatewayContext } from '../context/gatewayContext.js';
import type { ListenerContext } from '../context/listenerContext.js';
import type { ListenerSetContext } from '../context/listenerSetContext.js';
import type { AnyRouteContext } from '../context/routeContext.js';

export type ScopeLevel = 'gateway' | 'listenerSet' | 'listener' | 'route' | 'rule';

const RANK: Record<ScopeLevel, number> = {
  gateway: 0,
  listenerSet: 1,
  listener: 2,
  route: 3,
  rule: 4,
};

export interface PolicyScope {
  level: ScopeLevel;
  gateway: GatewayContext;
  listenerSet?: ListenerSetContext | undefined;
  listener?: ListenerContext | undefined;
  route?: AnyRouteContext | undefined;
  /** The rule's name, for a policy targeting one rule (sectionName). */
  rule?: string | undefined;
}

/**
 * A scope with every field, in one order, whatever its level: the policy steps read scopes of
 * every level in the same loops, and objects of one shape keep those reads monomorphic. With
 * scopes of five shapes, V8 threw processKind's optimized code away 15 times over 36
 * translations of the bench's large shape (5 times with this).
 */
export const policyScope = (
  level: ScopeLevel,
  gateway: GatewayContext,
  parts: Omit<PolicyScope, 'level' | 'gateway'> = {},
): PolicyScope => ({
  level,
  gateway,
  listenerSet: parts.listenerSet,
  listener: parts.listener,
  route: parts.route,
  rule: parts.rule,
});

/** The listeners a route scope reaches on this scope's Gateway. */
function routeListeners(scope: PolicyScope): ListenerContext[] {
  return (scope.route?.parents ?? [])
    .filter((p) => p.gateway === scope.gateway)
    .flatMap((p) => p.attachments.map((a) => a.listener));
}

/** The listeners a scope covers: its own listener(s), or where its route attaches. */
export function scopeListeners(scope: PolicyScope): ListenerContext[] {
  if (scope.route) return routeListeners(scope);
  if (scope.listener) return [scope.listener];
  if (scope.listenerSet) return scope.listenerSet.listeners;
  return scope.gateway.allListeners;
}

/**
 * What a Gateway-side scope is keyed by where policies are indexed: its listener, its ListenerSet
 * or its Gateway (a route scope is keyed by its route instead).
 */
export function scopeOwner(
  scope: PolicyScope,
): ListenerContext | ListenerSetContext | GatewayContext | undefined {
  if (scope.level === 'listener') return scope.listener;
  if (scope.level === 'listenerSet') return scope.listenerSet;
  return scope.gateway;
}

/** Whether `inner` (more specific) lies inside `outer`. */
export function scopeContains(outer: PolicyScope, inner: PolicyScope): boolean {
  if (RANK[inner.level] <= RANK[outer.level] || inner.gateway !== outer.gateway) return false;
  switch (outer.level) {
    case 'gateway':
      return true;
    case 'listenerSet': {
      if (inner.listenerSet === outer.listenerSet) return true;
      return routeListeners(inner).some((l) => l.listenerSet === outer.listenerSet);
    }
    case 'listener':
      return (
        inner.listener === outer.listener ||
        routeListeners(inner).includes(outer.listener as ListenerContext)
      );
    case 'route':
      return inner.route === outer.route;
    default:
      return false;
  }
}

/**
 * Of the policies on one route, the one that applies on `listener`'s Gateway: its rule's before
 * the route's, the first of each level. Asked for every rule of every route, so it allocates nothing.
 */
export function specificPolicy<P extends { readonly scope: PolicyScope }>(
  onRoute: readonly P[],
  ruleName: string | undefined,
  listener: ListenerContext,
): P | undefined {
  let routeLevel: P | undefined;
  for (const a of onRoute) {
    if (a.scope.gateway !== listener.gateway) continue;
    if (a.scope.level === 'rule' && ruleName !== undefined && a.scope.rule === ruleName) return a;
    if (a.scope.level === 'route') routeLevel ??= a;
  }
  return routeLevel;
}
