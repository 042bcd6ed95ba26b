// Envoy Gateway's OIDC e2e test (test/e2e/tests/oidc.go) re-expressed: a real OpenID provider
// stands in for Keycloak (internal/openIdProvider.ts), and a browser-like client drives the
// login through egts's Envoy: the protected route redirects to the provider's login page, the
// form is posted, the callback trades the code for tokens, the application answers; then the
// session cookies let the next request through, and the logout path clears them and redirects
// to the provider's end session endpoint.
import {
  accepted,
  type ConformanceTest,
  gw,
  type HttpExpectation,
  infra,
  type KubeObject,
  type StatusExpectation,
  type TestHarness,
} from '../../conformanceTest.js';
import { BrowserClient, formAction } from '../../internal/browserClient.js';
import { NO_EXPIRY_CLIENT } from '../../internal/openIdProvider.js';
import { goConstant } from './goConstants.js';

const sameNs = gw('same-namespace');
const KEYCLOAK = 'keycloak.gateway-conformance-infra';
const END_SESSION = `https://${KEYCLOAK}/realms/master/protocol/openid-connect/logout`;
/** A name of the provider that no Service has: only a backendRef leads Envoy to it. */
const IDP = 'idp.egts.example';

interface OIDCRoute {
  readonly path: string;
  /** Request header the ID token is forwarded on, when the policy asks. */
  readonly idTokenHeader?: string;
  /** Where logout redirects; default the suite's (https) end session endpoint. */
  readonly endSession?: string;
}

const policyAccepted = (...names: string[]): StatusExpectation[] =>
  names.map((name) => ({
    kind: 'SecurityPolicy' as const,
    namespace: infra,
    name,
    ancestors: [{ gateway: sameNs, conditions: [{ type: 'Accepted', status: 'True' as const }] }],
  }));

const fromApplication = (label: string, status: number, body: string): void => {
  if (status !== 200)
    throw new Error(`${label}: status ${status}, want 200: ${body.slice(0, 300)}`);
  if (!body.includes('infra-backend-v1'))
    throw new Error(`${label}: the answer is not from infra-backend-v1: ${body.slice(0, 300)}`);
};

/**
 * A browser reaching www.example.com and the provider through the Gateway, as oidc.go's client
 * maps them: HTTP on the http listener, HTTPS to the provider on the tls listener (passthrough).
 */
const browser = (harness: TestHarness): BrowserClient => {
  const port = harness.gatewayPort(sameNs, 80);
  return new BrowserClient({
    'www.example.com': port,
    [KEYCLOAK]: port,
    [IDP]: port,
    [`https://${KEYCLOAK}`]: harness.gatewayPort(sameNs, 443),
  });
};

/** The login, session and logout checks of oidc.go's testOIDC for one protected route. */
async function loginFlow(harness: TestHarness, route: OIDCRoute): Promise<BrowserClient> {
  const client = browser(harness);
  const url = `http://www.example.com${route.path}`;
  let loginURL: string | undefined;
  // The route redirects to the provider's login page once the policy reached Envoy.
  await harness.eventually(`${url}: login page`, async () => {
    const page = await client.get(url, true);
    if (page.status !== 200)
      return `status ${page.status} at ${page.url}: ${page.body.slice(0, 200)}`;
    loginURL = formAction(page, 'kc-form-login');
    return loginURL ? undefined : `no login form at ${page.url}`;
  });
  const login = await client.postForm(loginURL!, {
    username: 'oidcuser',
    password: 'oidcpassword',
    credentialId: '',
  });
  fromApplication(
    `${url}: after login (${client.trail.slice(-4).join(' -> ')})`,
    login.status,
    login.body,
  );
  if (route.idTokenHeader && !login.body.toLowerCase().includes(route.idTokenHeader.toLowerCase()))
    throw new Error(
      `${url}: the application did not get the ID token header ${route.idTokenHeader}`,
    );
  const again = await client.get(url, false);
  fromApplication(`${url}: with the session cookies`, again.status, again.body);
  const logout = await client.get(`${url}/logout`, false);
  if (logout.status !== 302) throw new Error(`${url}/logout: status ${logout.status}, want 302`);
  const location = String(logout.headers.location ?? '');
  if (!location.includes(route.endSession ?? END_SESSION))
    throw new Error(`${url}/logout: redirects to ${location}, want the end session endpoint`);
  if (!logout.setCookies.some((c) => /^IdToken-.+=deleted.+/.test(c)))
    throw new Error(
      `${url}/logout: the IdToken cookie is not deleted (${logout.setCookies.join(' | ')})`,
    );
  return client;
}

const www = (path: string, headers: Record<string, string> = {}): HttpExpectation => ({
  request: { host: 'www.example.com', path, headers },
  status: 200,
  backend: 'infra-backend-v1',
  namespace: infra,
});

