// Envoy Gateway's SecurityPolicy e2e tests (test/e2e/tests: basic_auth.go, jwt.go, cors.go,
// authorization_*.go) re-expressed: the same manifests (testdata/), the same requests and the
// same answers, through egts and real Envoy. Tokens come from the Go files at run time.
import {
  accepted,
  type ConformanceTest,
  gw,
  type HttpExpectation,
  infra,
  type StatusExpectation,
} from '../../conformanceTest.js';
import { authzWithGeoIPCountry, authzWithGeoIPFields } from './geoIP.js';
import { goConstant } from './goConstants.js';
import { securityPolicyListenerSet } from './securityPolicyListenerSet.js';

const sameNs = gw('same-namespace');
const v1 = { backend: 'infra-backend-v1', namespace: infra };

/** SecurityPolicyMustBeAccepted: Accepted on the same-namespace Gateway. */
const policyAccepted = (...names: string[]): StatusExpectation[] =>
  names.map((name) => ({
    kind: 'SecurityPolicy' as const,
    namespace: infra,
    name,
    ancestors: [{ gateway: sameNs, conditions: [{ type: 'Accepted', status: 'True' as const }] }],
  }));

const get = (
  path: string,
  headers: Record<string, string>,
  status: number,
  method = 'GET',
): HttpExpectation => ({
  request: { path, method, headers },
  status,
  ...(status === 200 ? v1 : {}),
});

const basicAuth: ConformanceTest = {
  name: 'BasicAuth',
  description: 'Resource with BasicAuth enabled',
  features: ['SecurityPolicy', 'BasicAuth'],
  manifests: ['basic-auth.yaml'],
  statuses: [
    ...accepted(sameNs, ['http-with-basic-auth-1', 'http-with-basic-auth-2']),
    ...policyAccepted('basic-auth-1', 'basic-auth-2', 'basic-auth-3'),
  ],
  requests: [
    get('/basic-auth-1', { Authorization: 'Basic dXNlcjE6dGVzdDE=' }, 200), // user1:test1
    get('/basic-auth-1', {}, 401),
    get('/basic-auth-1', { Authorization: 'Basic dXNlcjE6dGVzdDI=' }, 401), // user1:test2
    get('/basic-auth-2', { Authorization: 'Basic dXNlcjQ6dGVzdDQ=' }, 200), // user4:test4
    get('/basic-auth-2', { Authorization: 'Basic dXNlcjE6dGVzdDE=' }, 401), // user1 is not in secret 2
    get('/no-basic-auth', {}, 200),
    {
      ...get('/basic-auth-3', { Authorization: 'Basic dXNlcjM6dGVzdDM=' }, 200), // user3:test3
      backendRequest: { headers: { 'x-authenticated-user': 'user3' } },
    },
  ],
};

const authzHeadersAndMethods: ConformanceTest = {
  name: 'AuthzWithHTTPMethodAndHeader',
  description: 'Authorization with HTTP methods and headers',
  features: ['SecurityPolicy', 'Authorization'],
  manifests: ['authorization-http-header-and-method.yaml'],
  statuses: policyAccepted(
    'authorization-only-user-id-header',
    'authorization-multiple-headers-and-methods',
  ),
  requests: [
    get('/protected-only-user-id-header', {}, 403),
    get('/protected-only-user-id-header', { 'x-user-id': 'wrong-user-id' }, 403),
    get('/protected-only-user-id-header', { 'x-user-id': 'john' }, 200),
    get('/protected-only-user-id-header', { 'x-user-id': 'alice' }, 200),
    get('/protected-multiple-headers-and-methods', {}, 403),
    get('/protected-multiple-headers-and-methods', { 'x-user-id': 'john' }, 403, 'POST'),
    get(
      '/protected-multiple-headers-and-methods',
      { 'x-user-id': 'john', 'x-location-id': 'gotham' },
      403,
    ),
    get(
      '/protected-multiple-headers-and-methods',
      { 'x-user-id': 'john', 'x-location-id': 'chengdu' },
      200,
    ),
  ],
};

