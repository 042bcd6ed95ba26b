// Which BackendTrafficPolicy shapes each IR route, with Envoy Gateway's precedence: a policy on the
// route rule (sectionName) wins over one on the route, then the listener, the ListenerSet, the
// Gateway. A route or rule policy with a mergeType is merged onto the broader policy of the
// listener it is served on (StrategicMerge and JSONMerge: objects merge key by key, lists and
// scalars of the route policy replace the broader ones, null removes: a JSON merge patch, RFC 7386),
// except that StrategicMerge appends global rate limit rules and merges compressors by type, as
// Envoy Gateway does.
// A policy Envoy Gateway rejects (Invalid) makes the routes it reaches answer 500, as Envoy
// Gateway does; one egts does not apply (NotApplied) is left out.

import { isDeepStrictEqual } from 'node:util';
import { isRecord, jsonMergePatch } from '@egts/api';
import type { HTTPRouteIR, RouteDestination } from '@egts/ir';
import type { ListenerContext } from '../context/listenerContext.js';
import type { AnyRouteContext } from '../context/routeContext.js';
import type { TranslatorContext } from '../context/translatorContext.js';
import { withServiceRouting } from '../routes/serviceRouting.js';
import { nsName } from '../types.js';
import { inlineResponseBodies } from './backendTrafficFilters.js';
import {
  type BackendTraffic,
  backendTraffic,
  type DestinationTraffic,
} from './backendTrafficIR.js';
import { withRegisteredModule } from './dynamicModules.js';
import { envoyProxyRoutingType } from './envoyProxySettings.js';
import { globalRateLimit } from './globalRateLimitIR.js';
import { scopeOwner, specificPolicy } from './policyScope.js';
import { policySettings } from './policySettings.js';
import type { AppliedPolicy } from './processPolicies.js';
import { expandStatName } from './statNames.js';
import type { Obj } from './validation/policyValues.js';

/** What reaches one route on one listener. */
export type EffectiveTraffic =
  | { readonly kind: 'invalid' }
  | { readonly kind: 'applied'; readonly traffic: BackendTraffic };

export interface BackendTrafficIndex {
  forRoute(
    route: AnyRouteContext,
    ruleName: string | undefined,
    listener: ListenerContext,
  ): EffectiveTraffic | undefined;
  /**
   * The destination as served on `listener`, with the policy's cluster settings. A route served
   * on several listeners of one fleet can get different settings on each (a listener policy):
   * its cluster name must then differ, so all but the first take the listener's name as suffix.
   */
  destination(
    destination: RouteDestination,
    effective: EffectiveTraffic | undefined,
    listener: ListenerContext,
  ): RouteDestination;
}

const settingsOf = (ctx: TranslatorContext, a: AppliedPolicy): Obj =>
  inlineResponseBodies(
    policySettings(a),
    (name) => ctx.configMaps.get(nsName(a.policy.metadata.namespace ?? '', name)) as never,
  );

const reason = (a: AppliedPolicy) => a.ancestor.conditions.get('Accepted');
const invalid = (a: AppliedPolicy) => reason(a)?.reason === 'Invalid';
const inEffect = (a: AppliedPolicy) => reason(a)?.status === 'True' || invalid(a);
const nameOf = (a: AppliedPolicy) =>
  `${a.policy.metadata.namespace ?? ''}/${a.policy.metadata.name}`;

