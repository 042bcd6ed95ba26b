// Kubernetes mode against a real kube-apiserver, with real Envoy as the fleet's proxy (no kubelet
// here: Envoy runs with the Gateway's node name): two Gateways merged into one fleet by their
// EnvoyProxy (mergeGateways).
// - ClientTrafficPolicy client validation with a ClusterTrustBundle as the CA (Envoy Gateway's
//   ClientMTLSClusterTrustBundle): the provider watches ClusterTrustBundles; a client certificate
//   the bundle's CA signed passes, none or another CA's is refused; a bundle edit reaches Envoy.
// - An EnvoyProxy bootstrap Envoy refuses (Envoy Gateway's EnvoyProxyInvalidUpdate): every Gateway
//   of the merged fleet gets Accepted=False InvalidParameters, the fleet's ConfigMap keeps its last
//   good bootstrap, and the condition clears once the EnvoyProxy is fixed.

import type { Server } from 'node:http';
import type { EnvoyHandle } from '@egts/envoy-binary';
import type { KubeTestEnv } from '@egts/kube-testenv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../run/gatewayOptions.js';
import { clientCa, getWithClientCertificate } from './clientCa.js';
import * as fixture from './kubernetesFixture.js';
import { selfSigned, tlsSecret } from './selfSigned.js';
import { freePort, getThroughEnvoy } from './throughEnvoy.js';

const unavailable = fixture.kubernetesUnavailable;
if (unavailable) console.warn(`skipping the Kubernetes EnvoyProxy/ClientMTLS test: ${unavailable}`);

const EG = 'gateway.envoyproxy.io/v1alpha1';
const NS = fixture.CONTROLLER_NAMESPACE;
const GW = 'gateway.networking.k8s.io/v1';
const HOST = 'mtls.example.com';

const envoyProxy = (bootstrap?: Record<string, unknown>) => ({
  apiVersion: EG,
  kind: 'EnvoyProxy',
  metadata: { name: 'merged', namespace: NS },
  spec: { mergeGateways: true, ...(bootstrap ? { bootstrap } : {}) },
});
const trustBundle = (pem: string) => ({
  apiVersion: 'certificates.k8s.io/v1beta1',
  kind: 'ClusterTrustBundle',
  metadata: { name: 'client-ca' },
  spec: { trustBundle: pem },
});

