// HTTPRoute/GRPCRoute rule filters -> IR fields. Invalid filters make the rule invalid
// (Accepted=False UnsupportedValue, or PartiallyInvalid when other rules survive, GEP-1364);
// unresolved mirror backends only set ResolvedRefs=False.
import {
  type CORS,
  type CredentialInjection,
  type ExtensionObject,
  type HeaderValue,
  type Mirror,
  prefixRewriteRegex,
  type Redirect,
  type StringMatch,
  type URLRewrite,
  wildcardOriginRegex,
} from '@egts/ir';
import type { AnyRouteContext } from '../context/routeContext.js';
import type { TranslatorContext } from '../context/translatorContext.js';
import { findExtensionObject } from '../extensionServer/extensionObjects.js';
import { notAppliedFields, notAppliedMessage } from '../policies/registry/fieldRegistry.js';
import { responseBody, responseBodyProblem } from '../policies/validation/localRefs.js';
import { invalidRule, type RouteStatusError, unresolvedRef } from '../status/statusError.js';
import { ENVOY_GATEWAY_GROUP, type HTTPRouteFilterSpec, nsName } from '../types.js';
import { resolveBackendRef } from './backendRefs.js';
import { credentialInjection } from './credentialInjection.js';
import { filterMatches } from './filterMatches.js';
import { applyHeaderModifier, type HeaderChanges } from './headerFilters.js';
import { re2Error } from './re2.js';
import { filterRewrite } from './routeFilterRewrite.js';

export interface FilterOutcome {
  requestHeaders: HeaderChanges;
  responseHeaders: HeaderChanges;
  redirect?: Redirect;
  urlRewrite?: URLRewrite;
  mirrors: Mirror[];
  cors?: CORS;
  directResponse?: { statusCode: number; body?: string };
  /** An HTTPRouteFilter the rule names does not exist: the rule answers 500 (Envoy Gateway). */
  unresolvedFilter?: boolean;
  /** A custom filter of a kind egts does not know: the rule is invalid, yet answers 500. */
  unknownFilter?: boolean;
  /** An HTTPRouteFilter's credentialInjection (credentialInjection.ts). */
  credentialInjection?: CredentialInjection;
  /** An HTTPRouteFilter's `matches`: header matches of each, ANDed with the rule's (filterMatches.ts). */
  extraMatches?: StringMatch[][];
  /** The type of an Envoy Gateway HTTPRouteFilter hostname rewrite (Header, Backend, PathRegex). */
  hostnameRewrite?: string;
  /** Objects of the extension server's kinds named as extensionRef filters (extensionObjects.ts). */
  extensionRefs?: ExtensionObject[];
  /** First problem that invalidates the rule. */
  invalid?: RouteStatusError;
  /** Reference problems (mirror backends). */
  refErrors: RouteStatusError[];
  /** A mirror backend resolved but has no endpoints (BackendsAvailable=False, not ResolvedRefs). */
  noEndpoints?: boolean;
}

const REDIRECT_CODES = new Set([301, 302, 303, 307, 308]);
/** An Envoy substitution command operator, such as `%REQ(:METHOD)%` or `%START_TIME%`. */
const COMMAND_OPERATOR = /%[A-Z][A-Z0-9_]*(\([^)]*\))?(:[0-9]+)?%/;
const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function pathModifier(
  path:
    | {
        type: string;
        replaceFullPath?: string | undefined;
        replacePrefixMatch?: string | undefined;
      }
    | undefined,
  pathMatchType: string | undefined,
  pathPrefixes: readonly string[],
): { value?: { fullReplace?: string; prefixMatchReplace?: string }; error?: string } {
  if (!path) return {};
  if (path.type === 'ReplaceFullPath') {
    if (path.replaceFullPath === undefined || path.replacePrefixMatch !== undefined) {
      return { error: 'ReplaceFullPath needs replaceFullPath and only it' };
    }
    return { value: { fullReplace: path.replaceFullPath } };
  }
  if (path.type === 'ReplacePrefixMatch') {
    if (path.replacePrefixMatch === undefined || path.replaceFullPath !== undefined) {
      return { error: 'ReplacePrefixMatch needs replacePrefixMatch and only it' };
    }
    if (pathMatchType !== undefined && pathMatchType !== 'PathPrefix') {
      return { error: 'ReplacePrefixMatch requires a PathPrefix path match' };
    }
    const error = prefixRegexError(pathPrefixes, path.replacePrefixMatch);
    if (error) return { error };
    return { value: { prefixMatchReplace: path.replacePrefixMatch } };
  }
  return { error: `unsupported path modifier type ${path.type}` };
}

