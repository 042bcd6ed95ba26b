// Regexes egts builds itself get the same RE2 check as users' (issue #16): a ReplacePrefixMatch
// ending in "/" becomes `^<prefix>/*`, and a wildcard CORS origin `https://.*\.<rest>`. A long
// origin is over Envoy's program-size limit: the rule is refused with the reason on the route's
// status, instead of Envoy rejecting the listener's whole RouteConfiguration. A long prefix is
// not (RE2 takes an anchored literal out of the program), and is accepted. The verdicts agree
// with real Envoy loading the very regexes the xDS translator builds (@egts/ir's).
import { loadResourcesFromText } from '@egts/api';
import { findEnvoy, validateEnvoyConfig } from '@egts/envoy-binary';
import { prefixRewriteRegex, subdomainOriginRegex, wildcardOriginRegex } from '@egts/ir';
import { describe, expect, it } from 'vitest';
import { translate } from '../index.js';

const HEAD = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {namespace: default, name: gw}
spec:
  gatewayClassName: eg
  listeners: [{name: http, protocol: HTTP, port: 80}]
`;

const route = (name: string, prefix: string, filter: object) => `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {namespace: default, name: ${name}}
spec:
  parentRefs: [{name: gw}]
  rules:
  - matches: [{path: {type: PathPrefix, value: ${JSON.stringify(prefix)}}}]
    filters: [${JSON.stringify(filter)}]
    backendRefs: [{name: app, port: 8080}]
`;

const rewrite = (replacePrefixMatch: string) => ({
  type: 'URLRewrite',
  urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch } },
});

/** Accepted condition of each route, by name. */
function accepted(routes: string): Map<string, { status: string; message: string }> {
  const { resources } = loadResourcesFromText(HEAD + routes, 'rewrite.yaml', { lenient: true });
  const { statuses } = translate(resources, { now: new Date('2030-01-01T00:00:00Z') });
  const out = new Map<string, { status: string; message: string }>();
  for (const s of statuses) {
    if (s.kind !== 'HTTPRoute') continue;
    const parents = s.status.parents as {
      conditions: { type: string; status: string; message: string }[];
    }[];
    const c = parents[0]?.conditions.find((x) => x.type === 'Accepted');
    if (c) out.set(s.metadata.name, c);
  }
  return out;
}

const longPrefix = (length: number) => `/${'a'.repeat(length - 1)}`;

const cors = (allowOrigins: string[]) => ({ type: 'CORS', cors: { allowOrigins } });
const wildcardOrigin = (length: number) => `https://*.${'a'.repeat(length - 22)}.example.com`;

describe('RE2 check of regexes egts generates', () => {
  it('takes a ReplacePrefixMatch of any prefix length: the anchored literal is not in the program', () => {
    const verdicts = accepted(
      route('long', longPrefix(1000), rewrite('/')) +
        route('long-redirect', longPrefix(1000), {
          type: 'RequestRedirect',
          requestRedirect: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/b/' } },
        }) +
        route('short', '/api/v1', rewrite('/')),
    );
    expect(verdicts.get('long')).toMatchObject({ status: 'True' });
    expect(verdicts.get('long-redirect')).toMatchObject({ status: 'True' });
    expect(verdicts.get('short')).toMatchObject({ status: 'True' });
  });

  it('refuses a wildcard CORS origin whose regex is over the limit, and only that', () => {
    const verdicts = accepted(
      route('long-origin', '/x', cors([wildcardOrigin(172)])) +
        route('origin', '/y', cors(['https://*.example.com'])),
    );
    expect(verdicts.get('long-origin')).toMatchObject({ status: 'False' });
    expect(verdicts.get('long-origin')?.message).toMatch(
      /CORS allowOrigins https:\/\/\*\.a+\.example\.com cannot be matched by Envoy: RE2 program size \d+ is over Envoy's limit of 100/,
    );
    expect(verdicts.get('origin')).toMatchObject({ status: 'True' });
  });
});

const securityPolicy = (name: string, spec: object) => `---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: {namespace: default, name: ${name}}
spec: ${JSON.stringify({ targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name }], ...spec })}
`;

/** Accepted condition of each SecurityPolicy, by name. */
function policyAccepted(text: string): Map<string, { status: string; message: string }> {
  const { resources } = loadResourcesFromText(HEAD + text, 'policy.yaml', { lenient: true });
  const { statuses } = translate(resources, { now: new Date('2030-01-01T00:00:00Z') });
  const out = new Map<string, { status: string; message: string }>();
  for (const s of statuses) {
    if (s.kind !== 'SecurityPolicy') continue;
    const ancestors = s.status.ancestors as {
      conditions: { type: string; status: string; message: string }[];
    }[];
    const c = ancestors[0]?.conditions.find((x) => x.type === 'Accepted');
    if (c) out.set(s.metadata.name, c);
  }
  return out;
}

