// Local rate limits (BackendTrafficPolicy `rateLimit.local`) with Envoy's local_ratelimit filter:
// in the connection manager without a bucket (it passes everything), configured per route
// (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/local_rate_limit_filter).
// The route-wide rule is the route's token bucket; each rule with client selectors is a
// descriptor: the config's own rate_limits actions produce its entries only when every selector
// matches, and a Distinct selector (header value, client address) leaves the entry's value empty
// so Envoy keeps one bucket per distinct value. A rule in shadow mode is a descriptor in shadow
// mode; a shared rule is a filter instance of its own (see sharedName).

import type { RouteAction } from '@egts/envoy-api';
import {
  FractionalPercent_DenominatorType,
  HttpFilter,
  LocalRateLimit,
  packAny,
  RateLimit_XRateLimitOption,
  XRateLimitHeadersRFCVersion,
} from '@egts/envoy-api';
import type {
  HTTPRouteIR,
  LocalRateLimit as LocalRateLimitIR,
  LocalRateLimitRule,
  RateLimitCost,
  RateLimitValue,
} from '@egts/ir';
import { type HttpFilterTranslator, routesOf } from './httpFilter.js';
import { enabledAsConfigured } from './securityPolicies.js';

const NAME = 'envoy.filters.http.local_ratelimit';
const STAT_PREFIX = 'http_local_rate_limiter';
const MAX_UINT32 = 4_294_967_295;
/** Buckets Envoy keeps for distinct values (Envoy Gateway's figure). */
const MAX_DYNAMIC_DESCRIPTORS = 10_000;

type RateLimit = RouteAction['rateLimits'][number];
type Action = RateLimit['actions'][number];
export interface Entry {
  key: string;
  value: string;
}

const tokenBucket = (limit: RateLimitValue) => ({
  maxTokens: limit.requests,
  tokensPerFill: limit.requests,
  fillInterval: { seconds: limit.unitSeconds, nanos: 0 },
});

/** Without a route-wide rule the route's own bucket never runs out. */
const UNLIMITED = {
  maxTokens: MAX_UINT32,
  tokensPerFill: MAX_UINT32,
  fillInterval: { seconds: 1, nanos: 0 },
};

const regexOf = (values: readonly string[]) =>
  `^(${values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`;

/**
 * The actions and descriptor entries of one rule (its selectors, all of which must match); the
 * global rate limit filter builds its descriptors from the same selectors.
 */
