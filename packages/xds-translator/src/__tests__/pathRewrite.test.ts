// Gateway API's HTTPPathModifier table (ReplacePrefixMatch), applied with the regex or prefix
// rewrite the translator emits, the way Envoy applies them.
import type { HTTPRouteIR } from '@egts/ir';
import { describe, expect, it } from 'vitest';
import { translateXds } from '../index.js';

/** The path Envoy would forward for `request` under a PathPrefix `prefix` rewritten to `replace`. */
const rewrite = (prefix: string, replace: string, request: string): string => {
  const route: HTTPRouteIR = {
    name: 'r',
    hostname: '*',
    pathMatch: { type: 'PathPrefix', value: prefix },
    headerMatches: [],
    queryParamMatches: [],
    addRequestHeaders: [],
    removeRequestHeaders: [],
    addResponseHeaders: [],
    removeResponseHeaders: [],
    mirrors: [],
    grpc: false,
    source: { kind: 'HTTPRoute', namespace: 'default', name: 'r' },
    urlRewrite: { path: { prefixMatchReplace: replace } },
    destination: {
      name: 'd',
      settings: [{ name: 'd/0', weight: 1, protocol: 'HTTP', addressType: 'IP', endpoints: [] }],
    },
  };
  const out = translateXds({
    name: 'gw',
    http: [
      {
        name: 'l',
        address: '0.0.0.0',
        port: 1,
        externalPort: 1,
        hostnames: ['*'],
        routes: [route],
      },
    ],
    tcp: [],
    udp: [],
  });
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
