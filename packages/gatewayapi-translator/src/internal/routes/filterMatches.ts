// An Envoy Gateway HTTPRouteFilter's `matches`: more criteria for the rule, ANDed with its own
// matches (any one filter match applies). Envoy's route match has no cookie matcher, so a
// cookie becomes a regular expression on the Cookie header that finds `name=value` among the
// pairs (RFC 6265 section 4.2.1: `; `-separated).
import { regexQuote, type StringMatch } from '@egts/ir';
import { re2Error } from './re2.js';

interface CookieMatch {
  readonly name: string;
  readonly value: string;
  readonly type?: string | undefined;
}

/** Header matches of each filter match, or why one cannot be served. */
export function filterMatches(
  matches: readonly { readonly cookies?: readonly CookieMatch[] | undefined }[],
): { matches: StringMatch[][] } | { error: string } {
  const out: StringMatch[][] = [];
  for (const match of matches) {
    const headers: StringMatch[] = [];
    for (const cookie of match.cookies ?? []) {
      const regex = cookie.type === 'RegularExpression';
      if (regex) {
        const problem = re2Error(cookie.value);
        if (problem) return { error: `cookie ${cookie.name}: ${problem}` };
      }
      const value = regex ? `(${cookie.value})` : regexQuote(cookie.value);
      headers.push({
        name: 'cookie',
        type: 'RegularExpression',
        value: `^(.*;\\s*)?${regexQuote(cookie.name)}=${value}(;.*)?$`,
      });
    }
    out.push(headers);
  }
  return { matches: out };
}