export function ruleParts(
  rule: Omit<LocalRateLimitRule, 'limit' | 'queryParams' | 'cost' | 'shared'>,
  index: number,
): { actions: Action[]; entries: Entry[] } {
  const actions: Action[] = [];
  const entries: Entry[] = [];
  let n = 0;
  const matchKey = () => `rule-${index}-match-${n++}`;
  const headerMatch = (
    name: string,
    stringMatch: object,
    expectMatch: boolean,
  ): { action: Action; entry: Entry } => {
    const key = matchKey();
    return {
      action: {
        headerValueMatch: {
          descriptorKey: key,
          descriptorValue: key,
          expectMatch,
          headers: [{ name, stringMatch }],
        },
      } as Action,
      entry: { key, value: key },
    };
  };
  const push = ({ action, entry }: { action: Action; entry: Entry }) => {
    actions.push(action);
    entries.push(entry);
  };
  for (const header of rule.headers) {
    if (header.type === 'Distinct') {
      const key = matchKey();
      actions.push({ requestHeaders: { headerName: header.name, descriptorKey: key } } as Action);
      entries.push({ key, value: '' });
    } else {
      const stringMatch =
        header.type === 'RegularExpression'
          ? { safeRegex: { regex: header.value ?? '' } }
          : { exact: header.value ?? '' };
      push(headerMatch(header.name, stringMatch, header.invert !== true));
    }
  }
  const methods = rule.methods ?? [];
  const allowed = methods.filter((m) => m.invert !== true).map((m) => m.value);
  if (allowed.length > 0)
    push(headerMatch(':method', { safeRegex: { regex: regexOf(allowed) } }, true));
  for (const m of methods.filter((m) => m.invert === true))
    push(headerMatch(':method', { exact: m.value }, false));
  if (rule.path) {
    const { type, value } = rule.path;
    // A PathPrefix matches whole segments (Gateway API): /a covers /a, /a/b and /a?q, not /ab.
    const prefix = value.replace(/\/+$/, '');
    const stringMatch =
      type === 'Exact'
        ? { safeRegex: { regex: `^${regexOf([value]).slice(2, -2)}(\\?.*)?$` } }
        : type === 'RegularExpression'
          ? { safeRegex: { regex: value } }
          : prefix === ''
            ? { prefix: '/' }
            : { safeRegex: { regex: `^${regexOf([prefix]).slice(2, -2)}([/?].*)?$` } };
    push(headerMatch(':path', stringMatch, rule.path.invert !== true));
  }
  if (rule.sourceCIDR) {
    // The client must be in the range (the address masked to the range's length equals it);
    // Distinct then counts each client address apart.
    const [address = '', length = '32'] = rule.sourceCIDR.cidr.split('/');
    const v6 = address.includes(':');
    const mask = (bits: number) => (v6 ? { v6PrefixMaskLen: bits } : { v4PrefixMaskLen: bits });
    if (rule.sourceCIDR.invert === true) {
      // Inverted: the client must be outside the range. A masked address cannot say that;
      // remote_address_match (Envoy 1.38+) produces its entry only when the address matcher,
      // inverted, matches (as Envoy Gateway does since it added `invert`).
      const value = `invert_${address}/${length}`;
      actions.push({
        remoteAddressMatch: {
          descriptorKey: 'masked_remote_address',
          descriptorValue: value,
          defaultValue: '',
          addressMatcher: {
            ranges: [{ addressPrefix: address, prefixLen: Number(length) }],
            invertMatch: true,
          },
        },
      } as Action);
      entries.push({ key: 'masked_remote_address', value });
    } else {
      actions.push({ maskedRemoteAddress: mask(Number(length)) } as Action);
      entries.push({ key: 'masked_remote_address', value: `${address}/${length}` });
    }
    if (rule.sourceCIDR.distinct) {
      actions.push({ maskedRemoteAddress: mask(v6 ? 128 : 32) } as Action);
      entries.push({ key: 'masked_remote_address', value: '' });
    }
  }
  return { actions, entries };
}

/**
 * Query parameter selectors: one entry each, produced only when the parameter matches (or,
 * inverted, does not).
 */
export function queryParts(
  queries: NonNullable<LocalRateLimitRule['queryParams']>,
  index: number,
): { actions: Action[]; entries: Entry[] } {
  const actions: Action[] = [];
  const entries: Entry[] = [];
  queries.forEach((query, i) => {
    const key = `rule-${index}-query-${i}`;
    const stringMatch =
      query.type === 'RegularExpression'
        ? { safeRegex: { regex: query.value }, ignoreCase: false }
        : { exact: query.value, ignoreCase: false };
    actions.push({
      queryParameterValueMatch: {
        descriptorKey: key,
        descriptorValue: key,
        expectMatch: query.invert !== true,
        queryParameters: [{ name: query.name, stringMatch }],
      },
    } as Action);
    entries.push({ key, value: key });
  });
  return { actions, entries };
}

/** A local rule's actions and descriptor entries: its selectors, then its query parameters. */
const localRuleParts = (rule: LocalRateLimitRule, index: number) => {
  const selectors = ruleParts(rule, index);
  const queries = queryParts(rule.queryParams ?? [], index);
  return {
    actions: [...selectors.actions, ...queries.actions],
    entries: [...selectors.entries, ...queries.entries],
  };
};

