// Gateway API's HTTPPathModifier table (ReplacePrefixMatch), applied with the regex or prefix
// rewrite the translator emits, the way Envoy applies them.
import { describe, expect, it } from 'vitest';
import { translateXds } from '../index.js';
import { fleetIR, httpRoute } from './irFixtures.js';

/** The path Envoy would forward for `request` under a PathPrefix `prefix` rewritten to `replace`. */
const rewrite = (prefix: string, replace: string, request: string): string => {
  const route = httpRoute('r', prefix, { urlRewrite: { path: { prefixMatchReplace: replace } } });
  const out = translateXds(fleetIR([route]));
  const envoyRoute = out.routes[0]?.virtualHosts[0]?.routes[0];
  const action = envoyRoute?.route;
  const matched = envoyRoute?.match?.pathSeparatedPrefix ?? envoyRoute?.match?.prefix ?? '';
  if (action?.regexRewrite?.pattern !== undefined) {
    // RE2 and JavaScript agree on these simple patterns.
    return request.replace(
      new RegExp(action.regexRewrite.pattern.regex),
      action.regexRewrite.substitution,
    );
  }
  // Envoy's prefix_rewrite replaces the matched prefix.
  return `${action?.prefixRewrite ?? ''}${request.slice(matched.length)}`;
};

describe('ReplacePrefixMatch (Gateway API HTTPPathModifier table)', () => {
  it.each([
    ['/foo/bar', '/foo', '/xyz', '/xyz/bar'],
    ['/foo/bar', '/foo', '/xyz/', '/xyz/bar'],
    ['/foo/bar', '/foo/', '/xyz', '/xyz/bar'],
    ['/foo/bar', '/foo/', '/xyz/', '/xyz/bar'],
    ['/foo', '/foo', '/xyz', '/xyz'],
    ['/foo/', '/foo', '/xyz', '/xyz/'],
    ['/foo/bar', '/foo', '', '/bar'],
    ['/foo/', '/foo', '', '/'],
    ['/foo', '/foo', '', '/'],
    ['/foo/', '/foo', '/', '/'],
    ['/foo', '/foo', '/', '/'],
  ])('%s under %s replaced by "%s" -> %s', (request, prefix, replace, expected) => {
    expect(rewrite(prefix, replace, request)).toBe(expected);
  });
});
