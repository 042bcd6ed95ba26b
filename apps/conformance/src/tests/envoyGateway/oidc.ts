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
  type StatusExpectation,
  type TestHarness,
} from '../../conformanceTest.js';
import { BrowserClient, formAction } from '../../internal/browserClient.js';
import { goConstant } from './goConstants.js';

const sameNs = gw('same-namespace');
const KEYCLOAK = 'keycloak.gateway-conformance-infra';
const END_SESSION = `https://${KEYCLOAK}/realms/master/protocol/openid-connect/logout`;

interface OIDCRoute {
  readonly path: string;
  /** Request header the ID token is forwarded on, when the policy asks. */
  readonly idTokenHeader?: string;
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

/** The login, session and logout checks of oidc.go's testOIDC for one protected route. */
async function loginFlow(harness: TestHarness, route: OIDCRoute): Promise<void> {
  const port = harness.gatewayPort(sameNs, 80);
  const client = new BrowserClient({ 'www.example.com': port, [KEYCLOAK]: port });
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
  if (!location.includes(END_SESSION))
    throw new Error(`${url}/logout: redirects to ${location}, want the end session endpoint`);
  if (!logout.setCookies.some((c) => /^IdToken-.+=deleted.+/.test(c)))
    throw new Error(
      `${url}/logout: the IdToken cookie is not deleted (${logout.setCookies.join(' | ')})`,
    );
}

const www = (path: string, headers: Record<string, string> = {}): HttpExpectation => ({
  request: { host: 'www.example.com', path, headers },
  status: 200,
  backend: 'infra-backend-v1',
  namespace: infra,
});

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
