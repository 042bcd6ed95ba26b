// Gateway API path modifiers (ReplaceFullPath, ReplacePrefixMatch) as Envoy rewrites, for URL
// rewrites and redirects alike. Full replacement is a regex rewrite of the whole path; a prefix
// replacement ending in "/" is a regex that also eats the slashes after the prefix, so "/foo/bar"
// with prefix "/foo" -> "/" becomes "/bar" and not "//bar" (GEP-726).
import { type HTTPRouteIR, prefixRewriteRegex, type URLRewrite } from '@egts/ir';
import type { RegexMatchAndSubstitute } from '../envoyTypes.js';

// One definition with the translator's RE2 checks (see @egts/ir envoyRegex.ts).
export { regexQuote } from '@egts/ir';

export type PathRewrite =
  | { readonly prefixRewrite: string }
  | { readonly regexRewrite: RegexMatchAndSubstitute }
  | { readonly fullPath: string };

/** The rewrite for `path` on `route`, or undefined when there is none or it cannot apply. */
export const pathRewrite = (
  route: HTTPRouteIR,
  path: NonNullable<URLRewrite['path']> | undefined,
): PathRewrite | undefined => {
  if (path === undefined) return undefined;
  if (path.fullReplace !== undefined) return { fullPath: path.fullReplace };
  if (path.regex !== undefined)
    return {
      regexRewrite: {
        pattern: { regex: path.regex.pattern },
        substitution: path.regex.substitution,
      },
    };
  if (path.prefixMatchReplace === undefined) return undefined;
  // An empty replacement means "/" (HTTPPathModifier table: "/foo/bar" -> "/bar"), and an empty
  // prefix_rewrite would be no rewrite at all in proto3.
  const replacement = path.prefixMatchReplace === '' ? '/' : path.prefixMatchReplace;
  const regex = prefixRewriteRegex(
    route.pathMatch?.type === 'PathPrefix' ? route.pathMatch.value : '/',
    replacement,
  );
  if (regex !== undefined) {
    return { regexRewrite: { pattern: { regex }, substitution: replacement } };
  }
  // Envoy replaces the matched path_separated_prefix: "/foo/bar" -> "<replacement>/bar". A prefix
  // match of "/" is not in the HTTPPathModifier table (gateway-api#3592 is open); as in Envoy
  // Gateway, the replacement takes the place of that "/": "/foo" -> "<replacement>foo".
  return { prefixRewrite: replacement };
};
