// Envoy Gateway's WeightedRoute e2e test (test/e2e/tests/weighted_backend.go) re-expressed: the
// same manifests, with shares of answers per backend counted through egts and real Envoy. Envoy
// picks a weighted cluster at random per request, so the shares are checked on 200 requests within
// 10 points (the upstream's ±3 of 50 requests fails by chance about one run in three).
import { accepted, type ConformanceTest, gw, type TestHarness } from '../../conformanceTest.js';
import { expectSplit } from '../httpRouteFilters.js';

const ROUTES = [
  'weight-equal-http-route',
  'weight-bluegreen-http-route',
  'weight-complete-rollout-http-route',
  'weight-mixed-valid-and-invalid-http-route',
];

/**
 * The upstream's mixed scenario: 9 to a backend that answers, 1 to one that cannot (`failure`: a
 * backendRef to no Service answers 500, a Service without endpoints 503); of 100 requests 80 to
 * 99 succeed and every other one fails with exactly that status.
 */
const mixed = async (h: TestHarness, path: string, failure: number) => {
  await h.eventually(`${path} answers`, async () => {
    const reply = await h.send({ request: { path }, status: 200 });
    return reply instanceof Error || reply.status === 200 ? undefined : `${reply.status}`;
  });
  let ok = 0;
  for (let i = 0; i < 100; i++) {
    const reply = await h.send({ request: { path }, status: 200 });
    if (reply instanceof Error) throw new Error(`${path}: ${reply.message}`);
    if (reply.status === 200) ok += 1;
    else if (reply.status !== failure)
      throw new Error(`${path}: answered ${reply.status}, want 200 or ${failure}`);
  }
  if (ok < 80 || ok > 99) throw new Error(`${path}: ${ok} of 100 succeeded, want 80 to 99`);
};

export const weightedRouteTest: ConformanceTest = {
  name: 'WeightedRoute',
  description: 'Resource with Weight Backend enabled, and worked as expected.',
  features: ['BackendTrafficPolicy'],
  manifests: [
    'weighted-backend-all-equal.yaml',
    'weighted-backend-bluegreen.yaml',
    'weighted-backend-completing-rollout.yaml',
    'weighted-backend-mixed-valid-and-invalid.yaml',
  ],
  statuses: accepted(gw('same-namespace'), ROUTES),
  steps: async (h) => {
    await expectSplit(
      h,
      { request: { path: '/same-weight' } },
      { 'infra-backend-v1': 0.5, 'infra-backend-v2': 0.5 },
    );
    await expectSplit(
      h,
      { request: { path: '/blue-green' } },
      { 'infra-backend-v1': 0.9, 'infra-backend-v2': 0.1 },
    );
    await expectSplit(
      h,
      { request: { path: '/complete-rollout' } },
      { 'infra-backend-v1': 1, 'infra-backend-v2': 0 },
    );
    await mixed(h, '/mixed-valid-and-invalid', 500);
    await mixed(h, '/mixed-valid-and-no-endpoints', 503);
  },
};
