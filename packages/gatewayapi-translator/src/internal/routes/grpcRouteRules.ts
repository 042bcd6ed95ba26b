// GRPCRoute rules -> RuleOutcomes: service/method matches become HTTP/2 path matches
// (`/service/method`), header matches, the filters GRPCRoute allows, and backendRefs.
// Path matches are spelled as Envoy Gateway spells them, so a request picks the same route:
// a service alone is a path-separated prefix, a method alone a `:path` suffix, and a regular
// expression leaves an absent part to the names GRPCMethodMatch accepts.

import type { HTTPRouteIR, StringMatch } from '@egts/ir';
import type { AnyRouteContext, RouteContext } from '../context/routeContext.js';
import type { TranslatorContext } from '../context/translatorContext.js';
import { invalidRule, type RouteStatusError, unresolvedRef } from '../status/statusError.js';
import type {
  BackendRefLike,
  GRPCRouteMatch,
  GRPCRouteRule,
  HTTPRouteFilterSpec,
} from '../types.js';
import { buildDestination, customBackendObjects } from './destinations.js';
import { processHTTPFilters } from './httpFilters.js';
import { re2Error } from './re2.js';
import { ruleSource } from './routeAnnotations.js';
import { emptyOutcome, failClosed, matchTemplate, type RuleOutcome } from './ruleOutcome.js';

const GRPC_FILTERS = new Set([
  'RequestHeaderModifier',
  'ResponseHeaderModifier',
  'RequestMirror',
  'ExtensionRef',
]);
/** What GRPCMethodMatch accepts as a service and as a method name (its CRD validation). */
const SERVICE_NAME = String.raw`(?i)\.?[a-z_][a-z_0-9]*(\.[a-z_][a-z_0-9]*)*`;
const METHOD_NAME = '[A-Za-z_][A-Za-z_0-9]*';

/** Only header modifiers apply within a GRPCRoute backendRef (buildDestination's precheck). */
function checkBackendFilters(
  _ctx: TranslatorContext,
  _route: AnyRouteContext,
  ref: BackendRefLike,
): RouteStatusError | undefined {
  const filters = (ref as { filters?: readonly { type: string }[] | null }).filters ?? [];
  for (let i = 0; i < filters.length; i++) {
    const type = filters[i]!.type;
    if (type !== 'RequestHeaderModifier' && type !== 'ResponseHeaderModifier')
      return unresolvedRef(
        'UnsupportedRefValue',
        'Only header modifier filters are supported within a GRPCRoute backendRef.',
      );
  }
  return undefined;
}

function convertMatch(match: GRPCRouteMatch): {
  matches?: Pick<HTTPRouteIR, 'pathMatch' | 'headerMatches' | 'queryParamMatches'>;
  error?: string;
} {
  const headerMatches: StringMatch[] = (match.headers ?? []).map((h) => ({
    name: h.name.toLowerCase(),
    type: (h.type ?? 'Exact') === 'RegularExpression' ? 'RegularExpression' : 'Exact',
    value: h.value,
  }));
  for (const h of headerMatches) {
    const error = h.type === 'RegularExpression' ? re2Error(h.value) : undefined;
    if (error) return { error: `header ${h.name} regex ${h.value} is invalid: ${error}` };
  }
  const m = match.method;
  const result: Pick<HTTPRouteIR, 'pathMatch' | 'headerMatches' | 'queryParamMatches'> = {
    headerMatches,
    queryParamMatches: [],
  };
  if (!m || (!m.service && !m.method)) return { matches: result };
  const regex = (m.type ?? 'Exact') === 'RegularExpression';
  if (regex) {
    for (const part of [m.service, m.method]) {
      const error = part === undefined || part === null ? undefined : re2Error(part);
      if (error) return { error: `invalid method match regex ${part}: ${error}` };
    }
    result.pathMatch = {
      type: 'RegularExpression',
      value: `/${m.service ?? SERVICE_NAME}/${m.method ?? METHOD_NAME}`,
    };
  } else if (m.service && m.method) {
    result.pathMatch = { type: 'Exact', value: `/${m.service}/${m.method}` };
  } else if (m.service) {
    result.pathMatch = { type: 'PathPrefix', value: `/${m.service}` };
  } else {
    // Any path: the method is checked on `:path` alone.
    headerMatches.unshift({ name: ':path', type: 'Suffix', value: `/${m.method}` });
  }
  // Service and method regexes each pass and still make one path regex too big for Envoy.
  const pathError =
    result.pathMatch?.type === 'RegularExpression' ? re2Error(result.pathMatch.value) : undefined;
  if (pathError) return { error: `method match regex ${result.pathMatch?.value}: ${pathError}` };
  return { matches: result };
}

export function processGRPCRouteRule(
  ctx: TranslatorContext,
  route: RouteContext<'GRPCRoute'>,
  rule: GRPCRouteRule,
  index: number,
): RuleOutcome {
  const outcome = emptyOutcome();
  const irName = `${route.irName}/rule/${index}`;
  const matches = rule.matches && rule.matches.length > 0 ? rule.matches : [{}];
  const converted = matches.map(convertMatch);
  const bad = converted.find((c) => c.error);
  if (bad?.error) outcome.invalid = invalidRule('UnsupportedValue', `Invalid match: ${bad.error}.`);
  const unsupported = (rule.filters ?? []).find((f) => !GRPC_FILTERS.has(f.type));
  if (unsupported)
    outcome.invalid ??= invalidRule(
      'UnsupportedValue',
      `Filter ${unsupported.type} is not supported on GRPCRoute.`,
    );
  const filters = processHTTPFilters(
    ctx,
    route,
    (rule.filters ?? []) as readonly HTTPRouteFilterSpec[],
    {
      pathMatchTypes: [],
      irName,
    },
  );
  if (filters.invalid) outcome.invalid ??= filters.invalid;
  outcome.refErrors.push(...filters.refErrors);
  // GEP-1364 BackendsAvailable covers every backend a rule sends to, mirrors included.
  if (filters.noEndpoints) outcome.noEndpoints = true;
  const refs = rule.backendRefs ?? [];
  const destination =
    refs.length > 0
      ? buildDestination(
          ctx,
          route,
          refs,
          irName,
          'GRPC',
          outcome,
          checkBackendFilters,
          filters.hostnameRewrite,
        )
      : undefined;
  const source = ruleSource('GRPCRoute', route, rule.name);
  if (outcome.invalid) {
    if (filters.unknownFilter && outcome.invalid === filters.invalid && !bad) {
      failClosed(
        outcome,
        converted.map((c) => c.matches),
        { grpc: true, source },
      );
    }
    return outcome;
  }
  for (const c of converted) {
    if (!c.matches) continue;
    const template = matchTemplate(c.matches, c.matches.headerMatches, filters, {
      grpc: true,
      source,
    });
    // Envoy Gateway appends the rule's custom backend objects to its extension filters'.
    const extensionRefs = [
      ...(filters.extensionRefs ?? []),
      ...customBackendObjects(destination?.destination),
    ];
    if (extensionRefs.length > 0) template.extensionRefs = extensionRefs;
    if (filters.directResponse) template.directResponse = filters.directResponse;
    else if (destination && destination.resolved > 0 && !filters.unresolvedFilter)
      template.destination = destination.destination;
    else template.directResponse = { statusCode: 500 };
    outcome.httpRoutes.push(template);
  }
  return outcome;
}
