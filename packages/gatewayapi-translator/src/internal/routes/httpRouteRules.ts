// HTTPRoute rules -> RuleOutcomes: matches (path Exact/PathPrefix/RegularExpression, headers,
// query params, method), filters, backendRefs with their filters, timeouts, retries and session
// persistence.

import type { HeaderValue, HTTPRouteIR, RouteDestination, StringMatch } from '@egts/ir';
import type { AnyRouteContext, RouteContext } from '../context/routeContext.js';
import type { TranslatorContext } from '../context/translatorContext.js';
import { invalidRule, unresolvedRef } from '../status/statusError.js';
import {
  type BackendRefLike,
  ENVOY_GATEWAY_GROUP,
  type HTTPBackendRef,
  type HTTPRouteMatch,
  type HTTPRouteRule,
  nsName,
} from '../types.js';
import { credentialInjection } from './credentialInjection.js';
import { buildDestination, customBackendObjects } from './destinations.js';
import { parseDuration } from './durations.js';
import { applyHeaderModifier } from './headerFilters.js';
import { processHTTPFilters } from './httpFilters.js';
import { re2Error } from './re2.js';
import { ruleSource } from './routeAnnotations.js';
import {
  emptyOutcome,
  failClosed,
  type HTTPRouteTemplate,
  matchTemplate,
  type RuleOutcome,
} from './ruleOutcome.js';

/** Envoy Gateway's request timeout when a configured one cannot be parsed. */
const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_MATCH: HTTPRouteMatch = { path: { type: 'PathPrefix', value: '/' } };
const NO_PATHS: readonly string[] = [];
/** No HTTPRouteFilter matches: each of the rule's matches is one route, as written. */
const NO_EXTRA_MATCHES: readonly (readonly StringMatch[])[] = [[]];
const BACKEND_FILTERS = new Set([
  'RequestHeaderModifier',
  'ResponseHeaderModifier',
  'ExtensionRef',
  'URLRewrite',
]);

function convertMatch(match: HTTPRouteMatch): {
  matches?: Pick<HTTPRouteIR, 'pathMatch' | 'headerMatches' | 'queryParamMatches'>;
  error?: string;
} {
  const path = match.path ?? { type: 'PathPrefix', value: '/' };
  const type = path.type ?? 'PathPrefix';
  const value = path.value ?? '/';
  if (type !== 'RegularExpression' && !value.startsWith('/'))
    return { error: `path ${value} must start with /` };
  const pathRegexError = type === 'RegularExpression' ? re2Error(value) : undefined;
  if (pathRegexError) return { error: `path regex ${value} is invalid: ${pathRegexError}` };
  const headerMatches: StringMatch[] = [];
  for (const h of match.headers ?? []) {
    const t = h.type ?? 'Exact';
    const headerRegexError = t === 'RegularExpression' ? re2Error(h.value) : undefined;
    if (headerRegexError)
      return { error: `header ${h.name} regex ${h.value} is invalid: ${headerRegexError}` };
    headerMatches.push({
      name: h.name.toLowerCase(),
      type: t === 'RegularExpression' ? 'RegularExpression' : 'Exact',
      value: h.value,
    });
  }
  if (match.method) headerMatches.push({ name: ':method', type: 'Exact', value: match.method });
  for (const q of match.queryParams ?? []) {
    const queryRegexError = q.type === 'RegularExpression' ? re2Error(q.value) : undefined;
    if (queryRegexError)
      return { error: `query parameter ${q.name} regex ${q.value} is invalid: ${queryRegexError}` };
  }
  const queryParams = match.queryParams ?? [];
  // Kept in the IR: empty for most matches, of the exact size otherwise (map, not push).
  const queryParamMatches: StringMatch[] =
    queryParams.length === 0
      ? []
      : queryParams.map((q) => ({
          name: q.name,
          type: (q.type ?? 'Exact') === 'RegularExpression' ? 'RegularExpression' : 'Exact',
          value: q.value,
        }));
  const result: Pick<HTTPRouteIR, 'pathMatch' | 'headerMatches' | 'queryParamMatches'> = {
    headerMatches,
    queryParamMatches,
  };
  if (!(type === 'PathPrefix' && value === '/')) {
    result.pathMatch = {
      type: type === 'PathPrefix' ? 'PathPrefix' : type === 'Exact' ? 'Exact' : 'RegularExpression',
      value,
    };
  }
  return { matches: result };
}

/**
 * The HTTPRouteFilter an ExtensionRef on a backendRef names, or why it cannot apply there: only
 * a credentialInjection runs per backend (Envoy's credential injector per weighted cluster).
 */
