// Envoy Gateway's BackendTrafficPolicy e2e tests (test/e2e/tests: local_ratelimit.go,
// backendtrafficpolicy_translation_failed.go, fault_injection.go, compression.go,
// btp_timeout.go, local_ratelimit_distinct_header.go, local_ratelimit_distinct_cidr.go)
// re-expressed: the same manifests (testdata/), the same requests and answers, through egts and real Envoy. A rate limit counts requests, so its
// checks send each request once (steps) instead of the harness's repeated consistent answers.

import {
  accepted,
  type ConformanceTest,
  gw,
  infra,
  type StatusExpectation,
  type TestHarness,
} from '../../conformanceTest.js';
import { canDecode } from '../../internal/httpClient.js';

const sameNs = gw('same-namespace');

const policy = (name: string, status: 'True' | 'False'): StatusExpectation => ({
  kind: 'BackendTrafficPolicy',
  namespace: infra,
  name,
  ancestors: [{ gateway: sameNs, conditions: [{ type: 'Accepted', status }] }],
});

/** Sends one request and says why its status is not `status`, or undefined. */
const once = async (
  harness: TestHarness,
  path: string,
  headers: Record<string, string>,
  status: number,
  limitHeader?: string,
  method?: string,
): Promise<string | undefined> => {
  const reply = await harness.send({
    request: { path, headers, ...(method ? { method } : {}) },
    status,
  });
  if (reply instanceof Error) return `${path}: ${reply.message}`;
  if (reply.status !== status) return `${path}: ${reply.status}, want ${status}`;
  if (limitHeader !== undefined && reply.headers['x-ratelimit-limit'] !== limitHeader)
    return `${path}: x-ratelimit-limit ${String(reply.headers['x-ratelimit-limit'])}, want ${limitHeader}`;
  return undefined;
};

/** Requests the shadow-mode local rate limiter found over a limit (and let through). */
const shadowLimited = async (harness: TestHarness) =>
  Object.values(
    await harness.stats('http_local_rate_limiter\\.http_local_rate_limit\\.shadow_mode$'),
  ).reduce((a, b) => a + b, 0);

const allNs = gw('all-namespaces');

/** One request to `gateway` answered `status` with no x-ratelimit-* header (they are off there). */
const withoutHeaders = async (
  harness: TestHarness,
  gateway: typeof allNs,
  path: string,
  status: number,
): Promise<string | undefined> => {
  const reply = await harness.send({ gateway, request: { path }, status });
  if (reply instanceof Error) return `${gateway.name} ${path}: ${reply.message}`;
  if (reply.status !== status) return `${gateway.name} ${path}: ${reply.status}, want ${status}`;
  const header = Object.keys(reply.headers).find((name) => name.startsWith('x-ratelimit-'));
  return header === undefined ? undefined : `${gateway.name} ${path}: ${header} present`;
};

const failIf = (problem: string | undefined) => {
  if (problem !== undefined) throw new Error(problem);
};

const localRateLimit: ConformanceTest = {
  name: 'LocalRateLimit',
  description: 'Limit requests by the local rate limit (specific user, all traffic)',
  features: ['BackendTrafficPolicy', 'LocalRateLimit'],
  manifests: ['local-ratelimit.yaml'],
  statuses: [
    ...accepted(sameNs, [
      'http-ratelimit-specific-user',
      'http-ratelimit-all-traffic',
      'http-ratelimit-invert-match',
      'http-ratelimit-path-match',
      'http-ratelimit-method-match',
      'http-ratelimit-shadow-mode',
    ]),
    ...[
      'ratelimit-specific-user',
      'ratelimit-all-traffic',
      'ratelimit-invert-match',
      'ratelimit-path-match',
      'ratelimit-method-match',
      'ratelimit-shadow-mode',
    ].map((name) => policy(name, 'True')),
  ],
  // Programmed before counting: a route without a policy answers.
  requests: [{ request: { path: '/no-ratelimit' }, backend: 'infra-backend-v1', namespace: infra }],
  steps: async (harness) => {
    // john has 3 an hour; the 4th is refused. Others share the route's 10.
    const john = { 'x-user-id': 'john' };
    for (let i = 0; i < 3; i++)
      failIf(await once(harness, '/ratelimit-specific-user', john, 200, '3'));
    failIf(await once(harness, '/ratelimit-specific-user', john, 429));
    failIf(await once(harness, '/ratelimit-specific-user', { 'x-user-id': 'mike' }, 200));
    // Everyone shares 3 an hour.
    for (let i = 0; i < 3; i++) failIf(await once(harness, '/ratelimit-all-traffic', {}, 200, '3'));
    failIf(await once(harness, '/ratelimit-all-traffic', {}, 429));
    // user one of any org but "test" has 3 (the org header match is inverted).
    const org1 = { 'x-user-id': 'one', 'x-org-id': 'org1' };
    for (let i = 0; i < 3; i++)
      failIf(await once(harness, '/ratelimit-invert-match', org1, 200, '3'));
    failIf(await once(harness, '/ratelimit-invert-match', org1, 429));
    const test = { 'x-user-id': 'one', 'x-org-id': 'test' };
    failIf(await once(harness, '/ratelimit-invert-match', test, 200));
    // Only the exact path /ratelimit-path-match/foo is limited.
    for (let i = 0; i < 3; i++)
      failIf(await once(harness, '/ratelimit-path-match/foo', {}, 200, '3'));
    failIf(await once(harness, '/ratelimit-path-match/foo', {}, 429));
    failIf(await once(harness, '/ratelimit-path-match/bar', {}, 200));
    // Only GET is limited.
    for (let i = 0; i < 3; i++)
      failIf(await once(harness, '/ratelimit-method-match', {}, 200, '3'));
    failIf(await once(harness, '/ratelimit-method-match', {}, 429));
    failIf(await once(harness, '/ratelimit-method-match', {}, 200, undefined, 'POST'));
    // Shadow mode counts past the limit of 3 but never refuses.
    const shadowBefore = await shadowLimited(harness);
    for (let i = 0; i < 10; i++)
      failIf(await once(harness, '/ratelimit-shadow-mode', { 'x-user-id': 'one' }, 200));
    const shadowAfter = await shadowLimited(harness);
    if (shadowAfter - shadowBefore < 7)
      throw new Error(
        `shadow mode counted ${shadowAfter - shadowBefore} over-limit requests, want 7`,
      );
  },
};

