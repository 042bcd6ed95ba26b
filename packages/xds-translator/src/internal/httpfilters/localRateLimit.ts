// Local rate limits (BackendTrafficPolicy `rateLimit.local`) with Envoy's local_ratelimit filter:
// in the connection manager without a bucket (it passes everything), configured per route
// (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/local_rate_limit_filter).
// The route-wide rule is the route's token bucket; each rule with client selectors is a
// descriptor: the route's rate_limits actions produce its entries only when every selector
// matches, and a Distinct selector (header value, client address) leaves the entry's value empty
// so Envoy keeps one bucket per distinct value.

import type { RouteAction } from '@egts/envoy-api';
import {
  FractionalPercent_DenominatorType,
  HttpFilter,
  LocalRateLimit,
  packAny,
  XRateLimitHeadersRFCVersion,
} from '@egts/envoy-api';
import type { HTTPRouteIR, LocalRateLimitRule, RateLimitValue } from '@egts/ir';
import { type HttpFilterTranslator, routesOf } from './httpFilter.js';

const NAME = 'envoy.filters.http.local_ratelimit';
const STAT_PREFIX = 'http_local_rate_limiter';
const MAX_UINT32 = 4_294_967_295;

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
  rule: Omit<LocalRateLimitRule, 'limit' | 'queryParams'>,
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

/**
 * A route's rules in one filter instance: the enforcing one (stage 0) or, for rules in shadow
 * mode, the shadow one (stage 2; global rules use 1), which counts without ever refusing. Each
 * keeps the rule's index, so its descriptor keys are the same whichever instance holds it.
 */
const INSTANCES = [
  { name: NAME, statPrefix: STAT_PREFIX, runtime: 'local_rate_limit', stage: 0, shadow: false },
  {
    name: `${NAME}/shadow`,
    statPrefix: `${STAT_PREFIX}_shadow`,
    runtime: 'local_rate_limit_shadow',
    stage: 2,
    shadow: true,
  },
] as const;
type Instance = (typeof INSTANCES)[number];

const rulesOf = (route: HTTPRouteIR, instance: Instance) =>
  (route.localRateLimit?.rules ?? [])
    .map((rule, index) => ({ rule, index }))
    .filter(({ rule }) => (rule.shadowMode === true) === instance.shadow);

/** The route's rate_limits: one per rule with selectors, producing that rule's descriptor. */
export const localRateLimitActions = (route: HTTPRouteIR): RateLimit[] =>
  INSTANCES.flatMap((instance) =>
    rulesOf(route, instance).map(
      ({ rule, index }) =>
        ({
          stage: instance.stage,
          actions: localRuleParts(rule, index).actions,
        }) as unknown as RateLimit,
    ),
  );

const percent = (numerator: number, runtimeKey: string) => ({
  defaultValue: { numerator, denominator: FractionalPercent_DenominatorType.HUNDRED },
  runtimeKey,
});

/** A route's config of one instance; the shadow one only where a rule is in shadow mode. */
const routeConfig = (route: HTTPRouteIR, instance: Instance): LocalRateLimit | undefined => {
  const limit = route.localRateLimit;
  if (limit === undefined) return undefined;
  const rules = rulesOf(route, instance);
  if (instance.shadow && rules.length === 0) return undefined;
  return LocalRateLimit.fromPartial({
    statPrefix: instance.statPrefix,
    stage: instance.stage,
    // The route-wide rule has no selectors and never a shadow twin.
    tokenBucket: !instance.shadow && limit.default ? tokenBucket(limit.default) : UNLIMITED,
    filterEnabled: percent(100, `${instance.runtime}_enabled`),
    filterEnforced: percent(instance.shadow ? 0 : 100, `${instance.runtime}_enforced`),
    descriptors: rules.map(({ rule, index }) => ({
      entries: localRuleParts(rule, index).entries,
      tokenBucket: tokenBucket(rule.limit),
    })),
    enableXRatelimitHeaders:
      instance.shadow || limit.headers === false
        ? XRateLimitHeadersRFCVersion.OFF
        : XRateLimitHeadersRFCVersion.DRAFT_VERSION_03,
    // A request a rule limits is not also counted against the route-wide bucket.
    alwaysConsumeDefaultTokenBucket: false,
  });
};

export const localRateLimitFilter: HttpFilterTranslator = {
  patchListener: (listeners) => {
    const routes = routesOf(listeners);
    return INSTANCES.filter((instance) =>
      routes.some((route) => routeConfig(route, instance) !== undefined),
    ).map((instance) =>
      HttpFilter.fromPartial({
        name: instance.name,
        typedConfig: packAny(
          LocalRateLimit,
          LocalRateLimit.fromPartial({ statPrefix: instance.statPrefix, stage: instance.stage }),
        ),
      }),
    );
  },
  patchRoute: (route) => {
    const configs = INSTANCES.flatMap((instance) => {
      const config = routeConfig(route, instance);
      return config ? [[instance.name, packAny(LocalRateLimit, config)] as const] : [];
    });
    return configs.length === 0 ? undefined : Object.fromEntries(configs);
  },
};