const authzPath: ConformanceTest = {
  name: 'AuthzWithPath',
  description:
    'Authorization with HTTP path match (Exact, PathPrefix and RegularExpression with invert)',
  features: ['SecurityPolicy', 'Authorization'],
  manifests: ['authorization-path.yaml'],
  statuses: policyAccepted(
    'authorization-path-prefix',
    'authorization-path-exact',
    'authorization-path-regex-invert',
  ),
  requests: [
    get('/auth-path-prefix/public/resource', { 'x-user-id': 'john' }, 200),
    get('/auth-path-prefix/public/resource', { 'x-user-id': 'alice' }, 200),
    get('/auth-path-prefix/public/resource', { 'x-user-id': 'eve' }, 403),
    get('/auth-path-prefix/public/resource', {}, 403),
    get('/auth-path-prefix/private/resource', { 'x-user-id': 'john' }, 403),
    get('/auth-path-exact/resource', { 'x-user-id': 'john' }, 200),
    // The query is not part of the path matched.
    get('/auth-path-exact/resource?foo=bar', { 'x-user-id': 'john' }, 200),
    get('/auth-path-exact/resource', { 'x-user-id': 'eve' }, 403),
    get('/auth-path-exact/resource/extra', { 'x-user-id': 'john' }, 403),
    get('/auth-path-invert/public/resource', { 'x-role': 'admin' }, 200),
    get('/auth-path-invert/secret/data', { 'x-role': 'admin' }, 403),
    get('/auth-path-invert/public/resource', { 'x-role': 'user' }, 403),
  ],
};

const authzDefaultActions: ConformanceTest = {
  name: 'AuthzWithDefaultActions',
  description: 'Authorization with default actions',
  features: ['SecurityPolicy', 'Authorization'],
  manifests: ['authorization-default-action.yaml'],
  statuses: policyAccepted('authorization-empty', 'authorization-allow-all'),
  requests: [get('/empty-authorization', {}, 403), get('/allow-all', {}, 200)],
};

const clientIPDetection =
  "the manifest trusts 172.0.0.0/8, 10.0.0.0/8 and ::/0, the addresses of a cluster's pods; offline the proxy's peer is 127.0.0.1, an untrusted hop, so Envoy (rightly) takes it as the client and the X-Forwarded-For entries the test denies are never looked at";

const preflight = (origin: string, path: string) => ({
  path,
  method: 'OPTIONS',
  headers: {
    Origin: origin,
    'access-control-request-method': 'GET',
    'access-control-request-headers': 'x-header-1, x-header-2',
  },
});

const corsFromSecurityPolicy: ConformanceTest = {
  name: 'CORSFromSecurityPolicy',
  description: 'CORS settings of a SecurityPolicy answer preflights',
  features: ['SecurityPolicy', 'CORS'],
  manifests: ['cors-security-policy.yaml'],
  statuses: policyAccepted('cors-exact'),
  requests: [
    ...['https://www.foo.com', 'https://anydomain.foobar.com'].map(
      (origin): HttpExpectation => ({
        request: preflight(origin, '/cors-exact'),
        status: 200,
        validResponseHeaders: {
          'access-control-allow-origin': [origin],
          'access-control-allow-methods': ['GET, POST, PUT, PATCH, DELETE, OPTIONS'],
          'access-control-allow-headers': ['x-header-1, x-header-2'],
          'access-control-expose-headers': ['x-header-3, x-header-4'],
        },
        ignoreWhitespace: true,
      }),
    ),
    {
      request: preflight('https://unknown.foo.com', '/cors-exact'),
      status: 200,
      ...v1,
      absentResponseHeaders: ['access-control-allow-origin'],
    },
  ],
};

const csrfRequest = (path: string, method: string, origin: string | undefined, status: number) =>
  get(path, origin ? { Origin: origin } : {}, status, method);

const csrfFromSecurityPolicy: ConformanceTest = {
  name: 'CSRFFromSecurityPolicy',
  description: 'CSRF protection from a SecurityPolicy, enforced and in shadow mode',
  features: ['SecurityPolicy', 'CSRF'],
  manifests: ['csrf-security-policy.yaml'],
  statuses: policyAccepted('csrf-with-additional-origins', 'csrf-shadow-mode'),
  requests: [
    csrfRequest('/csrf', 'GET', undefined, 200),
    csrfRequest('/csrf', 'POST', 'https://www.example.com', 200),
    // The filter compares host and port only: another scheme of a trusted host passes.
    csrfRequest('/csrf', 'POST', 'http://www.example.com', 200),
    csrfRequest('/csrf', 'POST', 'http://www.example.com:8080', 200),
    csrfRequest('/csrf', 'POST', 'https://app.trusted.com', 200),
    csrfRequest('/csrf', 'POST', 'https://trusted.com', 403),
    csrfRequest('/csrf', 'POST', 'https://www.malicious.com', 403),
    csrfRequest('/csrf', 'DELETE', 'https://www.attacker.com', 403),
    csrfRequest('/csrf-shadow', 'POST', 'https://www.malicious.com', 200),
  ],
};

