// The regular expressions the xDS translator builds from IR values (not from user regexes): a
// prefix rewrite that eats the slashes after the prefix, and origins with `*` wildcards. They are
// here, beside the IR, so that the Gateway API translator can check what Envoy will compile (RE2
// and its program-size limit) and report it on the route, instead of Envoy rejecting the whole
// RouteConfiguration; the xDS translator builds the very same strings.

/** RE2 escaping of a literal. */
export const regexQuote = (literal: string): string =>
  literal.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');

/**
 * The regex a ReplacePrefixMatch rewrite of a PathPrefix `pathPrefix` becomes when `replacement`
 * ends in "/" (or is empty, which means "/"): it also eats the slashes after the prefix, so
 * "/foo/bar" with prefix "/foo" -> "/" becomes "/bar" and not "//bar" (GEP-726). Undefined when
 * Envoy's plain prefix_rewrite does the job.
 */
export const prefixRewriteRegex = (pathPrefix: string, replacement: string): string | undefined => {
  if (replacement !== '' && !replacement.endsWith('/')) return undefined;
  return `^${regexQuote(pathPrefix.replace(/\/+$/, ''))}/*`;
};

/** An origin with `*` wildcards ("https://*.example.com") as a regex: `*` is any run of characters. */
export const wildcardOriginRegex = (origin: string): string =>
  origin.split('*').map(regexQuote).join('.*');

/** A CSRF origin for any subdomain ("*.example.com", host and port only) as a regex. */
export const subdomainOriginRegex = (origin: string): string => `.*${regexQuote(origin.slice(1))}`;