export function backendTrafficIndex(ctx: TranslatorContext): BackendTrafficIndex {
  const byRoute = new Map<AnyRouteContext, AppliedPolicy[]>();
  const byScope = new Map<unknown, AppliedPolicy>();
  // Oldest first within a level: the first one claims its target (the others are Conflicted).
  for (const a of ctx.backendTrafficPolicies) {
    if (!inEffect(a)) continue;
    const { scope } = a;
    if (scope.level === 'rule' || scope.level === 'route') {
      if (scope.route) byRoute.set(scope.route, [...(byRoute.get(scope.route) ?? []), a]);
      continue;
    }
    const key = scopeOwner(scope);
    if (key !== undefined && !byScope.has(key)) byScope.set(key, a);
  }
  // One IR per policy combination, so the routes it reaches share their objects.
  const memo = new Map<string, EffectiveTraffic>();
  // Asked for every rule on every listener: a combination seen before is found by its policies'
  // objects, without building its key.
  const seen = new Map<AppliedPolicy, Map<AppliedPolicy | undefined, EffectiveTraffic>>();
  const effective = (specific: AppliedPolicy, broader?: AppliedPolicy): EffectiveTraffic => {
    let byBroader = seen.get(specific);
    if (byBroader === undefined) {
      byBroader = new Map();
      seen.set(specific, byBroader);
    }
    let found = byBroader.get(broader);
    if (found === undefined) {
      found = combined(broader ? [broader, specific] : [specific]);
      byBroader.set(broader, found);
    }
    return found;
  };
  const combined = (policies: AppliedPolicy[]): EffectiveTraffic => {
    const key = policies.map(nameOf).join('+');
    let found = memo.get(key);
    if (found === undefined) {
      if (policies.some(invalid)) found = { kind: 'invalid' };
      else {
        const spec = withMergedCompressors(mergedSettings(ctx, policies), policies, ctx);
        const traffic = backendTraffic(spec as Obj, key);
        found = { kind: 'applied', traffic: withAppendedGlobalRules(traffic, policies, ctx) };
      }
      memo.set(key, found);
    }
    return found;
  };
  const claimed = new Map<string, RouteDestination>();
  const trafficCopies = new Map<RouteDestination, Map<DestinationTraffic, RouteDestination>>();
  return {
    destination(destination, effective, listener) {
      const traffic = effective?.kind === 'applied' ? effective.traffic : undefined;
      const withTraffic = traffic
        ? destinationWithTraffic(
            trafficCopies,
            destination,
            withRegisteredModule(traffic.destination, listener.gateway.envoyProxy),
          )
        : destination;
      // The policy's routingType, else the Gateway's EnvoyProxy's (Envoy Gateway's precedence).
      const routing = traffic?.routingType ?? envoyProxyRoutingType(listener.gateway.envoyProxy);
      const shaped = routing === 'Service' ? withServiceRouting(ctx, withTraffic) : withTraffic;
      const first = claimed.get(shaped.name);
      if (first === undefined) claimed.set(shaped.name, shaped);
      else if (first !== shaped && !isDeepStrictEqual(first, shaped))
        return { ...shaped, name: `${shaped.name}/${listener.irName}` };
      return shaped;
    },
    forRoute(route, ruleName, listener) {
      const onRoute = byRoute.get(route);
      const specific = onRoute && specificPolicy(onRoute, ruleName, listener);
      const broader =
        byScope.get(listener) ??
        (listener.listenerSet ? byScope.get(listener.listenerSet) : undefined) ??
        byScope.get(listener.gateway);
      if (specific === undefined) return broader && effective(broader);
      const merges = (specific.policy.spec as { mergeType?: string }).mergeType !== undefined;
      return effective(specific, merges ? broader : undefined);
    },
  };
}

/** Whether a merge patch would drop something from `value`: a null member of an object in it. */
const hasNullMember = (value: Obj): boolean => {
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (v === null || (isRecord(v) && hasNullMember(v))) return true;
  }
  return false;
};

/**
 * The policies' settings merged, broadest first (a JSON merge patch each). A single policy's
 * settings are what merging them onto nothing gives, unless a null drops a member: then no
 * copy is made (most routes have one policy, each built once per fleet).
 */
function mergedSettings(ctx: TranslatorContext, policies: readonly AppliedPolicy[]): unknown {
  if (policies.length === 1) {
    const settings = settingsOf(ctx, policies[0] as AppliedPolicy);
    if (!hasNullMember(settings)) return settings;
  }
  return policies.reduce<unknown>((acc, a) => jsonMergePatch(acc, settingsOf(ctx, a)), {});
}

/**
 * A StrategicMerge route policy's global rate limit rules are appended to the broader policy's
 * (Envoy Gateway's RateLimitGlobalMergeTest: both policies' rules apply), not replaced as the rest
 * of a merge patch replaces lists. Each shared rule keeps its own policy's counter, so a Gateway
 * rule counts a route with a merged policy and one without together.
 */
function withAppendedGlobalRules(
  traffic: BackendTraffic,
  policies: readonly AppliedPolicy[],
  ctx: TranslatorContext,
): BackendTraffic {
  const specific = policies[policies.length - 1]?.policy.spec as Obj | undefined;
  if (policies.length < 2 || specific?.mergeType !== 'StrategicMerge') return traffic;
  const rules = policies
    .flatMap((a) => globalRateLimit(settingsOf(ctx, a).rateLimit as Obj, nameOf(a))?.rules ?? [])
    .map((rule, i) => (rule.shared ? rule : { ...rule, descriptorKey: `rule/${i}` }));
  const { globalRateLimit: _replaced, ...route } = traffic.route;
  return { ...traffic, route: rules.length > 0 ? { ...route, globalRateLimit: { rules } } : route };
}

/**
 * StrategicMerge merges the `compressor` (and deprecated `compression`) lists by `type`, as Envoy
 * Gateway's strategic merge does: the broader policy's compressors stay, one of the same type is
 * replaced in place by the route policy's, and the route policy's other compressors follow.
 */
function withMergedCompressors(
  spec: unknown,
  policies: readonly AppliedPolicy[],
  ctx: TranslatorContext,
): unknown {
  const specific = policies[policies.length - 1]?.policy.spec as Obj | undefined;
  if (policies.length < 2 || specific?.mergeType !== 'StrategicMerge') return spec;
  const broader = settingsOf(ctx, policies[0] as AppliedPolicy) as Obj;
  const own = settingsOf(ctx, policies[policies.length - 1] as AppliedPolicy) as Obj;
  let out = spec as Obj;
  for (const field of ['compressor', 'compression']) {
    const base = broader[field];
    const patch = own[field];
    if (!Array.isArray(base) || !Array.isArray(patch)) continue;
    const typeOf = (c: unknown) => (c as Obj | null)?.type;
    const merged = base.map((c) => patch.find((p) => typeOf(p) === typeOf(c)) ?? c);
    for (const p of patch) if (!base.some((c) => typeOf(c) === typeOf(p))) merged.push(p);
    out = { ...out, [field]: merged };
  }
  return out;
}