describe('RE2 check of the origins a SecurityPolicy turns into regexes', () => {
  it('makes a policy Invalid for a CORS or CSRF origin Envoy could not compile, and only that', () => {
    const plain = (name: string) => route(name, `/${name}`, rewrite('/'));
    const longHost = `${'a'.repeat(150)}.example.com`;
    const verdicts = policyAccepted(
      plain('cors-long') +
        securityPolicy('cors-long', { cors: { allowOrigins: [`https://*.${longHost}`] } }) +
        plain('csrf-long') +
        securityPolicy('csrf-long', { csrf: { additionalOrigins: [`https://*.${longHost}`] } }) +
        plain('fine') +
        securityPolicy('fine', {
          cors: { allowOrigins: ['https://*.example.com'] },
          csrf: { additionalOrigins: ['https://*.example.com'] },
        }),
    );
    expect(verdicts.get('cors-long')).toMatchObject({ status: 'False' });
    expect(verdicts.get('cors-long')?.message).toMatch(/cors.allowOrigins .* RE2 program size/);
    expect(verdicts.get('csrf-long')).toMatchObject({ status: 'False' });
    expect(verdicts.get('csrf-long')?.message).toMatch(
      /csrf.additionalOrigins .* RE2 program size/,
    );
    expect(verdicts.get('fine')).toMatchObject({ status: 'True' });
  });
});

let envoy: string | undefined;
try {
  envoy = findEnvoy();
} catch {
  envoy = undefined;
}

/** A static listener with one route whose match and rewrite are the regexes given. */
const bootstrap = (match: string, rewriteRegex: string) => ({
  static_resources: {
    listeners: [
      {
        name: 'l',
        address: { socket_address: { address: '127.0.0.1', port_value: 1 } },
        filter_chains: [
          {
            filters: [
              {
                name: 'hcm',
                typed_config: {
                  '@type':
                    'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
                  stat_prefix: 's',
                  http_filters: [
                    {
                      name: 'envoy.filters.http.router',
                      typed_config: {
                        '@type':
                          'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router',
                      },
                    },
                  ],
                  route_config: {
                    virtual_hosts: [
                      {
                        name: 'v',
                        domains: ['*'],
                        routes: [
                          {
                            match: { safe_regex: { regex: match } },
                            route: {
                              cluster: 'c',
                              regex_rewrite: {
                                pattern: { regex: rewriteRegex },
                                substitution: '/',
                              },
                            },
                          },
                        ],
                      },
                    ],
                  },
                },
              },
            ],
          },
        ],
      },
    ],
    clusters: [{ name: 'c', connect_timeout: '1s' }],
  },
});

describe.skipIf(envoy === undefined)('generated regexes against Envoy', () => {
  it('accepts none Envoy rejects, and refuses none it loads', { timeout: 300_000 }, async () => {
    const prefixes = [60, 96, 100, 200, 1000];
    const origins = [40, 90, 100, 110, 172];
    const verdicts = accepted(
      prefixes.map((n) => route(`p${n}`, longPrefix(n), rewrite('/'))).join('') +
        origins.map((n) => route(`o${n}`, `/o${n}`, cors([wildcardOrigin(n)]))).join(''),
    );
    // CSRF origins for any subdomain, on SecurityPolicies (host only: `*.<host>`).
    const csrfHost = (n: number) => `*.${'c'.repeat(n - 14)}.example.com`;
    const policies = policyAccepted(
      origins
        .map(
          (n) =>
            route(`c${n}`, `/c${n}`, rewrite('/')) +
            securityPolicy(`c${n}`, { csrf: { additionalOrigins: [`https://${csrfHost(n)}`] } }),
        )
        .join(''),
    );
    for (const n of origins) verdicts.set(`c${n}`, policies.get(`c${n}`)!);
    const cases = [
      ...prefixes.map((n) => ({ name: `p${n}`, regex: prefixRewriteRegex(longPrefix(n), '/')! })),
      ...origins.map((n) => ({ name: `o${n}`, regex: wildcardOriginRegex(wildcardOrigin(n)) })),
      ...origins.map((n) => ({ name: `c${n}`, regex: subdomainOriginRegex(csrfHost(n)) })),
    ];
    const disagreements: string[] = [];
    for (const { name, regex } of cases) {
      // Envoy checks a route match and a rewrite pattern alike (Regex::Utility::parseRegex).
      const loads = (await validateEnvoyConfig(bootstrap('/.*', regex))).valid;
      const egts = verdicts.get(name)?.status === 'True';
      if (egts !== loads)
        disagreements.push(
          `${name}: egts ${egts ? 'accepts' : 'refuses'}, Envoy ${loads ? 'loads' : 'rejects'}`,
        );
    }
    console.log(
      `${cases.length} generated regexes: ${disagreements.join('; ') || 'egts and Envoy agree on all'}`,
    );
    expect(disagreements.filter((d) => d.includes('Envoy rejects'))).toEqual([]);
    expect(disagreements.length).toBeLessThanOrEqual(2);
    expect(verdicts.get('p1000')?.status).toBe('True');
    expect(verdicts.get('o172')?.status).toBe('False');
    expect(verdicts.get('c172')?.status).toBe('False');
    expect(verdicts.get('c40')?.status).toBe('True');
  });
});
