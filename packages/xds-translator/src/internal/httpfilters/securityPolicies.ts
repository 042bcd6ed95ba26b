// Helpers shared by the SecurityPolicy filters: the policies the routes of a connection manager
// use (each once, in name order, for deterministic output), and per-route enabling of a filter
// instance that the connection manager holds disabled.
import { type Any, FilterConfig, packAny } from '@egts/envoy-api';
import type { HTTPListener, HTTPRouteIR, SecurityIR } from '@egts/ir';
import { routesOf } from './httpFilter.js';

/** The distinct SecurityIRs (by policy) with `part` set, sorted by policy name. */
export function policiesWith<K extends keyof SecurityIR>(
  listeners: readonly HTTPListener[],
  part: K,
): (SecurityIR & { [P in K]-?: NonNullable<SecurityIR[P]> })[] {
  // Made with the first policy found: most connection managers, and most single routes (OIDC's
  // resources are asked for route by route), have none with a given part.
  let byPolicy: Map<string, SecurityIR> | undefined;
  for (const route of routesOf(listeners)) {
    const security = route.security;
    if (security?.[part] === undefined) continue;
    byPolicy ??= new Map();
    if (!byPolicy.has(security.policy)) byPolicy.set(security.policy, security);
  }
  if (byPolicy === undefined) return [];
  return [...byPolicy.values()]
    .sort((a, b) => (a.policy < b.policy ? -1 : a.policy > b.policy ? 1 : 0))
    .map((s) => s as SecurityIR & { [P in K]-?: NonNullable<SecurityIR[P]> });
}

/** What the per-route config of a SecurityPolicy filter is made of (routeConfigOf). */
export const securityOf = (route: HTTPRouteIR): SecurityIR | undefined => route.security;

/** A filter instance per policy: `<filter>/securitypolicy/<namespace>/<name>`. */
export const instanceName = (filter: string, policy: string): string =>
  `${filter}/securitypolicy/${policy}`;

/**
 * Enables, on one route, a filter the connection manager lists with `disabled: true`, with its
 * per-route config (Envoy refuses an empty one)
 * (https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/route/v3/route_components.proto#config-route-v3-filterconfig).
 */
export const enabledOnRoute = (config: Any): Any =>
  packAny(FilterConfig, FilterConfig.fromPartial({ config }));

/**
 * Enables a filter on a route with the connection manager's config as it is: an Any without a
 * type only lifts `disabled` (Envoy takes it as "no per-route config"; checked with Envoy 1.40).
 */
export const enabledAsConfigured: Any = enabledOnRoute({ typeUrl: '', value: Buffer.alloc(0) });
