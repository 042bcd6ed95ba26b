// What the Envoy Rate Limit Service enforces, as the RateLimitConfig resources egts serves it over
// xDS (the service runs with CONFIG_TYPE=GRPC_XDS_SOTW, as Envoy Gateway runs it): one per domain,
// whose descriptor tree follows the entries each route's rate_limits actions produce
// (globalRateLimit.ts), ending in the rule's limit. An entry without a value (a Distinct
// selector) matches every value and counts each apart
// (https://github.com/envoyproxy/ratelimit#configuration). Pure and deterministic: sorted by domain.
import { RateLimitConfig, type RateLimitDescriptor, RateLimitUnit } from '@egts/envoy-api';
import type { RateLimitUnit as IRUnit, XdsIR } from '@egts/ir';
import { globalRuleParts } from './internal/httpfilters/globalRateLimit.js';

const UNITS: Record<IRUnit, RateLimitUnit> = {
  Second: RateLimitUnit.SECOND,
  Minute: RateLimitUnit.MINUTE,
  Hour: RateLimitUnit.HOUR,
  Day: RateLimitUnit.DAY,
  Month: RateLimitUnit.MONTH,
  Year: RateLimitUnit.YEAR,
};

type Node = { -readonly [K in keyof RateLimitDescriptor]: RateLimitDescriptor[K] };

const child = (nodes: Node[], key: string, value: string): Node => {
  let found = nodes.find((n) => n.key === key && n.value === value);
  if (found === undefined) {
    found = {
      key,
      value,
      rateLimit: undefined,
      descriptors: [],
      shadowMode: false,
      detailedMetric: false,
    };
    nodes.push(found);
  }
  return found;
};

/** The RateLimitConfig of every domain the fleets' listeners ask in, sorted by domain. */
export function rateLimitConfigs(irs: readonly XdsIR[]): RateLimitConfig[] {
  const domains = new Map<string, Node[]>();
  for (const ir of irs) {
    for (const listener of ir.http) {
      const service = listener.rateLimitService;
      if (service === undefined) continue;
      let roots = domains.get(service.domain);
      if (roots === undefined) {
        roots = [];
        domains.set(service.domain, roots);
      }
      for (const route of listener.routes) {
        (route.globalRateLimit?.rules ?? []).forEach((rule, i) => {
          let nodes = roots;
          let node: Node | undefined;
          for (const entry of globalRuleParts(rule, i).entries) {
            node = child(nodes, entry.key, entry.value);
            nodes = node.descriptors;
          }
          if (node === undefined) return;
          node.rateLimit = {
            unit: UNITS[rule.limit.unit],
            requestsPerUnit: rule.limit.requests,
            unlimited: false,
            name: '',
            replaces: [],
          };
          node.shadowMode = rule.shadowMode === true;
        });
      }
    }
  }
  return [...domains.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([domain, descriptors]) =>
      RateLimitConfig.fromPartial({ name: domain, domain, descriptors }),
    );
}

/**
 * rateLimitConfigs() remembering its last answer: the same array while every listener with a
 * rate limit service has the same service and its routes the same `globalRateLimit` objects, in
 * order (all it reads). Endpoint-only updates share those objects, so they cost a walk by
 * identity instead of rebuilding every domain's descriptors from every route's rules.
 */
export function createRateLimitConfigs(): (irs: readonly XdsIR[]) => RateLimitConfig[] {
  let inputs: unknown[] = [];
  let last: RateLimitConfig[] | undefined;
  return (irs) => {
    const now: unknown[] = [];
    for (const ir of irs) {
      for (const listener of ir.http) {
        if (listener.rateLimitService === undefined) continue;
        now.push(listener.rateLimitService, listener.routes.length);
        for (const route of listener.routes) now.push(route.globalRateLimit);
      }
    }
    if (last !== undefined && now.length === inputs.length && now.every((v, i) => v === inputs[i]))
      return last;
    inputs = now;
    last = rateLimitConfigs(irs);
    return last;
  };
}