/** Tokens of jwt.go, signed by the keys of the suite's JWKS manifests. */
const tokens = (suiteDir: string) => ({
  v1: goConstant(suiteDir, 'jwt.go', 'v1Token'),
  invalid: goConstant(suiteDir, 'jwt.go', 'invalidToken'),
});

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

const localJWKS = (name: string, manifest: string, suiteDir: string): ConformanceTest => {
  const t = tokens(suiteDir);
  return {
    name,
    description: 'JWT verified against a local JWKS',
    features: ['SecurityPolicy', 'JWT'],
    manifests: [manifest],
    statuses: [...accepted(sameNs, ['jwt-local-jwks']), ...policyAccepted('jwt-local-jwks')],
    requests: [
      {
        ...get('/public', bearer(t.v1), 200),
        backendRequest: { headers: { 'x-name': 'John Doe' } },
      },
      get('/public', bearer(t.invalid), 401),
      get('/public', {}, 401),
    ],
  };
};

/** jwt.go's testClaimBasedRouting, for the JWT test and JWTBackendRemoteJWKS (a Backend JWKS). */
const jwtClaimRouting = (
  suiteDir: string,
  name: string,
  manifest: string,
  policy: string,
): ConformanceTest => {
  const token = (name: string) => goConstant(suiteDir, 'jwt.go', name);
  return {
    name,
    description: 'Claims copied to headers, then used to route (recomputeRoute)',
    features: ['SecurityPolicy', 'JWT'],
    manifests: [manifest],
    statuses: [...accepted(sameNs, ['jwt-claim-routing']), ...policyAccepted(policy)],
    requests: [
      get('/get', bearer(token('v1Token')), 200),
      { ...get('/get', bearer(token('v2Token')), 200), backend: 'infra-backend-v2' },
      get('/get', bearer(token('anotherToken')), 500),
      get('/get', { 'x-name': 'Tom' }, 401),
    ],
  };
};

const optionalJWT = (suiteDir: string): ConformanceTest => {
  const t = tokens(suiteDir);
  return {
    name: 'OptionalJWT',
    description: 'A JWT is verified when present and optional otherwise',
    features: ['SecurityPolicy', 'JWT'],
    manifests: ['jwt-optional.yaml'],
    statuses: accepted(sameNs, ['jwt-optional']),
    requests: [
      get('/public', bearer(t.v1), 200),
      get('/public', bearer(t.invalid), 401),
      get('/public', {}, 200),
    ],
  };
};

const www = (
  path: string,
  headers: Record<string, string>,
  status: number,
  backendHeaders?: Record<string, string>,
): HttpExpectation => ({
  request: { host: 'www.example.com', path, headers },
  status,
  ...(status === 200 ? v1 : {}),
  ...(backendHeaders
    ? { backendRequest: { host: 'www.example.com', path, headers: backendHeaders } }
    : {}),
});

const httpExtAuth: ConformanceTest = {
  name: 'HTTPExtAuth',
  description: 'External authorization over HTTP',
  features: ['SecurityPolicy', 'ExtAuth'],
  manifests: ['ext-auth-service.yaml', 'ext-auth-http-securitypolicy.yaml'],
  statuses: [
    ...accepted(sameNs, ['http-with-ext-auth', 'http-without-ext-auth']),
    ...policyAccepted('ext-auth-test'),
  ],
  requests: [
    www('/myapp', { Authorization: 'Bearer token1' }, 200, {
      'x-current-user': 'user1',
      'x-ext-auth-req-path': '/auth/myapp',
    }),
    www('/myapp', {}, 403),
    www('/myapp', { Authorization: 'Bearer invalid-token' }, 403),
    www('/public', {}, 200),
  ],
};

