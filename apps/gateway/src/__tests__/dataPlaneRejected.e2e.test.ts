// A NACK shown where the user looks (issue #16, item 2): real Envoy refuses something no
// validation of egts foresees, a certificate that parses (Node's OpenSSL takes it) but whose
// 1024-bit RSA key Envoy's TLS policy refuses ("only RSA certificates with 2048-bit or larger
// keys are supported"; which keys an Envoy takes depends on its build, FIPS builds take fewer).
// The rejection must reach the status written back to the real kube-apiserver as a condition
// with Envoy's message, on the Gateway whose proxy rejected it, while the rest keeps flowing; and
// go away once the Secret is fixed.

import type { Server } from 'node:http';
import type { EnvoyHandle } from '@egts/envoy-binary';
import type { KubeTestEnv } from '@egts/kube-testenv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_PLANE_REJECTED } from '../admin/rejectionProblems.js';
import type { RunningGateway } from '../run/gatewayOptions.js';
import * as fixture from './kubernetesFixture.js';
import { getThroughTls, selfSigned, tlsSecret } from './selfSigned.js';
import { freePort, getThroughEnvoy } from './throughEnvoy.js';

const unavailable = fixture.kubernetesUnavailable;
if (unavailable) console.warn(`skipping the DataPlaneRejected Kubernetes test: ${unavailable}`);

const NS = fixture.CONTROLLER_NAMESPACE;
const GW = 'gateway.networking.k8s.io/v1';
const HOST = 'www.example.com';

const route = (prefix: string) => ({
  apiVersion: GW,
  kind: 'HTTPRoute',
  metadata: { name: 'app', namespace: 'default' },
  spec: {
    parentRefs: [{ name: 'eg' }],
    rules: [
      {
        matches: [{ path: { type: 'PathPrefix', value: prefix } }],
        backendRefs: [{ name: 'app', port: 8080 }],
      },
    ],
  },
});

describe.skipIf(unavailable !== undefined)('a NACK on the status in Kubernetes (e2e)', () => {
  let env: KubeTestEnv;
  let backend: Server;
  let gateway: RunningGateway;
  let envoy: EnvoyHandle;
  let httpPort: number;
  let httpsPort: number;

  const rejected = async () =>
    (await fixture.gatewayConditions(env, 'eg')).find((c) => c.type === DATA_PLANE_REJECTED);

  beforeAll(async () => {
    const kubernetes = await fixture.startKubernetes();
    env = kubernetes.env;
    const app = await fixture.startAppBackend();
    backend = app.backend;
    httpPort = await freePort();
    httpsPort = await freePort();
    await env.apply([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
      {
        apiVersion: GW,
        kind: 'GatewayClass',
        metadata: { name: 'eg' },
        spec: { controllerName: 'gateway.envoyproxy.io/gatewayclass-controller' },
      },
      tlsSecret('default', 'cert', selfSigned(HOST, 2048)),
      {
        apiVersion: GW,
        kind: 'Gateway',
        metadata: { name: 'eg', namespace: 'default' },
        spec: {
          gatewayClassName: 'eg',
          listeners: [
            { name: 'http', protocol: 'HTTP', port: httpPort },
            {
              name: 'https',
              protocol: 'HTTPS',
              port: httpsPort,
              hostname: HOST,
              tls: { mode: 'Terminate', certificateRefs: [{ name: 'cert' }] },
            },
          ],
        },
      },
      ...app.resources,
      route('/hello'),
    ]);
    gateway = await fixture.runGatewayAgainst(kubernetes.kubeConfig);
    // The Gateway's proxy, as its pod would run it (no kubelet here): node `default/eg`, Delta ADS.
    envoy = await fixture.startProxy('default/eg', gateway.xdsPort);
  }, 240_000);

  afterAll(() => fixture.stopAll({ envoy, gateway, backend, env }));

  it('writes the condition with Envoy message onto the Gateway, keeps the rest flowing, and clears it', async () => {
    await fixture.eventually('the route served over HTTP', async () =>
      (await getThroughEnvoy(httpPort, '/hello')).status === 200 ? true : undefined,
    );
    await fixture.eventually('the route served over HTTPS', async () =>
      (await getThroughTls(httpsPort, HOST, '/hello')) === 200 ? true : undefined,
    );
    expect(await rejected()).toBeUndefined();

    // A certificate Envoy refuses: the Secret update is NACKed.
    const started = performance.now();
    await env.apply([tlsSecret('default', 'cert', selfSigned(HOST, 1024))]);
    const condition = await fixture.eventually(
      'DataPlaneRejected on the Gateway in the API server',
      rejected,
    );
    console.log(
      `DataPlaneRejected written ${Math.round(performance.now() - started)} ms after the Secret update`,
    );
    expect(condition).toMatchObject({ status: 'True', reason: 'Rejected' });
    expect(condition.message).toContain('Secret default/cert');
    expect(condition.message).toContain('2048-bit or larger');
    expect(condition.lastTransitionTime).toBeDefined();
    // What the translator owns is still there beside it.
    expect((await fixture.gatewayConditions(env, 'eg')).map((c) => c.type)).toContain('Accepted');

    // The rest keeps flowing: the proxy keeps the certificate it had, and a route edit is served.
    expect(await getThroughTls(httpsPort, HOST, '/hello')).toBe(200);
    await env.apply([route('/moved')]);
    await fixture.eventually('the edited route served', async () =>
      (await getThroughEnvoy(httpPort, '/moved')).status === 200 &&
      (await getThroughEnvoy(httpPort, '/hello')).status === 404
        ? true
        : undefined,
    );
    expect(await rejected()).toBeDefined();

    // Fixed: a certificate Envoy takes; the condition is removed from the stored status.
    await env.apply([tlsSecret('default', 'cert', selfSigned(HOST, 2048))]);
    await fixture.eventually('DataPlaneRejected removed', async () =>
      (await rejected()) === undefined ? true : undefined,
    );
    expect(await getThroughTls(httpsPort, HOST, '/moved')).toBe(200);
  }, 240_000);
});
