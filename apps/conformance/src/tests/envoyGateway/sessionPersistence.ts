// Envoy Gateway's SessionPersistence e2e test (test/e2e/tests/session_persistence.go) re-expressed.
// Its manifest names sessions with Gateway API's former fields (sessionName, cookieConfig), which
// the served CRDs (../shared/gateway-api/crds, HTTPRoute v1 rules[].sessionPersistence) no longer
// have: they are `header.name`, `cookie.name` and `cookie.lifetimeType`. The same route, rules and
// checks on those names: the session header or cookie comes back, requests that carry it stay on
// the pod that answered first, and a new session may land elsewhere.
import {
  accepted,
  type ConformanceTest,
  gw,
  type HttpExpectation,
  infra,
  type TestHarness,
} from '../../conformanceTest.js';

const sameNs = gw('same-namespace');

const rule = (path: string, backends: string[], sessionPersistence?: object) => ({
  matches: [{ path: { type: 'PathPrefix', value: path } }],
  backendRefs: backends.map((name) => ({ name, port: 8080 })),
  ...(sessionPersistence === undefined ? {} : { sessionPersistence }),
});

const route = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'session-persistence', namespace: infra },
  spec: {
    parentRefs: [{ name: 'same-namespace' }],
    rules: [
      rule('/no-session-persistence', ['infra-backend-v1']),
      rule('/header-session-persistence', ['infra-backend-v2'], {
        type: 'Header',
        header: { name: 'Session-A' },
      }),
      rule('/cookie-session-persistence', ['infra-backend-v3'], {
        type: 'Cookie',
        absoluteTimeout: '10s',
        cookie: { name: 'Session-A', lifetimeType: 'Permanent' },
      }),
      rule(
        '/cookie-session-persistence-multiple-backends',
        ['infra-backend-v1', 'infra-backend-v2'],
        {
          type: 'Cookie',
          cookie: { name: 'Session-A', lifetimeType: 'Session' },
        },
      ),
    ],
  },
};

const request = (path: string, headers: Record<string, string> = {}): HttpExpectation => ({
  request: { path, headers },
  namespace: infra,
});

/** One request; its status, answering pod and response headers, or throws. */
const once = async (h: TestHarness, path: string, headers: Record<string, string> = {}) => {
  const reply = await h.send(request(path, headers));
  if (reply instanceof Error) throw new Error(`${path}: ${reply.message}`);
  if (reply.status !== 200) throw new Error(`${path}: answered ${reply.status}`);
  const pod = reply.echo?.pod;
  if (pod === undefined) throw new Error(`${path}: no echo answer`);
  return { pod, headers: reply.headers };
};

const setCookies = (headers: Readonly<Record<string, string | string[] | undefined>>) => {
  const value = headers['set-cookie'];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
};

/** The Session-A cookie a response sets: its value and attributes, lower-case names. */
const sessionCookie = (headers: Readonly<Record<string, string | string[] | undefined>>) => {
  const line = setCookies(headers).find((c) => c.startsWith('Session-A='));
  if (line === undefined) throw new Error(`no Session-A cookie: ${JSON.stringify(headers)}`);
  const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
  return {
    value: pair.slice('Session-A='.length),
    attributes: Object.fromEntries(
      attributes.map((a) => {
        const [name = '', value = ''] = a.split('=');
        return [name.toLowerCase(), value];
      }),
    ),
  };
};

/** 10 requests, the 2nd on carrying what the 1st got back; all must reach the 1st's pod. */
const sticky = async (
  h: TestHarness,
  path: string,
  carry: (
    headers: Readonly<Record<string, string | string[] | undefined>>,
  ) => Record<string, string>,
) => {
  const first = await once(h, path);
  const headers = carry(first.headers);
  for (let i = 1; i < 10; i++) {
    const next = await once(h, path, headers);
    if (next.pod !== first.pod)
      throw new Error(
        `${path}: request ${i + 1} reached ${next.pod}, the session is on ${first.pod}`,
      );
  }
  return first.pod;
};

const cookieHeader = (headers: Readonly<Record<string, string | string[] | undefined>>) => ({
  cookie: `Session-A=${sessionCookie(headers).value}`,
});

export const sessionPersistenceTest: ConformanceTest = {
  name: 'SessionPersistence',
  description: 'Test session persistence',
  features: ['BackendTrafficPolicy'],
  manifests: [],
  objects: [route],
  statuses: accepted(sameNs, ['session-persistence']),
  requests: [{ ...request('/no-session-persistence'), backend: 'infra-backend-v1' }],
  steps: async (h) => {
    // "session persistence is configured per route": no session header or cookie elsewhere.
    const plain = await once(h, '/no-session-persistence');
    if (plain.headers['session-a'] !== undefined || setCookies(plain.headers).length > 0)
      throw new Error(`/no-session-persistence set a session: ${JSON.stringify(plain.headers)}`);

    // "header based session persistence".
    await sticky(h, '/header-session-persistence', (headers) => {
      const session = headers['session-a'];
      if (typeof session !== 'string') throw new Error('expected header Session-A to be set');
      return { 'Session-A': session };
    });

    // "cookie based session persistence": Max-Age from absoluteTimeout, the rule's path, HttpOnly.
    const first = await once(h, '/cookie-session-persistence');
    const { attributes } = sessionCookie(first.headers);
    const want = { 'max-age': '10', path: '/cookie-session-persistence', httponly: '' };
    for (const [name, value] of Object.entries(want))
      if (attributes[name] !== value)
        throw new Error(`Session-A cookie ${name}=${attributes[name]}, want ${value || 'set'}`);
    await sticky(h, '/cookie-session-persistence', cookieHeader);

    // "cookie based session persistence multiple backends": a session stays on one of the two
    // backends; a session cookie (no Max-Age), so new sessions start until one lands elsewhere.
    const path = '/cookie-session-persistence-multiple-backends';
    const { attributes: sessionOnly } = sessionCookie((await once(h, path)).headers);
    if (sessionOnly['max-age'] !== undefined || sessionOnly.expires !== undefined)
      throw new Error(`a Session lifetime cookie has an expiry: ${JSON.stringify(sessionOnly)}`);
    const backend = (pod: string) => pod.split('-').slice(0, 3).join('-');
    const firstBackend = backend(await sticky(h, path, cookieHeader));
    for (let attempt = 0; attempt < 30; attempt++)
      if (backend(await sticky(h, path, cookieHeader)) !== firstBackend) return;
    throw new Error(`${path}: 30 new sessions all landed on ${firstBackend}`);
  },
};