/** Envoy's hits_addend for a cost: a number, or a format reading dynamic metadata. */
export const hitsAddend = (cost: RateLimitCost) =>
  'number' in cost
    ? { number: cost.number, format: '', isNegativeHits: false }
    : {
        format: `%DYNAMIC_METADATA(${cost.metadata.namespace}:${cost.metadata.key})%`,
        isNegativeHits: false,
      };

/**
 * The rule's rate limit in the filter's own rate_limits (Envoy 1.40's LocalRateLimit field 17,
 * where Envoy Gateway puts them): its actions, and its request cost as hits_addend (the local
 * filter honors it there; a response cost, apply_on_stream_done, it ignores: checked with 1.40).
 */
const rateLimitOf = (
  rule: LocalRateLimitRule,
  index: number,
  inherited: boolean | undefined,
): RateLimit => {
  const request = costsNothing(rule) ? undefined : rule.cost?.request;
  const headers = rule.xRateLimitHeaders ?? inherited;
  return {
    actions: localRuleParts(rule, index).actions,
    ...(request ? { hitsAddend: hitsAddend(request) } : {}),
    ...(headers === undefined ? {} : xRateLimitOption({ xRateLimitHeaders: headers })),
  } as unknown as RateLimit;
};

/**
 * A rule's own `xRateLimitHeaders` as its rate limit's x_ratelimit_option, which Envoy (1.40)
 * prefers to the filter's enable_x_ratelimit_headers, local and global filters alike.
 */
export const xRateLimitOption = (rule: Pick<LocalRateLimitRule, 'xRateLimitHeaders'>) =>
  rule.xRateLimitHeaders === undefined
    ? {}
    : {
        xRatelimitOption: rule.xRateLimitHeaders
          ? RateLimit_XRateLimitOption.DRAFT_VERSION_03
          : RateLimit_XRateLimitOption.OFF,
      };

/** A rule whose request costs nothing (`cost.request.number: 0`). */
const costsNothing = (rule: LocalRateLimitRule) => {
  const request = rule.cost?.request;
  return request !== undefined && 'number' in request && request.number === 0;
};

/**
 * A rule of its own whose request costs nothing never refuses: Envoy (1.40) refuses a request
 * whose hits_addend is 0 (its token bucket reports 0 tokens consumed), so such a rule is a
 * bucket that never runs out and no hits_addend. The request still matches the rule, so it stays
 * out of the route-wide bucket as a rule's request does. A shared one is NotApplied (a check
 * against a bucket other routes drain has no Envoy form) and takes one token.
 */
const freeRule = (rule: LocalRateLimitRule) => rule.shared === undefined && costsNothing(rule);

type IndexedRule = { rule: LocalRateLimitRule; index: number };

/** The route's own rules (shared ones have filter instances of their own), with their index. */
const ownRules = (route: HTTPRouteIR): IndexedRule[] =>
  (route.localRateLimit?.rules ?? [])
    .map((rule, index) => ({ rule, index }))
    .filter(({ rule }) => rule.shared === undefined);

const percent = (numerator: number, runtimeKey: string) => ({
  defaultValue: { numerator, denominator: FractionalPercent_DenominatorType.HUNDRED },
  runtimeKey,
});

/**
 * x-ratelimit-* headers of the filter (the route-wide bucket's): that rule's own choice, else the
 * listener's (ClientTrafficPolicy). Rules without a choice of their own inherit the listener's
 * setting, so where the filter's differs they carry the listener's explicitly.
 */
const headersOf = (limit: LocalRateLimitIR) => {
  const listener = limit.headers !== false;
  const filter = limit.xRateLimitHeaders ?? listener;
  return {
    version: filter
      ? XRateLimitHeadersRFCVersion.DRAFT_VERSION_03
      : XRateLimitHeadersRFCVersion.OFF,
    inherited: filter === listener ? undefined : listener,
  };
};