const httpBackendExtAuth: ConformanceTest = {
  name: 'HTTPBackendExtAuth',
  description: 'External authorization over HTTP with a Backend, headers then used to route',
  features: ['SecurityPolicy', 'ExtAuth'],
  manifests: ['ext-auth-service.yaml', 'ext-auth-http-backend-securitypolicy.yaml'],
  statuses: [...accepted(sameNs, ['http-ext-auth-backend']), ...policyAccepted('ext-auth-backend')],
  requests: [
    // recomputeRoute: x-current-user from the service picks the rule of its user's backend.
    {
      ...www('/http', bearer('token2'), 200, { 'x-current-user': 'user2' }),
      backend: 'infra-backend-v2',
    },
    {
      ...www('/http', bearer('token3'), 200, { 'x-current-user': 'user3' }),
      backend: 'infra-backend-v3',
    },
    www('/http', {}, 403),
    www('/http', bearer('invalid-token'), 403),
    www('/public', {}, 200),
  ],
};

const authzJWT = (suiteDir: string): ConformanceTest => {
  const token = goConstant(suiteDir, 'authorization_jwt.go', 'jwtToken');
  const without = goConstant(suiteDir, 'authorization_jwt.go', 'jwtTokenWithoutRequiredValues');
  const paths = ['/claim-test', '/scope-test', '/combined-test'];
  return {
    name: 'AuthzWithJWTClaimsScopes',
    description: 'Authorization with JWT claims and scopes',
    features: ['SecurityPolicy', 'Authorization', 'JWT'],
    manifests: ['authorization-jwt.yaml'],
    statuses: [
      ...accepted(sameNs, [
        'http-with-authorization-jwt-claim',
        'http-with-authorization-jwt-scope',
        'http-with-authorization-jwt-combined',
      ]),
      ...policyAccepted(
        'authorization-jwt-claim',
        'authorization-jwt-scope',
        'authorization-jwt-combined',
      ),
    ],
    requests: paths.flatMap((path) => [
      get(path, bearer(token), 200),
      get(path, bearer(without), 403),
    ]),
  };
};

const apiKey = (
  path: string,
  headers: Record<string, string>,
  status: number,
  clientID?: string,
): HttpExpectation => ({
  ...get(path, headers, status),
  ...(status === 200
    ? {
        backendRequest: {
          path: path.split('?')[0]!,
          ...(clientID ? { headers: { 'x-api-key-client-id': clientID } } : {}),
          absentHeaders: ['x-api-key'],
        },
      }
    : {}),
});

const apiKeyAuth: ConformanceTest = {
  name: 'APIKeyAuth',
  description: 'API key authentication from a header, a query parameter or a cookie',
  features: ['SecurityPolicy', 'APIKeyAuth'],
  manifests: ['api-key-auth.yaml'],
  statuses: policyAccepted(
    'api-key-auth-header',
    'api-key-auth-cookie',
    'api-key-auth-query',
    'api-key-auth-header-section-scoped',
    'api-key-auth-header-sanitized-without-forward-client-id-header',
  ),
  requests: [
    apiKey('/api-key-auth-header', { 'X-API-KEY': 'key1' }, 200, 'client1'),
    // A client ID of a later Secret is ignored: key2 stays client2's.
    apiKey('/api-key-auth-header', { 'X-API-KEY': 'key2' }, 200, 'client2'),
    apiKey('/api-key-auth-header', { 'X-API-KEY': 'invalid' }, 401),
    get('/api-key-auth-query?X-API-KEY=key1', {}, 200),
    get('/api-key-auth-query?X-API-KEY=invalid', {}, 401),
    get('/api-key-auth-cookie', { Cookie: 'X-API-KEY=key1' }, 200),
    get('/api-key-auth-cookie', { Cookie: 'X-API-KEY=invalid' }, 401),
    get('/api-key-auth-header-attached', { 'X-API-KEY': 'invalid' }, 401),
    get('/api-key-auth-header-non-attached', { 'X-API-KEY': 'invalid' }, 200),
    apiKey('/api-key-auth-header-sanitized', { 'X-API-KEY': 'key1' }, 200),
    apiKey('/api-key-auth-header-sanitized', { 'X-API-KEY': 'invalid' }, 401),
  ],
};

const merged = gw('sp-merged');