const translationFailed: ConformanceTest = {
  name: 'FailedBackendTrafficPolicyDirectResponse',
  description: 'Direct 500 response when a BackendTrafficPolicy fails to translate',
  features: ['BackendTrafficPolicy'],
  manifests: ['backendtrafficpolicy-translation-failed.yaml'],
  statuses: [...accepted(sameNs, ['http-ratelimit']), policy('policy-httproute', 'False')],
  requests: [{ request: { host: 'www.example.com', path: '/myapp' }, status: 500 }],
};

const fault: ConformanceTest = {
  name: 'Fault',
  description: 'Resource with Fault enabled',
  features: ['BackendTrafficPolicy'],
  manifests: ['fault-injection.yaml'],
  statuses: [...accepted(sameNs, ['http-fault-abort', 'http-route-delayandabort'])],
  requests: [
    { request: { path: '/abort' }, status: 501 },
    { request: { path: '/delayandabort' }, status: 500 },
  ],
};

/** Accept-Encoding per compressor type, as compression.go's ContentEncoding names them. */
const ENCODING = { Brotli: 'br', Gzip: 'gzip', Zstd: 'zstd' } as const;

/**
 * The compressed echo, with Accept-Encoding kept from the backend; the backend is checked where
 * this Node can decode the answer (zstd needs Node 22.15), else the encoding alone.
 */
const compressed = (path: string, accept: string, encoding: string) => ({
  request: { path, headers: { 'accept-encoding': accept } },
  responseHeaders: { 'content-encoding': encoding },
  ...(canDecode(encoding)
    ? {
        backend: 'infra-backend-v1',
        namespace: infra,
        backendRequest: { absentHeaders: ['accept-encoding'] },
      }
    : {}),
});

const compression: ConformanceTest = {
  name: 'Compression',
  description: 'Test response compression on HTTPRoute',
  features: ['BackendTrafficPolicy'],
  manifests: ['compression.yaml'],
  statuses: [
    ...accepted(sameNs, ['compression-all', 'no-compression']),
    policy('compression-all', 'True'),
  ],
  requests: [
    compressed('/compression', ENCODING.Brotli, ENCODING.Brotli),
    compressed('/compression', ENCODING.Gzip, ENCODING.Gzip),
    compressed('/compression', ENCODING.Zstd, ENCODING.Zstd),
    // Several accepted equally: the policy's first compressor (chooseFirst).
    compressed('/compression', 'br, gzip, zstd', ENCODING.Brotli),
    {
      request: { path: '/no-compression', headers: { 'accept-encoding': 'gzip' } },
      absentResponseHeaders: ['content-encoding'],
      backend: 'infra-backend-v1',
      namespace: infra,
    },
    compressed('/compression-min-content-length', ENCODING.Brotli, ENCODING.Brotli),
  ],
};

const btpTimeout: ConformanceTest = {
  name: 'BTPTimeout',
  description: 'Request timeout set by a BackendTrafficPolicy',
  features: ['BackendTrafficPolicy'],
  manifests: ['btp-timeout.yaml'],
  statuses: accepted(sameNs, ['http-btp-timeout']),
  // The policy allows 2s: echo-basic's ?delay=1s is answered, ?delay=4s times out (504).
  requests: [
    { request: { path: '/btp-timeout' }, status: 200 },
    { request: { path: '/btp-timeout?delay=1s' }, status: 200 },
    { request: { path: '/btp-timeout?delay=4s' }, status: 504 },
  ],
};

/**
 * The suite's testRatelimit: requests with `headers` until they are consistently refused by a
 * bucket of `limit` (x-ratelimit-limit) that is empty (x-ratelimit-remaining 0).
 */
