// Envoy Gateway's HTTPRouteFilter `urlRewrite`: a path rewrite by regex (ReplaceRegexMatch) and a
// host rewrite from a request header, from the backend's address, or from the path by regex.
// Envoy Gateway rejects the rule (Accepted False, UnsupportedValue) when a rewrite lacks what its
// type needs or its regex is not RE2.
import type { URLRewrite } from '@egts/ir';
import { re2Error } from './re2.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;

/** HTTP header names are tokens (RFC 9110 section 5.1). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export interface FilterRewrite {
  path: boolean;
  /** The hostname rewrite's type, when there is one. */
  hostname?: string;
  error?: string;
  /** What the rewrite does, for the IR (when there is no error). */
  rewrite?: URLRewrite;
}

function regexProblem(field: string, value: Obj | undefined): string | undefined {
  const pattern = value?.pattern;
  if (typeof pattern !== 'string' || pattern === '') return `${field}.pattern is required`;
  const error = re2Error(pattern);
  return error === undefined ? undefined : `${field}.pattern ${pattern} is invalid: ${error}`;
}

export function filterRewrite(urlRewrite: unknown): FilterRewrite {
  const rewrite = obj(urlRewrite);
  const path = obj(rewrite?.path);
  const hostname = obj(rewrite?.hostname);
  const out: FilterRewrite = { path: path !== undefined };
  if (path) {
    const error =
      path.type === 'ReplaceRegexMatch'
        ? regexProblem('urlRewrite.path.replaceRegexMatch', obj(path.replaceRegexMatch))
        : `urlRewrite.path type ${String(path.type)} is not supported`;
    if (error) out.error = error;
  }
  if (hostname) {
    out.hostname = String(hostname.type);
    let error: string | undefined;
    if (hostname.type === 'Header') {
      if (typeof hostname.header !== 'string' || !TOKEN.test(hostname.header))
        error = 'urlRewrite.hostname of type Header needs a header name';
    } else if (hostname.type === 'PathRegex') {
      error = regexProblem('urlRewrite.hostname.pathRegex', obj(hostname.pathRegex));
    } else if (hostname.type !== 'Backend') {
      error = `urlRewrite.hostname type ${String(hostname.type)} is not supported`;
    }
    if (error) out.error ??= error;
  }
  if (out.error === undefined) {
    out.rewrite = irRewrite(path, hostname);
    if (hostname && rewrite?.appendXForwardedHost === false)
      out.rewrite.appendXForwardedHost = false;
  }
  return out;
}

const regexSubstitution = (value: Obj | undefined) => ({
  pattern: String(value?.pattern ?? ''),
  substitution: String(value?.substitution ?? ''),
});

/** The IR of a valid rewrite. */
function irRewrite(path: Obj | undefined, hostname: Obj | undefined): URLRewrite {
  const out: URLRewrite = {};
  if (path) out.path = { regex: regexSubstitution(obj(path.replaceRegexMatch)) };
  if (hostname?.type === 'Header') out.hostnameFromHeader = String(hostname.header);
  else if (hostname?.type === 'Backend') out.hostnameFromBackend = true;
  else if (hostname?.type === 'PathRegex')
    out.hostnameFromPath = regexSubstitution(obj(hostname.pathRegex));
  return out;
}