function backendExtension(
  ctx: TranslatorContext,
  namespace: string,
  ref: { group?: string; kind?: string; name?: string } | undefined,
): NonNullable<ReturnType<TranslatorContext['httpRouteFilters']['get']>> | string {
  if (ref?.group !== ENVOY_GATEWAY_GROUP || ref.kind !== 'HTTPRouteFilter')
    return `ExtensionRef ${ref?.group ?? ''}/${ref?.kind ?? ''} is not supported within a backendRef.`;
  const found = ctx.httpRouteFilters.get(nsName(namespace, ref.name ?? ''));
  if (!found) return `HTTPRouteFilter ${namespace}/${ref.name ?? ''} not found.`;
  const other = Object.keys(found.spec).filter((k) => k !== 'credentialInjection');
  if (other.length > 0 || !found.spec.credentialInjection)
    return `HTTPRouteFilter ${ref.name ?? ''}: only credentialInjection applies within a backendRef.`;
  return found;
}

/** Whether an HTTPRoute backendRef's filters can apply to it (buildDestination's precheck). */
function checkBackendFilters(ctx: TranslatorContext, route: AnyRouteContext, ref: BackendRefLike) {
  const namespace = route.namespace;
  for (const f of (ref as HTTPBackendRef).filters ?? []) {
    if (!BACKEND_FILTERS.has(f.type)) {
      return unresolvedRef(
        'UnsupportedRefValue',
        `Filter ${f.type} is not supported within a backendRef.`,
      );
    }
    if (f.type === 'ExtensionRef') {
      const extension = backendExtension(ctx, namespace, f.extensionRef ?? undefined);
      if (typeof extension === 'string') return unresolvedRef('UnsupportedRefValue', extension);
    }
    if (f.type === 'URLRewrite' && f.urlRewrite?.path) {
      return unresolvedRef(
        'UnsupportedRefValue',
        'URLRewrite path modifier is not supported within a backendRef.',
      );
    }
  }
  return undefined;
}

/**
 * Header modifier and URLRewrite hostname filters on a backendRef apply only to traffic sent to
 * that backend (HTTPBackendRef filters).
 */
function applyBackendHeaderFilters(
  ctx: TranslatorContext,
  namespace: string,
  refs: readonly HTTPBackendRef[],
  destination: RouteDestination,
  outcome: RuleOutcome,
): void {
  refs.forEach((ref, i) => {
    const filters = ref.filters ?? [];
    if (filters.length === 0) return;
    // Unresolved backendRefs have no setting: find each by its name.
    const setting = destination.settings.find((s) => s.name === `${destination.name}/backend/${i}`);
    if (!setting) return;
    const modifiers = filters.filter((f) => f.type === 'RequestHeaderModifier');
    if (modifiers.length > 0) {
      const changes = { add: [] as HeaderValue[], remove: [] as string[] };
      for (const f of modifiers) {
        const error = applyHeaderModifier(f.requestHeaderModifier ?? undefined, changes);
        if (error) outcome.refErrors.push(unresolvedRef('UnsupportedRefValue', error.message));
      }
      setting.requestHeaders = changes;
    }
    const responseModifiers = filters.filter((f) => f.type === 'ResponseHeaderModifier');
    if (responseModifiers.length > 0) {
      const changes = { add: [] as HeaderValue[], remove: [] as string[] };
      for (const f of responseModifiers) {
        const error = applyHeaderModifier(f.responseHeaderModifier ?? undefined, changes);
        if (error) outcome.refErrors.push(unresolvedRef('UnsupportedRefValue', error.message));
      }
      setting.responseHeaders = changes;
    }
    const hostname = filters.find((f) => f.type === 'URLRewrite')?.urlRewrite?.hostname;
    if (hostname) setting.hostRewrite = hostname;
    for (const f of filters.filter((g) => g.type === 'ExtensionRef')) {
      const extension = backendExtension(ctx, namespace, f.extensionRef ?? undefined);
      if (typeof extension === 'string') continue; // refused by checkBackendFilters
      const name = f.extensionRef?.name ?? '';
      const injected = credentialInjection(ctx, namespace, name, extension.spec);
      if (typeof injected === 'string')
        outcome.refErrors.push(
          unresolvedRef('UnsupportedRefValue', `HTTPRouteFilter ${name}: ${injected}.`),
        );
      else setting.credentialInjection = injected;
    }
  });
}