describe.skipIf(unavailable !== undefined)('EnvoyProxy and client mTLS in Kubernetes (e2e)', () => {
  let env: KubeTestEnv;
  let backend: Server;
  let gateway: RunningGateway;
  let envoy: EnvoyHandle;
  let httpPort: number;
  let httpsPort: number;
  const trusted = clientCa('trusted-ca');
  const other = clientCa('other-ca');

  const accepted = async (name: string) =>
    (await fixture.gatewayConditions(env, name)).find((c) => c.type === 'Accepted');
  const configMapBootstrap = async () => {
    const res = await env.request('GET', `/api/v1/namespaces/${NS}/configmaps`);
    const items = (
      res.json as { items: { metadata: { name: string }; data?: Record<string, string> }[] }
    ).items;
    return items.find((c) => c.data?.['envoy.json'] !== undefined)?.data?.['envoy.json'];
  };

  beforeAll(async () => {
    const kubernetes = await fixture.startKubernetes();
    env = kubernetes.env;
    const app = await fixture.startAppBackend();
    backend = app.backend;
    httpPort = await freePort();
    httpsPort = await freePort();
    const gatewayOf = (name: string, listener: Record<string, unknown>) => ({
      apiVersion: GW,
      kind: 'Gateway',
      metadata: { name, namespace: 'default' },
      spec: { gatewayClassName: 'eg', listeners: [listener] },
    });
    const routeOf = (name: string, parent: string) => ({
      apiVersion: GW,
      kind: 'HTTPRoute',
      metadata: { name, namespace: 'default' },
      spec: {
        parentRefs: [{ name: parent }],
        rules: [{ backendRefs: [{ name: 'app', port: 8080 }] }],
      },
    });
    await env.apply([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
      envoyProxy(),
      {
        apiVersion: GW,
        kind: 'GatewayClass',
        metadata: { name: 'eg' },
        spec: {
          controllerName: 'gateway.envoyproxy.io/gatewayclass-controller',
          parametersRef: {
            group: 'gateway.envoyproxy.io',
            kind: 'EnvoyProxy',
            name: 'merged',
            namespace: NS,
          },
        },
      },
      tlsSecret('default', 'server', selfSigned(HOST, 2048)),
      trustBundle(trusted.ca.cert),
      gatewayOf('eg-tls', {
        name: 'https',
        protocol: 'HTTPS',
        port: httpsPort,
        hostname: HOST,
        tls: { mode: 'Terminate', certificateRefs: [{ name: 'server' }] },
      }),
      gatewayOf('eg-plain', { name: 'http', protocol: 'HTTP', port: httpPort }),
      {
        apiVersion: EG,
        kind: 'ClientTrafficPolicy',
        metadata: { name: 'mtls', namespace: 'default' },
        spec: {
          targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'eg-tls' }],
          tls: {
            clientValidation: {
              caCertificateRefs: [
                { group: 'certificates.k8s.io', kind: 'ClusterTrustBundle', name: 'client-ca' },
              ],
            },
          },
        },
      },
      ...app.resources,
      routeOf('tls', 'eg-tls'),
      routeOf('plain', 'eg-plain'),
    ]);
    gateway = await fixture.runGatewayAgainst(kubernetes.kubeConfig);
    // The merged fleet's proxy, as its pod would run it: its node is the GatewayClass name.
    envoy = await fixture.startProxy('eg', gateway.xdsPort);
  }, 240_000);

  afterAll(() => fixture.stopAll({ envoy, gateway, backend, env }));

  it('validates client certificates against a ClusterTrustBundle (ClientMTLSClusterTrustBundle)', async () => {
    const client = trusted.client('client');
    await fixture.eventually('mTLS with the bundle CA served', async () =>
      (await getWithClientCertificate(httpsPort, HOST, '/', client)) === 200 ? true : undefined,
    );
    expect(await getWithClientCertificate(httpsPort, HOST, '/')).toBe(0);
    expect(await getWithClientCertificate(httpsPort, HOST, '/', other.client('stranger'))).toBe(0);
    expect((await getThroughEnvoy(httpPort, '/')).status).toBe(200);

    // The bundle now holds the other CA: its clients pass, the first CA's no longer do.
    await env.apply([trustBundle(other.ca.cert)]);
    await fixture.eventually('the edited bundle served', async () =>
      (await getWithClientCertificate(httpsPort, HOST, '/', other.client('stranger'))) === 200
        ? true
        : undefined,
    );
    expect(await getWithClientCertificate(httpsPort, HOST, '/', client)).toBe(0);
    await env.apply([trustBundle(trusted.ca.cert)]);
  }, 180_000);

  it('a bootstrap Envoy refuses: Accepted=False InvalidParameters on every merged Gateway, cleared when fixed (EnvoyProxyInvalidUpdate)', async () => {
    await fixture.eventually('both Gateways accepted', async () =>
      (await accepted('eg-tls'))?.status === 'True' &&
      (await accepted('eg-plain'))?.status === 'True'
        ? true
        : undefined,
    );
    const good = await fixture.eventually('the fleet ConfigMap', configMapBootstrap);

    await env.apply([envoyProxy({ type: 'Merge', value: 'node:\n  no_such_field: 1\n' })]);
    for (const name of ['eg-tls', 'eg-plain']) {
      const condition = await fixture.eventually(`${name} refused`, async () => {
        const c = await accepted(name);
        return c?.status === 'False' ? c : undefined;
      });
      expect(condition.reason).toBe('InvalidParameters');
      expect(condition.message).toContain('spec.bootstrap: Envoy refuses it');
    }
    // The fleet keeps its last good bootstrap; the proxy serves on.
    expect(await configMapBootstrap()).toBe(good);
    expect((await getThroughEnvoy(httpPort, '/')).status).toBe(200);

    // Fixed with a bootstrap Envoy takes: accepted again, and the ConfigMap carries it.
    await env.apply([envoyProxy({ type: 'Merge', value: 'node:\n  metadata: {team: a}\n' })]);
    await fixture.eventually('both Gateways accepted again', async () =>
      (await accepted('eg-tls'))?.status === 'True' &&
      (await accepted('eg-plain'))?.status === 'True'
        ? true
        : undefined,
    );
    expect(JSON.parse((await configMapBootstrap()) ?? '{}').node.metadata).toEqual({ team: 'a' });
  }, 180_000);
});
