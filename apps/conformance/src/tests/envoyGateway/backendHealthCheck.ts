// Envoy Gateway's backend health check e2e tests (test/e2e/tests: backend_health_check.go,
// backend_panic_threshold.go) re-expressed: the same manifests (testdata/) and requests through
// egts and real Envoy. The health check counters the upstream tests read from Prometheus are read
// from the Gateway's Envoy itself (admin /stats).
import {
  accepted,
  type ConformanceTest,
  gw,
  infra,
  type StatusExpectation,
  type TestHarness,
} from '../../conformanceTest.js';

const sameNs = gw('same-namespace');

const policy = (name: string): StatusExpectation => ({
  kind: 'BackendTrafficPolicy',
  namespace: infra,
  name,
  ancestors: [{ gateway: sameNs, conditions: [{ type: 'Accepted', status: 'True' }] }],
});

/** Waits until a route's cluster counted some `counter` (health_check.success, lb_healthy_panic). */
const counted = (h: TestHarness, route: string, counter: string) => {
  const name = `cluster.httproute/${infra}/${route}/rule/0.${counter}`;
  return h.eventually(`${name} > 0`, async () => {
    const value = (await h.stats(`^${name.replace(/[.]/g, '\\.')}$`))[name] ?? 0;
    return value > 0 ? undefined : `${name} is ${value}`;
  });
};

const PASS = 'http-with-health-check-active-http-pass';
const FAIL = 'http-with-health-check-active-http-fail';

const activeHttp: ConformanceTest = {
  name: 'BackendHealthCheckActiveHTTP',
  description: 'Resource with BackendHealthCheck Active HTTP',
  features: ['BackendTrafficPolicy'],
  manifests: ['backend-health-check-active-http.yaml'],
  statuses: [
    ...accepted(sameNs, [PASS, FAIL]),
    policy('health-check-active-http-pass-btp'),
    policy('health-check-active-http-fail-btp'),
  ],
  steps: async (h) => {
    // /status/200 answers 200 (healthy); /status/418 is not an expected status (unhealthy).
    await counted(h, PASS, 'health_check.success');
    await counted(h, FAIL, 'health_check.failure');
    await h.expectRequests([
      { request: { path: '/health-check-active-http-pass' }, status: 200 },
      // No healthy endpoint left: Envoy answers 503 itself.
      { request: { path: '/health-check-active-http-fail' }, status: 503 },
    ]);
  },
};

const PANIC = 'http-with-panic-threshold-pass';

const panicThreshold: ConformanceTest = {
  name: 'BackendPanicThresholdHTTPTest',
  description: 'Resource with BackendPanicThreshold enabled',
  features: ['BackendTrafficPolicy'],
  manifests: ['backend-panic-threshold.yaml'],
  statuses: [...accepted(sameNs, [PANIC]), policy('panic-threshold-pass-btp')],
  steps: async (h) => {
    // Every endpoint fails its health check, yet with fewer than 40% healthy Envoy panics and
    // balances over all of them: the requests are answered, and lb_healthy_panic counts them.
    await counted(h, PANIC, 'health_check.failure');
    await h.expectRequests([
      { request: { path: '/ping' }, backend: 'infra-backend-v1', namespace: infra },
    ]);
    await counted(h, PANIC, 'lb_healthy_panic');
  },
};

const withOverride: ConformanceTest = {
  name: 'BackendHealthCheckWithOverride',
  description: 'Test backend health check with override configuration',
  features: ['BackendTrafficPolicy'],
  manifests: ['backend-health-check-with-override.yaml'],
  skip: "overrides.port names a container port (9090) on each pod's own address; here every pod is a local server on 127.0.0.1 with a port of its own, so none can listen on 9090. backendTrafficPolicy.integration.test.ts proves overrides.port: checks go to another port, whose failure takes a serving endpoint out",
};

export const backendHealthCheckTests = (): ConformanceTest[] => [
  activeHttp,
  withOverride,
  panicThreshold,
];