const securityPolicyMerged: ConformanceTest = {
  name: 'SecurityPolicyMerged',
  description: 'A route policy with mergeType merged onto its listener policy',
  features: ['SecurityPolicy', 'CORS', 'Authorization'],
  manifests: ['securitypolicy-merged.yaml'],
  statuses: [
    ...accepted(merged, ['sp-merged-route']),
    {
      kind: 'SecurityPolicy',
      namespace: infra,
      name: 'sp-merged-gateway',
      ancestors: [{ gateway: merged, conditions: [{ type: 'Accepted', status: 'True' }] }],
    },
    {
      kind: 'SecurityPolicy',
      namespace: infra,
      name: 'sp-merged-route',
      ancestors: [{ gateway: merged, conditions: [{ type: 'Merged', status: 'True' }] }],
    },
  ],
  requests: [
    {
      gateway: merged,
      // Authorization from the listener policy lets it through; CORS from the route policy.
      request: {
        host: 'listener1.merged.example.com',
        path: '/merged',
        headers: { Origin: 'https://www.example.com' },
      },
      status: 200,
      validResponseHeaders: { 'access-control-allow-origin': ['https://www.example.com'] },
    },
  ],
};

/** A policy whose client secret Secret is missing: Accepted=False, and its route answers 500. */
const failedDirectResponse: ConformanceTest = {
  name: 'FailedSecurityPolicyDirectResponse',
  description: 'Test direct 500 response when failed to translate SecurityPolicy',
  features: ['SecurityPolicy', 'OIDC'],
  manifests: ['securitypolicy-translation-failed.yaml'],
  statuses: [
    ...accepted(sameNs, ['http-with-oidc']),
    {
      kind: 'SecurityPolicy',
      namespace: infra,
      name: 'oidc-test',
      ancestors: [{ gateway: sameNs, conditions: [{ type: 'Accepted', status: 'False' }] }],
    },
  ],
  requests: [{ request: { host: 'www.example.com', path: '/myapp' }, status: 500 }],
};

const tcpAuthz = gw('tcp-authorization-backend');

/** Sends an HTTP request over the TCP listener on `port`: its answer, or why there was none. */
const overTcp = (port: number): HttpExpectation => ({
  gateway: tcpAuthz,
  port,
  request: { path: '/' },
  ...v1,
});

/**
 * A SecurityPolicy's authorization on TCPRoutes (network RBAC): the route allowing only
 * 192.168.254.0/24 drops the connection of a local client; the one allowing every address
 * proxies it to its Backend.
 */
const tcpRouteAuthzClientIP: ConformanceTest = {
  name: 'TCPRouteAuthzWithClientIP',
  description: 'Authorization with client IP Allow/Deny list for TCP routes',
  features: ['SecurityPolicy', 'Authorization'],
  manifests: ['tcproute-authorization-client-ip.yaml'],
  statuses: [
    'tcp-backend-authorization-ip-security-policy',
    'tcp-backend-authorization-fqdn-security-policy',
  ].map((name) => ({
    kind: 'SecurityPolicy' as const,
    namespace: infra,
    name,
    ancestors: [{ gateway: tcpAuthz, conditions: [{ type: 'Accepted', status: 'True' as const }] }],
  })),
  requests: [overTcp(8090)],
  steps: async (harness) => {
    // Once the allowed route answers, the configuration is served: the other must not.
    await harness.eventually('tcp-authorization-backend:8080 blocked', async () => {
      const result = await harness.send(overTcp(8080));
      return result instanceof Error ? undefined : `answered ${result.status}`;
    });
  },
};

/**
 * AuthzWithClientIPTrustedCIDRs with the harness's only hop, the loopback, added to the
 * ClientTrafficPolicy's trusted ranges (in a cluster the pod network is that hop): Envoy then walks
 * X-Forwarded-For from the right past trusted addresses, and the first untrusted one is the client
 * the policy's clientCIDRs see. Without the loopback trusted the client would be 127.0.0.1 and
 * the last request would pass.
 */
const authzTrustedCIDRsOnLoopback: ConformanceTest = {
  name: 'EgtsAuthzWithClientIPTrustedCIDRs',
  description: 'Authorization with client IP and trusted CIDRs, the loopback trusted as the hop',
  features: ['SecurityPolicy', 'Authorization'],
  manifests: ['authorization-client-ip-trusted-cidrs.yaml'],
  objects: [
    {
      apiVersion: 'gateway.envoyproxy.io/v1alpha1',
      kind: 'ClientTrafficPolicy',
      metadata: { name: 'enable-client-ip-detection-trusted-cidr', namespace: infra },
      spec: {
        clientIPDetection: {
          xForwardedFor: { trustedCIDRs: ['127.0.0.0/8', '172.0.0.0/8', '10.0.0.0/8', '::/0'] },
        },
        targetRefs: [
          { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'same-namespace' },
        ],
      },
    },
  ],
  statuses: [
    ...accepted(sameNs, ['http-with-authorization-client-ip-trusted-cidr']),
    ...policyAccepted('authorization-client-ip-trusted-cidr'),
  ],
  requests: [
    get('/protected1', { 'X-Forwarded-For': '192.168.1.1' }, 403),
    get('/protected1', { 'X-Forwarded-For': '192.168.2.1' }, 200),
    get('/protected1', { 'X-Forwarded-For': '192.168.2.1,172.16.1.17,10.0.1.12' }, 200),
    get('/protected1', { 'X-Forwarded-For': '192.168.2.1,192.168.1.1,10.0.1.12' }, 403),
  ],
};