const egtsPolicy: KubeObject = {
  apiVersion: 'gateway.envoyproxy.io/v1alpha1',
  kind: 'SecurityPolicy',
  metadata: { name: 'egts-oidc-options', namespace: infra },
  spec: {
    targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'egts-oidc' }],
    oidc: {
      provider: {
        issuer: `http://${KEYCLOAK}/realms/master`,
        authorizationEndpoint: `http://${KEYCLOAK}/realms/master/protocol/openid-connect/auth`,
        tokenEndpoint: `http://${KEYCLOAK}/realms/master/protocol/openid-connect/token`,
      },
      clientID: 'oidctest-foo',
      clientSecret: { name: 'egts-oidc-secret' },
      redirectURL: 'http://www.example.com/foo/oauth2/callback',
      logoutPath: '/foo/logout',
      scopes: ['email'],
      resources: ['http://www.example.com'],
      cookieNames: { accessToken: 'egts-access', idToken: 'egts-id' },
      cookieDomain: 'example.com',
      cookieConfig: { sameSite: 'Strict' },
      csrfTokenTTL: '123s',
      disableTokenEncryption: true,
      denyRedirect: {
        headers: [{ name: 'x-requested-with', type: 'Exact', value: 'XMLHttpRequest' }],
      },
    },
  },
};

/**
 * Scopes, resources, cookie names, domain and SameSite, the CSRF (nonce) cookie's lifetime,
 * unencrypted token cookies, and requests answered 401 instead of redirected.
 */
async function optionsFlow(harness: TestHarness): Promise<void> {
  const client = browser(harness);
  const url = 'http://www.example.com/foo';
  await harness.eventually(`${url}: redirect to the provider`, async () => {
    const first = await client.get(url, false);
    const location = new URL(String(first.headers.location ?? 'http://none/'));
    if (first.status !== 302 || location.host !== KEYCLOAK) return `status ${first.status}`;
    const scope = location.searchParams.get('scope');
    if (scope !== 'openid email') return `scope ${scope}, want "openid email"`;
    const resource = location.searchParams.get('resource');
    return resource === 'http://www.example.com' ? undefined : `resource ${resource}`;
  });
  const ajax = await client.get(url, false, { 'x-requested-with': 'XMLHttpRequest' });
  if (ajax.status !== 401)
    throw new Error(`${url} (denyRedirect): status ${ajax.status}, want 401`);
  // Only what this login sets: earlier attempts may have met the previous configuration.
  const from = client.setCookieLines.length;
  const page = await client.get(url, true);
  const action = formAction(page, 'kc-form-login');
  if (!action)
    throw new Error(
      `${url}: no login form at ${page.url}: ${page.status} ${page.body.slice(0, 300)}`,
    );
  const login = await client.postForm(action, { username: 'oidcuser', password: 'oidcpassword' });
  fromApplication(`${url}: after login`, login.status, login.body);
  const lines = client.setCookieLines.slice(from);
  const nonce = lines.find((c) => c.startsWith('OauthNonce-'));
  if (!nonce || !/;\s*max-age=123\b/i.test(nonce))
    throw new Error(`the nonce cookie does not live csrfTokenTTL (123 s): ${nonce}`);
  // disableTokenEncryption: the cookie holds the provider's token as it is (a JWT).
  const access = lines.find((c) => c.startsWith('egts-access='));
  if (!access?.startsWith('egts-access=eyJ'))
    throw new Error(`the access token cookie is not the plain token: ${access?.slice(0, 60)}`);
  for (const name of ['egts-access', 'egts-id']) {
    const line = lines.find((c) => c.startsWith(`${name}=`));
    if (!line) throw new Error(`no ${name} cookie set (${lines.join(' | ')})`);
    if (!/;\s*domain=example\.com/i.test(line))
      throw new Error(`${name} cookie without the domain: ${line}`);
    if (!/;\s*samesite=strict/i.test(line))
      throw new Error(`${name} cookie is not SameSite=Strict: ${line}`);
  }
}

/** egts's own OIDC settings test, with the same provider stand-in. */
export const oidcOptionsTest: ConformanceTest = {
  name: 'EgtsOIDCOptions',
  description: 'OIDC scopes, resources, cookie names and domain, denyRedirect',
  features: ['SecurityPolicy', 'OIDC'],
  manifests: ['oidc-keycloak.yaml'],
  objects: [
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'egts-oidc', namespace: infra },
      spec: {
        parentRefs: [{ name: 'same-namespace' }],
        hostnames: ['www.example.com'],
        rules: [
          {
            matches: [{ path: { type: 'PathPrefix', value: '/foo' } }],
            backendRefs: [{ name: 'infra-backend-v1', port: 8080 }],
          },
        ],
      },
    },
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'egts-keycloak', namespace: infra },
      spec: {
        parentRefs: [{ name: 'same-namespace' }],
        hostnames: [KEYCLOAK],
        rules: [{ backendRefs: [{ name: 'keycloak', port: 80 }] }],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'egts-oidc-secret', namespace: infra },
      data: { 'client-secret': Buffer.from('oidctest-foo-client-secret').toString('base64') },
    },
    egtsPolicy,
  ],
  statuses: policyAccepted('egts-oidc-options'),
  steps: optionsFlow,
};