/**
 * Why Envoy would refuse the regex a ReplacePrefixMatch of one of `pathPrefixes` becomes: the rule
 * is reported instead of Envoy rejecting the listener's whole RouteConfiguration. (RE2 takes the
 * anchored literal prefix out of its program, so today's `^<prefix>/*` always loads; the check
 * keeps holding should the regex ever change.)
 */
function prefixRegexError(
  pathPrefixes: readonly string[],
  replacement: string,
): string | undefined {
  for (const prefix of pathPrefixes) {
    const regex = prefixRewriteRegex(prefix, replacement);
    const error = regex === undefined ? undefined : re2Error(regex);
    if (regex === undefined || error === undefined) continue;
    const shown = prefix.length > 64 ? `${prefix.slice(0, 64)}...` : prefix;
    return `ReplacePrefixMatch of the ${prefix.length}-character path prefix ${shown} needs the regex ${regex.length > 80 ? `${regex.slice(0, 80)}...` : regex}, which Envoy would reject: ${error}`;
  }
  return undefined;
}

export interface FilterRuleInfo {
  /** Path match types of the rule's matches (ReplacePrefixMatch needs PathPrefix). */
  pathMatchTypes: readonly (string | undefined)[];
  /** Values of the rule's PathPrefix matches (a prefix rewrite may become a regex of them). */
  pathPrefixes?: readonly string[];
  /** Name prefix for mirror destinations. */
  irName: string;
}

