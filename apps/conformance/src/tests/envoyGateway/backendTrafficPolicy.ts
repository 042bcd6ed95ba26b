// Envoy Gateway's BackendTrafficPolicy e2e tests (test/e2e/tests: local_ratelimit.go,
// backendtrafficpolicy_translation_failed.go) re-expressed: the same manifests (testdata/), the
// same requests and answers, through egts and real Envoy. A rate limit counts requests, so its
// checks send each request once (steps) instead of the harness's repeated consistent answers.
import {
  accepted,
  type ConformanceTest,
  gw,
  infra,
  type StatusExpectation,
  type TestHarness,
} from '../../conformanceTest.js';

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
): Promise<string | undefined> => {
  const reply = await harness.send({ request: { path, headers }, status });
  if (reply instanceof Error) return `${path}: ${reply.message}`;
  if (reply.status !== status) return `${path}: ${reply.status}, want ${status}`;
  if (limitHeader !== undefined && reply.headers['x-ratelimit-limit'] !== limitHeader)
    return `${path}: x-ratelimit-limit ${String(reply.headers['x-ratelimit-limit'])}, want ${limitHeader}`;
  return undefined;
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
    ...accepted(sameNs, ['http-ratelimit-specific-user', 'http-ratelimit-all-traffic']),
    policy('ratelimit-specific-user', 'True'),
    policy('ratelimit-all-traffic', 'True'),
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

export const backendTrafficPolicyTests = (): ConformanceTest[] => [
  localRateLimit,
  translationFailed,
];