export function processHTTPRouteRule(
  ctx: TranslatorContext,
  route: RouteContext<'HTTPRoute'>,
  rule: HTTPRouteRule,
  index: number,
): RuleOutcome {
  const outcome = emptyOutcome();
  const irName = `${route.irName}/rule/${index}`;
  const matches = rule.matches && rule.matches.length > 0 ? rule.matches : [DEFAULT_MATCH];
  // map() of a module function: no closure per rule. The first match that fails, in a loop.
  const converted = matches.map(convertMatch);
  let badMatch: ReturnType<typeof convertMatch> | undefined;
  for (let m = 0; m < converted.length && badMatch === undefined; m++)
    if (converted[m]!.error) badMatch = converted[m];
  if (badMatch?.error)
    outcome.invalid = invalidRule('UnsupportedValue', `Invalid match: ${badMatch.error}.`);
  const ruleFilters = rule.filters ?? [];
  // Only path rewrites and redirects read the paths: most rules have no filters at all.
  const filters = processHTTPFilters(
    ctx,
    route,
    ruleFilters,
    ruleFilters.length === 0
      ? { pathMatchTypes: NO_PATHS, pathPrefixes: NO_PATHS, irName }
      : {
          pathMatchTypes: matches.map((m) => m.path?.type ?? 'PathPrefix'),
          pathPrefixes: matches.flatMap((m) =>
            (m.path?.type ?? 'PathPrefix') === 'PathPrefix' ? [m.path?.value ?? '/'] : [],
          ),
          irName,
        },
  );
  if (filters.invalid) outcome.invalid ??= filters.invalid;
  if (filters.refErrors.length > 0) outcome.refErrors.push(...filters.refErrors);
  // GEP-1364 BackendsAvailable covers every backend a rule sends to, mirrors included.
  if (filters.noEndpoints) outcome.noEndpoints = true;

  // Like Envoy Gateway, an unparseable duration falls back to the 15s default instead of
  // invalidating the rule (the CRD's pattern already rejects it at admission).
  const timeout: HTTPRouteTemplate['timeout'] = {};
  if (rule.timeouts?.request)
    timeout.requestMs = parseDuration(rule.timeouts.request) ?? DEFAULT_TIMEOUT_MS;
  if (rule.timeouts?.backendRequest) {
    timeout.backendRequestMs = parseDuration(rule.timeouts.backendRequest) ?? DEFAULT_TIMEOUT_MS;
  }

  const refs = rule.backendRefs ?? [];
  const destination =
    refs.length > 0
      ? buildDestination(
          ctx,
          route,
          refs,
          irName,
          'HTTP',
          outcome,
          checkBackendFilters,
          filters.hostnameRewrite,
        )
      : undefined;
  if (destination)
    applyBackendHeaderFilters(ctx, route.namespace, refs, destination.destination, outcome);
  const source = ruleSource('HTTPRoute', route, rule.name);
  if (outcome.invalid) {
    if (filters.unknownFilter && outcome.invalid === filters.invalid && !badMatch) {
      failClosed(
        outcome,
        converted.map((c) => c.matches),
        { grpc: false, source },
      );
    }
    return outcome;
  }

  // Envoy Gateway appends the rule's custom backend objects to its extension filters'.
  const customBackends = customBackendObjects(destination?.destination);
  const base = { grpc: false, source };
  // An HTTPRouteFilter's matches AND the rule's: each pair becomes a route (filterMatches.ts).
  const extraMatches = filters.extraMatches ?? NO_EXTRA_MATCHES;
  for (let m = 0; m < converted.length; m++) {
    const match = converted[m]!.matches;
    if (match === undefined) continue;
    for (let e = 0; e < extraMatches.length; e++) {
      const extra = extraMatches[e]!;
      // The converted match is this rule's own: its header list is the template's unless
      // a filter's matches add to it.
      const headerMatches =
        extra.length === 0 ? match.headerMatches : [...match.headerMatches, ...extra];
      const template = matchTemplate(match, headerMatches, filters, base);
      if (filters.redirect) template.redirect = filters.redirect;
      if (filters.urlRewrite) template.urlRewrite = filters.urlRewrite;
      if (filters.cors) template.cors = filters.cors;
      if (filters.credentialInjection) template.credentialInjection = filters.credentialInjection;
      if ((filters.extensionRefs?.length ?? 0) > 0 || customBackends.length > 0)
        template.extensionRefs = [...(filters.extensionRefs ?? []), ...customBackends];
      if (filters.directResponse) template.directResponse = filters.directResponse;
      else if (filters.unresolvedFilter) template.directResponse = { statusCode: 500 };
      else if (!filters.redirect) {
        if (destination && destination.resolved > 0) template.destination = destination.destination;
        else template.directResponse = { statusCode: 500 };
      }
      if (timeout.requestMs !== undefined || timeout.backendRequestMs !== undefined)
        template.timeout = timeout;
      if (rule.retry) {
        const retry: NonNullable<HTTPRouteTemplate['retry']> = {
          codes: [...(rule.retry.codes ?? [])],
        };
        if (rule.retry.attempts !== undefined && rule.retry.attempts !== null)
          retry.attempts = rule.retry.attempts;
        const backoff = rule.retry.backoff ? parseDuration(rule.retry.backoff) : undefined;
        if (backoff !== undefined) retry.backoffMs = backoff;
        template.retry = retry;
      }
      const sp = rule.sessionPersistence;
      if (sp) {
        const persistence: NonNullable<HTTPRouteTemplate['sessionPersistence']> = {
          type: sp.type === 'Header' ? 'Header' : 'Cookie',
          name:
            (sp.type === 'Header' ? sp.header?.name : sp.cookie?.name) ??
            `${route.namespace}-${route.name}-${index}`,
        };
        const ttl = sp.absoluteTimeout ? parseDuration(sp.absoluteTimeout) : undefined;
        if (ttl !== undefined) persistence.ttlSeconds = ttl / 1000;
        template.sessionPersistence = persistence;
      }
      outcome.httpRoutes.push(template);
    }
  }
  return outcome;
}