const drained = (path: string, headers: Record<string, string>, limit = '3') => ({
  request: { path, headers },
  status: 429,
  responseHeaders: { 'x-ratelimit-limit': limit, 'x-ratelimit-remaining': '0' },
});

const distinctHeader: ConformanceTest = {
  name: 'LocalRateLimitDistinctHeader',
  description: 'Local rate limit with a distinct header selector',
  features: ['BackendTrafficPolicy', 'LocalRateLimit'],
  manifests: ['local-ratelimit-distinct-header.yaml'],
  statuses: [
    ...accepted(sameNs, [
      'http-ratelimit-distinct-header',
      'http-ratelimit-distinct-header-and-exact-header',
    ]),
    policy('ratelimit-distinct-header', 'True'),
    policy('ratelimit-distinct-header-and-exact-header', 'True'),
  ],
  requests: [
    // One bucket of 3 per user.
    drained('/ratelimit-distinct-header', { 'x-user-id': 'john', 'x-org-id': '' }),
    drained('/ratelimit-distinct-header', { 'x-user-id': 'alice', 'x-org-id': '' }),
    // Per user when the org matches too.
    drained('/ratelimit-distinct-header-and-exact-header', {
      'x-user-id': 'john',
      'x-org-id': 'foo',
    }),
    drained('/ratelimit-distinct-header-and-exact-header', {
      'x-user-id': 'alice',
      'x-org-id': 'foo',
    }),
    // Another org falls to the route's bucket of 10.
    drained(
      '/ratelimit-distinct-header-and-exact-header',
      { 'x-user-id': 'john', 'x-org-id': 'bar' },
      '10',
    ),
  ],
};

const distinctCidr: ConformanceTest = {
  name: 'LocalRateLimitDistinctCIDR',
  description: 'Local rate limit with a distinct source CIDR selector',
  features: ['BackendTrafficPolicy', 'LocalRateLimit'],
  manifests: ['local-ratelimit-distinct-cidr.yaml'],
  statuses: [
    ...accepted(sameNs, [
      'http-ratelimit-distinct-cidr',
      'http-ratelimit-distinct-cidr-and-exact-header',
    ]),
    policy('ratelimit-distinct-cidr', 'True'),
    policy('ratelimit-distinct-cidr-and-exact-header', 'True'),
  ],
  // The ClientTrafficPolicy trusts one X-Forwarded-For hop: the header names the client.
  requests: [
    drained('/ratelimit-distinct-cidr', { 'x-org-id': '', 'x-forwarded-for': '192.168.1.1' }),
    drained('/ratelimit-distinct-cidr', { 'x-org-id': '', 'x-forwarded-for': '192.168.1.2' }),
    drained('/ratelimit-distinct-cidr-and-exact-header', {
      'x-org-id': 'foo',
      'x-forwarded-for': '192.168.1.1',
    }),
    drained('/ratelimit-distinct-cidr-and-exact-header', {
      'x-org-id': 'foo',
      'x-forwarded-for': '192.168.1.2',
    }),
    drained(
      '/ratelimit-distinct-cidr-and-exact-header',
      { 'x-org-id': 'bar', 'x-forwarded-for': '192.168.1.1' },
      '10',
    ),
  ],
};

const queryParameters: ConformanceTest = {
  name: 'LocalRateLimitQueryParameters',
  description: 'Make sure local rate limit work with query parameters',
  features: ['BackendTrafficPolicy', 'LocalRateLimit'],
  manifests: ['local-ratelimit-query-parameters.yaml'],
  statuses: [
    ...accepted(sameNs, ['local-query-parameters-ratelimit']),
    ...accepted(allNs, ['local-query-parameters-ratelimit']),
    policy('local-ratelimit-query-parameters', 'True'),
  ],
  // Alice has 3 an hour on each Gateway's proxy; bob matches no rule and is not limited. The
  // all-namespaces Gateway's ClientTrafficPolicy turns the x-ratelimit headers off.
  // Programmed before counting: bob's requests are answered and spend none of alice's.
  requests: [sameNs, allNs].map((gateway) => ({
    gateway,
    request: { path: '/query-ratelimit?user=bob' },
    backend: 'infra-backend-v1',
    namespace: infra,
  })),
  steps: async (h) => {
    const alice = '/query-ratelimit?user=alice';
    for (let i = 0; i < 3; i++) failIf(await once(h, alice, {}, 200, '3'));
    failIf(await once(h, alice, {}, 429, '3'));
    for (let i = 0; i < 5; i++) failIf(await once(h, '/query-ratelimit?user=bob', {}, 200));
    for (let i = 0; i < 3; i++) failIf(await withoutHeaders(h, allNs, alice, 200));
    failIf(await withoutHeaders(h, allNs, alice, 429));
    failIf(await withoutHeaders(h, allNs, '/query-ratelimit?user=bob', 200));
  },
};

export const backendTrafficPolicyTests = (): ConformanceTest[] => [
  localRateLimit,
  translationFailed,
  fault,
  compression,
  btpTimeout,
  distinctHeader,
  distinctCidr,
  queryParameters,
];