/** The suite's SecurityPolicy tests; `suiteDir` is Envoy Gateway's e2e folder (for tokens). */
export const securityPolicyTests = (suiteDir: string): ConformanceTest[] => [
  basicAuth,
  apiKeyAuth,
  authzHeadersAndMethods,
  authzDefaultActions,
  authzPath,
  authzJWT(suiteDir),
  {
    name: 'AuthzWithClientIP',
    description: 'Authorization with client IP',
    features: ['SecurityPolicy', 'Authorization'],
    manifests: ['authorization-client-ip.yaml'],
    // The client address comes from X-Forwarded-For (one trusted hop, ClientTrafficPolicy).
    statuses: [
      ...accepted(sameNs, [
        'http-with-authorization-client-ip-1',
        'http-with-authorization-client-ip-2',
      ]),
      ...policyAccepted('authorization-client-ip-1', 'authorization-client-ip-2'),
    ],
    requests: [
      get('/protected1', { 'X-Forwarded-For': '192.168.1.1' }, 403),
      get('/protected1', { 'X-Forwarded-For': '192.168.2.1' }, 200),
      get('/protected1', { 'X-Forwarded-For': '192.168.3.1' }, 200),
      get('/protected2', { 'X-Forwarded-For': '10.0.1.1' }, 200),
      get('/protected2', { 'X-Forwarded-For': '192.168.3.1' }, 403),
    ],
  },
  {
    name: 'AuthzWithCEL',
    description: 'Authorization with CEL expressions',
    features: ['SecurityPolicy', 'Authorization'],
    manifests: ['authorization-cel.yaml'],
    statuses: [
      ...accepted(sameNs, [
        'http-with-authorization-cel',
        'http-with-authorization-cel-and-principal',
      ]),
      ...policyAccepted('authorization-cel', 'authorization-cel-and-principal'),
    ],
    requests: [
      get('/authz-cel/public/resource', {}, 200),
      get('/authz-cel/private/resource', {}, 403),
      get('/authz-cel-principal', { 'x-team': 'team-a' }, 200, 'POST'),
      get('/authz-cel-principal', { 'x-team': 'team-a' }, 403),
      get('/authz-cel-principal', { 'x-team': 'team-b' }, 403, 'POST'),
    ],
  },
  authzWithGeoIPCountry(suiteDir),
  authzWithGeoIPFields,
  {
    name: 'AuthzWithClientIPTrustedCIDRs',
    description: 'Authorization with client IP and trusted CIDRs',
    features: ['SecurityPolicy', 'Authorization'],
    manifests: ['authorization-client-ip-trusted-cidrs.yaml'],
    skip: `${clientIPDetection}; EgtsAuthzWithClientIPTrustedCIDRs runs it with the loopback trusted too`,
  },
  authzTrustedCIDRsOnLoopback,
  corsFromSecurityPolicy,
  csrfFromSecurityPolicy,
  securityPolicyMerged,
  securityPolicyListenerSet,
  failedDirectResponse,
  tcpRouteAuthzClientIP,
  httpExtAuth,
  httpBackendExtAuth,
  jwtClaimRouting(suiteDir, 'JWT', 'jwt.yaml', 'jwt-example'),
  jwtClaimRouting(
    suiteDir,
    'JWTBackendRemoteJWKS',
    'jwt-backend-remote-jwks.yaml',
    'jwt-with-backend-remot-jwks',
  ),
  localJWKS('LocalJWKSInline', 'jwt-local-jwks-inline.yaml', suiteDir),
  localJWKS('LocalJWKSValueRef', 'jwt-local-jwks-valueRef.yaml', suiteDir),
  optionalJWT(suiteDir),
];
