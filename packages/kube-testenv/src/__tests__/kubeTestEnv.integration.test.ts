// Starts the real etcd + kube-apiserver and checks what tests rely on: auth, the kubeconfig,
// the CRDs served, objects applied, and a restart on the same port.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KubeTestEnv, kubeTestEnvUnavailable, startKubeTestEnv } from '../index.js';

const unavailable = kubeTestEnvUnavailable();
if (unavailable) console.warn(`skipping kube-testenv integration tests: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('kube test environment (integration)', () => {
  let env: KubeTestEnv;
  beforeAll(async () => {
    env = await startKubeTestEnv();
  }, 180_000);
  afterAll(async () => {
    await env?.stop();
  });

  it('serves the Gateway API and Envoy Gateway kinds to the token in the kubeconfig', async () => {
    const kubeconfig = await readFile(env.kubeconfigPath, 'utf8');
    expect(kubeconfig).toContain(env.server);
    expect(kubeconfig).toContain(env.token);
    const gatewayApi = await env.request('GET', '/apis/gateway.networking.k8s.io/v1');
    expect(gatewayApi.status).toBe(200);
    const names = (gatewayApi.json as { resources: { name: string }[] }).resources.map(
      (r) => r.name,
    );
    expect(names).toEqual(expect.arrayContaining(['gateways', 'gateways/status', 'httproutes']));
    const eg = await env.request('GET', '/apis/gateway.envoyproxy.io/v1alpha1');
    expect(eg.status).toBe(200);
    const anonymous = await fetch(`${env.server}/api/v1/namespaces`).catch((e: Error) => e);
    // Without the CA and token there is no way in (self-signed serving certificate).
    expect(anonymous).toBeInstanceOf(Error);
  });

  it('applies objects (create, then replace) and survives an API server restart', async () => {
    const gatewayClass = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GatewayClass',
      metadata: { name: 'testenv' },
      spec: { controllerName: 'example.com/testenv' },
    };
    await env.apply([gatewayClass]);
    await env.apply([{ ...gatewayClass, spec: { ...gatewayClass.spec, description: 'again' } }]);
    await env.restartApiServer();
    const got = await env.request(
      'GET',
      '/apis/gateway.networking.k8s.io/v1/gatewayclasses/testenv',
    );
    expect(got.status).toBe(200);
    expect((got.json as { spec: { description?: string } }).spec.description).toBe('again');
  }, 180_000);
});