const route = (name: string, path: string): KubeObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name, namespace: infra },
  spec: {
    parentRefs: [{ name: 'same-namespace' }],
    hostnames: ['www.example.com'],
    rules: [
      {
        matches: [{ path: { type: 'PathPrefix', value: path } }],
        backendRefs: [{ name: 'infra-backend-v1', port: 8080 }],
      },
    ],
  },
});

const secret = (name: string, key: string, value: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace: infra },
  data: { [key]: Buffer.from(value).toString('base64') },
});

const discoveryPolicy = (name: string, target: string, issuer: string): KubeObject => ({
  apiVersion: 'gateway.envoyproxy.io/v1alpha1',
  kind: 'SecurityPolicy',
  metadata: { name, namespace: infra },
  spec: {
    targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: target }],
    oidc: {
      // The issuer alone: the endpoints come from its discovery document.
      provider: {
        issuer,
        backendRefs: [{ name: 'keycloak', port: 80 }],
        backendSettings: {
          retry: {
            numRetries: 2,
            perRetry: { backOff: { baseInterval: '1s', maxInterval: '2s' } },
          },
        },
      },
      clientIDRef: { name: 'egts-oidc-client-id' },
      clientSecret: { name: 'egts-oidc-secret' },
      redirectURL: 'http://www.example.com/foo/oauth2/callback',
      logoutPath: '/foo/logout',
      refreshToken: true,
      defaultTokenTTL: '300s',
      defaultRefreshTokenTTL: '4321s',
    },
  },
});

/**
 * Discovery: the provider's endpoints from its issuer's discovery document, fetched by the
 * control plane; the token endpoint reached through the provider's backendRefs; the client ID
 * from a Secret; the refresh token kept in a cookie that lives defaultRefreshTokenTTL (the
 * provider's refresh tokens are opaque, so Envoy cannot read their expiry). An issuer that does
 * not answer: the policy is not accepted and its route fails closed (500).
 */
export const oidcDiscoveryTest: ConformanceTest = {
  name: 'EgtsOIDCDiscovery',
  description:
    'OIDC provider discovery, clientIDRef, refresh token; an unreachable issuer fails closed',
  features: ['SecurityPolicy', 'OIDC'],
  manifests: ['oidc-keycloak.yaml'],
  objects: [
    route('egts-oidc-discovery', '/foo'),
    route('egts-oidc-unreachable', '/egts-oidc-unreachable'),
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'egts-keycloak', namespace: infra },
      spec: {
        parentRefs: [{ name: 'same-namespace' }],
        hostnames: [KEYCLOAK],
        rules: [{ backendRefs: [{ name: 'keycloak', port: 80 }] }],
      },
    },
    secret('egts-oidc-secret', 'client-secret', 'oidctest-foo-client-secret'),
    secret('egts-oidc-client-id', 'client-id', 'oidctest-foo'),
    discoveryPolicy(
      'egts-oidc-discovery',
      'egts-oidc-discovery',
      `http://${KEYCLOAK}/realms/master`,
    ),
    discoveryPolicy(
      'egts-oidc-unreachable',
      'egts-oidc-unreachable',
      'http://nobody.gateway-conformance-infra/realms/master',
    ),
  ],
  statuses: [
    ...policyAccepted('egts-oidc-discovery'),
    {
      kind: 'SecurityPolicy',
      namespace: infra,
      name: 'egts-oidc-unreachable',
      ancestors: [
        {
          gateway: sameNs,
          conditions: [
            {
              type: 'Accepted',
              status: 'False',
              messageIncludes: 'oidc.provider.issuer',
            },
          ],
        },
      ],
    },
  ],
  requests: [{ request: { host: 'www.example.com', path: '/egts-oidc-unreachable' }, status: 500 }],
  steps: async (harness) => {
    const client = await loginFlow(harness, {
      path: '/foo',
      endSession: `http://${KEYCLOAK}/realms/master/protocol/openid-connect/logout`,
    });
    const refresh = client.setCookieLines.find((c) => c.startsWith('RefreshToken-'));
    if (!refresh || !/;\s*max-age=4321\b/i.test(refresh))
      throw new Error(`no refresh token cookie living defaultRefreshTokenTTL (4321 s): ${refresh}`);
  },
};