/**
 * A destination with a policy's cluster settings, one object per (destination, settings) in
 * `copies` (the index's, so per translation: module-level WeakMaps keyed by each translation's
 * fresh destinations made every scavenge walk their ephemerons).
 */
function destinationWithTraffic(
  copies: Map<RouteDestination, Map<DestinationTraffic, RouteDestination>>,
  destination: RouteDestination,
  traffic: DestinationTraffic,
): RouteDestination {
  if (Object.keys(traffic).length === 0) return destination;
  let byTraffic = copies.get(destination);
  if (byTraffic === undefined) {
    byTraffic = new Map();
    copies.set(destination, byTraffic);
  }
  let out = byTraffic.get(traffic);
  if (out === undefined) {
    out = { ...destination, ...traffic };
    byTraffic.set(traffic, out);
  }
  return out;
}

/**
 * An HTTP health check without `hostname` sends the route's hostname as Host, as Envoy Gateway
 * does (SetHTTPHostIfAbsent), not the cluster's name Envoy would send.
 */
function withHealthCheckHost(d: RouteDestination, hostname: string): RouteDestination {
  const active = d.healthCheck?.active;
  if (active?.http === undefined || active.http.hostname !== undefined) return d;
  const http = { ...active.http, hostname };
  return { ...d, healthCheck: { ...d.healthCheck, active: { ...active, http } } };
}

/**
 * Shapes the HTTP route as the policy reaching it makes it, in place: `ir` is the caller's own
 * fresh copy (buildXds makes one per route and listener and applies every policy kind to it,
 * rather than a copy per kind). `index` gives the destination as served on `listener`.
 */
export function applyBackendTraffic(
  ir: HTTPRouteIR,
  effective: EffectiveTraffic | undefined,
  index: BackendTrafficIndex,
  listener: ListenerContext,
): void {
  if (effective === undefined) {
    if (ir.destination !== undefined)
      ir.destination = index.destination(ir.destination, effective, listener);
    return;
  }
  if (effective.kind === 'invalid') {
    failClosed(ir);
    return;
  }
  const { route } = effective.traffic;
  if (ir.destination)
    ir.destination = withHealthCheckHost(
      index.destination(ir.destination, effective, listener),
      ir.hostname,
    );
  // The HTTPRoute rule's own `retry` (GEP-1731) wins over the policy's, as in Envoy Gateway.
  if (route.retry && ir.retry === undefined) ir.retry = route.retry;
  if (route.localRateLimit) ir.localRateLimit = route.localRateLimit;
  if (route.faultInjection) ir.faultInjection = route.faultInjection;
  if (route.compression) {
    ir.compression = route.compression;
    // Envoy compresses: the backend must not (Envoy Gateway removes Accept-Encoding upstream).
    if (!ir.removeRequestHeaders.includes('accept-encoding'))
      ir.removeRequestHeaders = [...ir.removeRequestHeaders, 'accept-encoding'];
  }
  if (route.bandwidthLimit) ir.bandwidthLimit = route.bandwidthLimit;
  if (route.requestBuffer) ir.requestBuffer = route.requestBuffer;
  if (route.upgrades) ir.upgrades = route.upgrades;
  if (route.responseOverride) ir.responseOverride = route.responseOverride;
  if (route.globalRateLimit) ir.globalRateLimit = route.globalRateLimit;
  if (route.tracing) ir.tracing = route.tracing;
  if (route.statName) ir.statName = expandStatName(route.statName, ir.source);
  // The route's own timeouts (HTTPRoute `timeouts`) stay; the policy fills in the rest.
  if (
    route.requestTimeoutMs !== undefined ||
    route.perTryTimeoutMs !== undefined ||
    route.streamIdleTimeoutMs !== undefined
  ) {
    ir.timeout = {
      ...(route.requestTimeoutMs === undefined ? {} : { requestMs: route.requestTimeoutMs }),
      ...(route.perTryTimeoutMs === undefined ? {} : { backendRequestMs: route.perTryTimeoutMs }),
      ...(route.streamIdleTimeoutMs === undefined
        ? {}
        : { streamIdleMs: route.streamIdleTimeoutMs }),
      ...ir.timeout,
    };
  }
}

/**
 * A route a policy cannot be applied to answers 500, in place (as Envoy Gateway answers for an
 * invalid policy): what it would have forwarded to or redirected to goes.
 */
export function failClosed(ir: HTTPRouteIR): void {
  delete ir.redirect;
  delete ir.destination;
  ir.directResponse = { statusCode: 500 };
}
