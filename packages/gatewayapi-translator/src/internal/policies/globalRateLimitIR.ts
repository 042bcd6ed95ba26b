// A BackendTrafficPolicy's `rateLimit.global` rules as IR. Client selectors are read as the local
// rules' are; the descriptor key is provisional here (`rule/<i>`, or the policy's own for shared
// rules) and scopedToListener() makes a route's unshared keys its own on each listener, so two
// routes, or one route on two listeners, never count together unless a rule is `shared`.
import type { GlobalRateLimit, GlobalRateLimitRule, HTTPRouteIR, RateLimitUnit } from '@egts/ir';
import { localRateLimitRule, ruleCost } from './backendTrafficIR.js';
import { list, type Obj, obj } from './validation/policyValues.js';

const UNITS: readonly RateLimitUnit[] = ['Second', 'Minute', 'Hour', 'Day', 'Month', 'Year'];

function globalRule(rule: Obj, index: number, policyKey: string): GlobalRateLimitRule {
  const { limit: _local, cost: _cost, shared: _shared, ...selectors } = localRateLimitRule(rule);
  const limit = obj(rule.limit);
  const unit = UNITS.find((u) => u === limit?.unit) ?? 'Second';
  const shared = rule.shared === true;
  const queryParams = list(rule.clientSelectors).flatMap((s) => list(s.queryParams));
  const cost = ruleCost(rule);
  const fromMetadata = obj(limit?.fromMetadata);
  return {
    ...selectors,
    ...(queryParams.length > 0
      ? {
          queryParams: queryParams.map((q) => ({
            name: String(q.name ?? ''),
            type:
              q.type === 'RegularExpression' ? ('RegularExpression' as const) : ('Exact' as const),
            value: String(q.value ?? ''),
            ...(q.invert === true ? { invert: true } : {}),
          })),
        }
      : {}),
    descriptorKey: shared ? `${policyKey}/rule/${index}` : `rule/${index}`,
    shared,
    limit: { requests: typeof limit?.requests === 'number' ? limit.requests : 0, unit },
    ...(fromMetadata
      ? {
          limitFromMetadata: {
            namespace: String(fromMetadata.namespace ?? ''),
            key: String(fromMetadata.key ?? ''),
          },
        }
      : {}),
    ...(rule.shadowMode === true ? { shadowMode: true } : {}),
    ...(cost ? { cost } : {}),
  };
}

export function globalRateLimit(
  rateLimit: Obj | undefined,
  policyKey: string,
): GlobalRateLimit | undefined {
  const global = obj(rateLimit?.global);
  if (!global) return undefined;
  return { rules: list(global.rules).map((rule, i) => globalRule(rule, i, policyKey)) };
}

/** The route's unshared rules keyed by the route on this listener (`<listener>/<route>/rule/<i>`). */
export function scopedToListener(route: HTTPRouteIR, listenerName: string): HTTPRouteIR {
  const limits = route.globalRateLimit;
  if (limits === undefined) return route;
  return {
    ...route,
    globalRateLimit: {
      rules: limits.rules.map((rule) =>
        rule.shared
          ? rule
          : { ...rule, descriptorKey: `${listenerName}/${route.name}/${rule.descriptorKey}` },
      ),
    },
  };
}