export function processHTTPFilters(
  ctx: TranslatorContext,
  route: AnyRouteContext,
  filters: readonly HTTPRouteFilterSpec[],
  rule: FilterRuleInfo,
): FilterOutcome {
  const out: FilterOutcome = {
    requestHeaders: { add: [] as HeaderValue[], remove: [] },
    responseHeaders: { add: [] as HeaderValue[], remove: [] },
    mirrors: [],
    refErrors: [],
  };
  // Most rules have no filters: what follows would only allocate its bookkeeping to find that.
  if (filters.length === 0) return out;
  const fail = (
    message: string,
    reason: 'UnsupportedValue' | 'IncompatibleFilters' = 'UnsupportedValue',
  ) => {
    out.invalid ??= invalidRule(reason, message);
  };
  let matchFilters = 0;
  const notApplied: string[] = [];
  let mirrorFilters = 0;
  // Envoy rewrites a path, and a host, once: two rewrites of either in one rule cannot both apply,
  // whether from URLRewrite or Envoy Gateway HTTPRouteFilters (Envoy Gateway rejects the rule).
  let pathRewrites = 0;
  let hostRewrites = 0;
  let coreRewrites = 0;
  const pathType = rule.pathMatchTypes.find((t) => t !== 'PathPrefix') ?? rule.pathMatchTypes[0];
  for (const filter of filters) {
    switch (filter.type) {
      case 'RequestHeaderModifier': {
        const error = applyHeaderModifier(
          filter.requestHeaderModifier ?? undefined,
          out.requestHeaders,
        );
        if (error) out.invalid ??= error;
        break;
      }
      case 'ResponseHeaderModifier': {
        const error = applyHeaderModifier(
          filter.responseHeaderModifier ?? undefined,
          out.responseHeaders,
        );
        if (error) out.invalid ??= error;
        break;
      }
      case 'RequestRedirect': {
        const r = filter.requestRedirect;
        if (!r) {
          fail('RequestRedirect filter has no configuration.');
          break;
        }
        if (out.redirect) fail('Only one RequestRedirect filter is allowed per rule.');
        if (r.scheme !== undefined && r.scheme !== 'http' && r.scheme !== 'https') {
          fail(`Redirect scheme ${r.scheme} is not supported, only http and https are.`);
        }
        const statusCode = r.statusCode ?? 302;
        if (!REDIRECT_CODES.has(statusCode))
          fail(`Redirect status code ${statusCode} is not supported.`);
        if (r.hostname !== undefined && !HOSTNAME.test(r.hostname))
          fail(`Redirect hostname ${r.hostname} is invalid.`);
        const path = pathModifier(r.path ?? undefined, pathType, rule.pathPrefixes ?? []);
        if (path.error) fail(`Redirect ${path.error}.`);
        const redirect: Redirect = { statusCode };
        if (r.scheme !== undefined) redirect.scheme = r.scheme;
        if (r.hostname !== undefined) redirect.hostname = r.hostname;
        if (r.port !== undefined && r.port !== null) redirect.port = r.port;
        if (path.value) redirect.path = path.value;
        out.redirect = redirect;
        break;
      }
      case 'URLRewrite': {
        const r = filter.urlRewrite;
        if (!r) {
          fail('URLRewrite filter has no configuration.');
          break;
        }
        // Gateway API: a core filter type appears at most once per rule. An Envoy Gateway
        // HTTPRouteFilter's rewrite may complement it (one rewrites the host, the other the path);
        // rewriting the same part twice is refused below.
        if (++coreRewrites > 1) fail('Only one URLRewrite filter is allowed per rule.');
        if (r.path) pathRewrites += 1;
        if (r.hostname) hostRewrites += 1;
        if (r.hostname !== undefined && r.hostname !== null && !HOSTNAME.test(r.hostname)) {
          fail(`URLRewrite hostname ${r.hostname} is invalid.`);
        }
        const path = pathModifier(r.path ?? undefined, pathType, rule.pathPrefixes ?? []);
        if (path.error) fail(`URLRewrite ${path.error}.`);
        const rewrite: URLRewrite = {};
        if (r.hostname) rewrite.hostname = r.hostname;
        if (path.value) rewrite.path = path.value;
        out.urlRewrite = { ...out.urlRewrite, ...rewrite };
        break;
      }
      case 'RequestMirror': {
        mirrorFilters += 1;
        const m = filter.requestMirror;
        if (!m) {
          fail('RequestMirror filter has no configuration.');
          break;
        }
        const name = `${rule.irName}/mirror/${out.mirrors.length}`;
        const resolved = resolveBackendRef(
          ctx,
          route,
          { ...m.backendRef, weight: 1 },
          `${name}/backend/0`,
          route.kind === 'GRPCRoute' ? 'GRPC' : 'HTTP',
        );
        if (resolved.error) out.refErrors.push(resolved.error);
        if (resolved.noEndpoints) out.noEndpoints = true;
        if (resolved.setting && !resolved.error) {
          const mirror: Mirror = { destination: { name, settings: [resolved.setting] } };
          const percent =
            m.percent ??
            (m.fraction
              ? (m.fraction.numerator / (m.fraction.denominator ?? 100)) * 100
              : undefined);
          if (percent !== undefined && percent !== null) mirror.percentage = percent;
          out.mirrors.push(mirror);
        }
        break;
      }
      case 'CORS': {
        const c = filter.cors;
        if (!c) break;
        const cors: CORS = {
          allowOrigins: [...(c.allowOrigins ?? [])],
          allowMethods: [...(c.allowMethods ?? [])],
          allowHeaders: [...(c.allowHeaders ?? [])],
          exposeHeaders: [...(c.exposeHeaders ?? [])],
          allowCredentials: c.allowCredentials === true,
        };
        if (c.maxAge !== undefined && c.maxAge !== null) cors.maxAgeSeconds = c.maxAge;
        // A wildcard origin becomes a regex Envoy compiles (see @egts/ir envoyRegex.ts).
        for (const origin of cors.allowOrigins.filter((o) => o.includes('*'))) {
          const error = re2Error(wildcardOriginRegex(origin));
          if (error) fail(`CORS allowOrigins ${origin} cannot be matched by Envoy: ${error}.`);
        }
        out.cors = cors;
        break;
      }
      case 'ExtensionRef': {
        const ref = filter.extensionRef;
        const extensionKind = `${ref?.group ?? ''}/${ref?.kind ?? ''}`;
        if (ref && ctx.options.extensionKinds.filters.has(extensionKind)) {
          // An extension server's filter: its object is handed to the extension's PostRouteModify.
          const object = findExtensionObject(
            ctx.resources,
            extensionKind,
            route.namespace,
            ref.name,
          );
          if (object) out.extensionRefs = [...(out.extensionRefs ?? []), object];
          else {
            // As a missing HTTPRouteFilter: the rule stays and answers 500.
            out.refErrors.push(
              unresolvedRef(
                'UnsupportedValue',
                `${ref.kind} ${route.namespace}/${ref.name} not found.`,
              ),
            );
            out.unresolvedFilter = true;
          }
          break;
        }
        if (!ref || ref.group !== ENVOY_GATEWAY_GROUP || ref.kind !== 'HTTPRouteFilter') {
          out.unknownFilter = true;
          fail(
            `Unknown custom filter ${ref?.group ?? ''}/${ref?.kind ?? ''}: only ${ENVOY_GATEWAY_GROUP}/HTTPRouteFilter is supported.`,
          );
          break;
        }
        const found = ctx.httpRouteFilters.get(nsName(route.namespace, ref.name));
        if (!found) {
          // Envoy Gateway keeps the rule and answers 500 for it: an unresolved reference.
          out.refErrors.push(
            unresolvedRef(
              'UnsupportedValue',
              `HTTPRouteFilter ${route.namespace}/${ref.name} not found.`,
            ),
          );
          out.unresolvedFilter = true;
          break;
        }
        // The filter has no status of its own: a setting egts does not apply rejects the rule,
        // once the rule's other checks had their say (below).
        const fields = notAppliedFields('HTTPRouteFilter', found.spec);
        if (fields.length > 0) notApplied.push(`HTTPRouteFilter ${ref.name}: ${fields.join(', ')}`);
        if (found.spec.urlRewrite) {
          const rewrite = filterRewrite(found.spec.urlRewrite);
          if (rewrite.error) fail(`HTTPRouteFilter ${ref.name}: ${rewrite.error}.`);
          if (rewrite.rewrite) out.urlRewrite = { ...out.urlRewrite, ...rewrite.rewrite };
          if (rewrite.path) pathRewrites += 1;
          if (rewrite.hostname !== undefined) {
            hostRewrites += 1;
            out.hostnameRewrite = rewrite.hostname;
          }
        }
        if ((found.spec.matches ?? []).length > 0 && ++matchFilters > 1) {
          fail('Only one HTTPRouteFilter with matches is supported per rule.');
        } else if ((found.spec.matches ?? []).length > 0) {
          const built = filterMatches(found.spec.matches ?? []);
          if ('error' in built) fail(`HTTPRouteFilter ${ref.name} matches: ${built.error}.`);
          else out.extraMatches = built.matches;
        }
        if (found.spec.credentialInjection) {
          const injected = credentialInjection(ctx, route.namespace, ref.name, found.spec);
          if (typeof injected === 'string') fail(`HTTPRouteFilter ${ref.name}: ${injected}.`);
          else out.credentialInjection = injected;
        }
        const direct = found.spec.directResponse;
        if (direct) {
          // Envoy Gateway: a body it cannot serve makes the filter, so the rule, invalid.
          const bodyProblem = responseBodyProblem(
            ctx,
            `HTTPRouteFilter ${ref.name} directResponse.body`,
            direct.body as Record<string, unknown> | undefined,
            route.namespace,
          );
          if (bodyProblem) fail(`${bodyProblem}.`);
          const body = responseBody(
            ctx,
            direct.body as Record<string, unknown> | undefined,
            route.namespace,
          );
          // Command operators (`%REQ(:METHOD)%`) are substituted per request, as Envoy
          // Gateway's DirectResponse e2e test expects.
          out.directResponse = {
            statusCode: direct.statusCode ?? 200,
            ...(body === undefined ? {} : { body }),
            ...(body !== undefined && COMMAND_OPERATOR.test(body) ? { formatted: true } : {}),
          };
          const header = direct.header ?? undefined;
          const contentType = direct.contentType ?? undefined;
          if (header || contentType) {
            const error = applyHeaderModifier(
              {
                ...header,
                set: [
                  ...(header?.set ?? []),
                  ...(contentType ? [{ name: 'Content-Type', value: contentType }] : []),
                ],
              },
              out.responseHeaders,
            );
            if (error) out.invalid ??= error;
          }
        }
        break;
      }
      default:
        fail(`Filter type ${String((filter as { type: string }).type)} is not supported.`);
    }
  }
  if (pathRewrites > 1) fail('Only one path rewrite is allowed per rule.');
  if (hostRewrites > 1) fail('Only one hostname rewrite is allowed per rule.');
  // A rule that answers by itself (redirect, direct response) cannot also rewrite or mirror what
  // it forwards (Gateway API IncompatibleFilters).
  const answers = [
    out.redirect && 'RequestRedirect',
    out.directResponse && 'a direct response',
  ].filter(Boolean);
  const forwards = [out.urlRewrite && 'URLRewrite', mirrorFilters > 0 && 'RequestMirror'].filter(
    Boolean,
  );
  if (answers.length > 1 || (answers.length > 0 && forwards.length > 0)) {
    fail(
      `${[...answers, ...forwards].join(' and ')} cannot be used together.`,
      'IncompatibleFilters',
    );
  }
  if (notApplied.length > 0) fail(notAppliedMessage(notApplied, 'the rule is not served.'));
  return out;
}