/**
 * One filter config: a default bucket, and a descriptor and rate limit per rule. A rule in shadow
 * mode is a descriptor in shadow mode: counted (stat `shadow_mode`), never refused.
 */
const config = (
  defaultBucket: RateLimitValue | undefined,
  rules: readonly IndexedRule[],
  headers: ReturnType<typeof headersOf>,
): LocalRateLimit =>
  LocalRateLimit.fromPartial({
    statPrefix: STAT_PREFIX,
    tokenBucket: defaultBucket ? tokenBucket(defaultBucket) : UNLIMITED,
    filterEnabled: percent(100, 'local_rate_limit_enabled'),
    filterEnforced: percent(100, 'local_rate_limit_enforced'),
    descriptors: rules.map(({ rule, index }) => ({
      entries: localRuleParts(rule, index).entries,
      tokenBucket: freeRule(rule) ? UNLIMITED : tokenBucket(rule.limit),
      ...(rule.shadowMode === true ? { shadowMode: true } : {}),
    })),
    rateLimits: rules.map(({ rule, index }) => rateLimitOf(rule, index, headers.inherited)),
    enableXRatelimitHeaders: headers.version,
    // A request a rule limits is not also counted against the route-wide bucket.
    alwaysConsumeDefaultTokenBucket: false,
  });

/**
 * Shared rules (`shared: true`): one instance per rule in the connection manager, holding the
 * rule's bucket, disabled there and enabled as configured on each route the policy reaches, so
 * those routes take from one bucket (Envoy keeps a filter config's buckets per listener; a
 * route's own config would give it a bucket of its own).
 */
const sharedName = (shared: string) => `${NAME}/shared/${shared}`;

const sharedRules = (routes: readonly HTTPRouteIR[]) => {
  const byName = new Map<string, { rule: IndexedRule; limit: LocalRateLimitIR }>();
  for (const route of routes) {
    const limit = route.localRateLimit;
    limit?.rules.forEach((rule, index) => {
      if (rule.shared !== undefined && !byName.has(rule.shared))
        byName.set(rule.shared, { rule: { rule, index }, limit });
    });
  }
  return [...byName].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
};

export const localRateLimitFilter: HttpFilterTranslator = {
  patchListener: (listeners) => {
    const routes = routesOf(listeners);
    const own = routes.some(
      (route) => route.localRateLimit !== undefined && !onlyShared(route.localRateLimit),
    )
      ? [
          HttpFilter.fromPartial({
            name: NAME,
            typedConfig: packAny(
              LocalRateLimit,
              LocalRateLimit.fromPartial({
                statPrefix: STAT_PREFIX,
                maxDynamicDescriptors: MAX_DYNAMIC_DESCRIPTORS,
              }),
            ),
          }),
        ]
      : [];
    const shared = sharedRules(routes).map(([name, { rule, limit }]) =>
      HttpFilter.fromPartial({
        name: sharedName(name),
        disabled: true,
        typedConfig: packAny(LocalRateLimit, config(undefined, [rule], headersOf(limit))),
      }),
    );
    return [...own, ...shared];
  },
  patchRoute: (route) => {
    const limit = route.localRateLimit;
    if (limit === undefined) return undefined;
    const own = onlyShared(limit)
      ? []
      : [[NAME, packAny(LocalRateLimit, config(limit.default, ownRules(route), headersOf(limit)))]];
    const shared = limit.rules.flatMap((rule) =>
      rule.shared === undefined ? [] : [[sharedName(rule.shared), enabledAsConfigured]],
    );
    return Object.fromEntries([...own, ...shared]);
  },
};

/** Rules that are all shared and no route-wide bucket: the route needs no config of its own. */
const onlyShared = (limit: LocalRateLimitIR) =>
  limit.default === undefined &&
  limit.rules.length > 0 &&
  limit.rules.every((rule) => rule.shared !== undefined);