export const oidcTest = (suiteDir: string): ConformanceTest => ({
  name: 'OIDC',
  description: 'OIDC login with a real OpenID provider, session cookies, logout, JWT pass-through',
  features: ['SecurityPolicy', 'OIDC'],
  manifests: ['oidc-keycloak.yaml', 'oidc-securitypolicy.yaml'],
  statuses: [
    ...accepted(sameNs, ['http-with-oidc-foo', 'http-with-oidc-bar', 'http-without-oidc']),
    ...policyAccepted('oidc-test-foo', 'oidc-test-bar'),
  ],
  requests: [
    www('/public'),
    // passThroughAuthHeader: a request with a token skips the login; the JWT filter verifies it.
    www('/foo', { Authorization: `Bearer ${goConstant(suiteDir, 'jwt.go', 'v1Token')}` }),
  ],
  steps: async (harness) => {
    await loginFlow(harness, { path: '/foo' });
    await loginFlow(harness, { path: '/bar', idTokenHeader: 'X-Id-Token' });
  },
});

/**
 * oidc.go's "oidc provider represented by a BackendCluster": the provider reached over HTTPS
 * through a Backend (FQDN) whose BackendTLSPolicy names the CA and hostname, with its endpoints
 * pinned to https; the browser reaches the provider through the Gateway's TLS passthrough
 * listener (TLSRoute tls-keycloak).
 */
export const oidcBackendClusterTest: ConformanceTest = {
  name: 'OIDCBackendCluster',
  description: 'OIDC login with the provider behind an HTTPS Backend and a BackendTLSPolicy',
  features: ['SecurityPolicy', 'OIDC'],
  manifests: ['oidc-keycloak.yaml', 'oidc-securitypolicy-backendcluster.yaml'],
  statuses: [...accepted(sameNs, ['http-with-oidc']), ...policyAccepted('oidc-test')],
  steps: async (harness) => {
    await loginFlow(harness, { path: '/myapp' });
  },
};

const ttlPolicy: KubeObject = {
  apiVersion: 'gateway.envoyproxy.io/v1alpha1',
  kind: 'SecurityPolicy',
  metadata: { name: 'egts-oidc-ttl', namespace: infra },
  spec: {
    targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'egts-oidc-ttl' }],
    oidc: {
      provider: {
        issuer: `http://${KEYCLOAK}/realms/master`,
        authorizationEndpoint: `http://${IDP}/realms/master/protocol/openid-connect/auth`,
        tokenEndpoint: `http://${IDP}/realms/master/protocol/openid-connect/token`,
        endSessionEndpoint: `http://${IDP}/realms/master/protocol/openid-connect/logout`,
        // The deprecated single backendRef: the token endpoint's host resolves to nothing.
        backendRef: { name: 'keycloak', port: 80 },
      },
      clientID: NO_EXPIRY_CLIENT,
      clientSecret: { name: 'egts-oidc-ttl-secret' },
      redirectURL: 'http://www.example.com/egts-ttl/oauth2/callback',
      logoutPath: '/egts-ttl/logout',
      defaultTokenTTL: '321s',
    },
  },
};

/**
 * defaultTokenTTL: the provider's token response has no `expires_in` (its client
 * egts-no-expiry), so the session lives defaultTokenTTL: the access token cookie's Max-Age. The
 * provider is reached through its (deprecated) single backendRef: its endpoints name a host no
 * Service has, so the code exchange works only through that reference.
 */
export const oidcDefaultTokenTTLTest: ConformanceTest = {
  name: 'EgtsOIDCDefaultTokenTTL',
  description: 'A token response without expires_in: the session lives defaultTokenTTL',
  features: ['SecurityPolicy', 'OIDC'],
  manifests: ['oidc-keycloak.yaml'],
  objects: [
    route('egts-oidc-ttl', '/egts-ttl'),
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'egts-idp', namespace: infra },
      spec: {
        parentRefs: [{ name: 'same-namespace' }],
        hostnames: [IDP],
        rules: [{ backendRefs: [{ name: 'keycloak', port: 80 }] }],
      },
    },
    secret('egts-oidc-ttl-secret', 'client-secret', `${NO_EXPIRY_CLIENT}-client-secret`),
    ttlPolicy,
  ],
  statuses: policyAccepted('egts-oidc-ttl'),
  steps: async (harness) => {
    const client = await loginFlow(harness, {
      path: '/egts-ttl',
      endSession: `http://${IDP}/realms/master/protocol/openid-connect/logout`,
    });
    const access = client.setCookieLines.find((c) => c.startsWith('AccessToken-'));
    if (!access || !/;\s*max-age=321\b/i.test(access))
      throw new Error(`the access token cookie does not live defaultTokenTTL (321 s): ${access}`);
  },
};
