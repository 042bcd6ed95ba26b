// Envoy Gateway's BackendUpgrade e2e test (test/e2e/tests/backend_upgrade.go): requests keep
// flowing while infra-backend-v1's pods are rolled (`kubectl rollout restart`), and none fails:
// the route's policy retries connect failures and resets. The upstream drives 5000 requests a
// second from 50 workers with fortio; here a few workers send back to back on a small machine.
import {
  accepted,
  type ConformanceTest,
  gw,
  infra,
  type TestHarness,
} from '../../conformanceTest.js';

const PATH = '/backend-upgrade';
const WORKERS = 8;

/** Requests from `WORKERS` loops until `stop` resolves: how many were sent, and the failures. */
const load = async (h: TestHarness, stop: Promise<void>) => {
  let stopped = false;
  void stop.then(() => {
    stopped = true;
  });
  let sent = 0;
  const failures: string[] = [];
  const worker = async () => {
    while (!stopped) {
      const reply = await h.send({ request: { path: PATH }, namespace: infra });
      sent += 1;
      if (reply instanceof Error) failures.push(reply.message);
      else if (reply.status !== 200) failures.push(`status ${reply.status}`);
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, worker));
  return { sent, failures };
};

export const backendUpgradeTest: ConformanceTest = {
  name: 'BackendUpgrade',
  description: 'Rolling backend pods should not lead to failures',
  features: ['BackendTrafficPolicy'],
  manifests: ['backend-upgrade.yaml'],
  statuses: accepted(gw('same-namespace'), ['http-backend-upgrade']),
  requests: [{ request: { path: PATH }, namespace: infra }],
  steps: async (h) => {
    const before = new Set(h.requestLog(infra, 'infra-backend-v1'));
    const endpointBefore = h.endpoint(infra, 'infra-backend-v1');
    const restart = h.restart(infra, 'infra-backend-v1');
    const { sent, failures } = await load(h, restart);
    await restart;
    if (failures.length > 0)
      throw new Error(
        `${failures.length} of ${sent} requests failed: ${failures.slice(0, 3).join('; ')}`,
      );
    const endpointAfter = h.endpoint(infra, 'infra-backend-v1');
    if (endpointAfter.port === endpointBefore.port)
      throw new Error('the pods were not rolled (same endpoint before and after)');
    // The new pods answer: their log starts empty.
    if ((await h.send({ request: { path: PATH }, namespace: infra })) instanceof Error)
      throw new Error('no answer after the rollout');
    if (h.requestLog(infra, 'infra-backend-v1').length === 0 || before.size === 0)
      throw new Error('no request reached infra-backend-v1');
    if (sent < 20) throw new Error(`only ${sent} requests were sent during the rollout`);
  },
};
