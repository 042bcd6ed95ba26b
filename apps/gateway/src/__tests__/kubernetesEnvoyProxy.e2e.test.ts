// Kubernetes mode against a real kube-apiserver, with real Envoy as the fleet's proxy (no kubelet
// here: Envoy runs with the Gateway's node name): two Gateways merged into one fleet by their
// EnvoyProxy (mergeGateways).
// - ClientTrafficPolicy client validation with a ClusterTrustBundle as the CA (Envoy Gateway's
//   ClientMTLSClusterTrustBundle): the provider watches ClusterTrustBundles; a client certificate
//   the bundle's CA signed passes, none or another CA's is refused; a bundle edit reaches Envoy.
// - An EnvoyProxy bootstrap Envoy refuses (Envoy Gateway's EnvoyProxyInvalidUpdate): every Gateway
//   of the merged fleet gets Accepted=False InvalidParameters, the fleet's ConfigMap keeps its last
//   good bootstrap, and the condition clears once the EnvoyProxy is fixed.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { type EnvoyHandle, startEnvoy } from '@egts/envoy-binary';
import { proxyBootstrap } from '@egts/infra-manager';
import { type KubeTestEnv, kubeTestEnvUnavailable, startKubeTestEnv } from '@egts/kube-testenv';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogging } from '../logging.js';
import { runKubernetesGateway } from '../run/kubernetesGateway.js';
import type { RunningGateway } from '../run/runGateway.js';
import { clientCa, getWithClientCertificate } from './clientCa.js';
import { selfSigned, tlsSecret } from './selfSigned.js';
import { freePort, getThroughEnvoy } from './throughEnvoy.js';

// The API server refuses loopback endpoints, so the backend listens on this host's own address.
const hostIp = Object.values(networkInterfaces())
  .flat()
  .find((a) => a?.family === 'IPv4' && !a.internal)?.address;
const unavailable =
  kubeTestEnvUnavailable() ?? (hostIp ? undefined : 'no non-loopback IPv4 address for a backend');
if (unavailable) console.warn(`skipping the Kubernetes EnvoyProxy/ClientMTLS test: ${unavailable}`);

const NS = 'envoy-gateway-system';
const GW = 'gateway.networking.k8s.io/v1';
const EG = 'gateway.envoyproxy.io/v1alpha1';
const HOST = 'mtls.example.com';

async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 90_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

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

  const accepted = async (name: string) => {
    const res = await env.request('GET', `/apis/${GW}/namespaces/default/gateways/${name}`);
    const conditions = ((res.json as { status?: { conditions?: Condition[] } }).status
      ?.conditions ?? []) as Condition[];
    return conditions.find((c) => c.type === 'Accepted');
  };
  const configMapBootstrap = async () => {
    const res = await env.request('GET', `/api/v1/namespaces/${NS}/configmaps`);
    const items = (
      res.json as { items: { metadata: { name: string }; data?: Record<string, string> }[] }
    ).items;
    return items.find((c) => c.data?.['envoy.json'] !== undefined)?.data?.['envoy.json'];
  };

  beforeAll(async () => {
    env = await startKubeTestEnv();
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(env.kubeconfig);
    backend = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ backend: 'app' }));
    });
    await new Promise<void>((resolve) => backend.listen(0, hostIp, resolve));
    const backendPort = (backend.address() as AddressInfo).port;
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
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'app', namespace: 'default' },
        spec: { ports: [{ name: 'http', port: 8080, targetPort: backendPort }] },
      },
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name: 'app-1',
          namespace: 'default',
          labels: { 'kubernetes.io/service-name': 'app' },
        },
        addressType: 'IPv4',
        endpoints: [{ addresses: [hostIp], conditions: { ready: true } }],
        ports: [{ name: 'http', port: backendPort }],
      },
      routeOf('tls', 'eg-tls'),
      routeOf('plain', 'eg-plain'),
    ]);
    gateway = await runKubernetesGateway({
      kubeConfig,
      controllerName: 'gateway.envoyproxy.io/gatewayclass-controller',
      namespace: NS,
      watch: { type: 'all' },
      xds: { host: '127.0.0.1', port: 0 },
      admin: { host: '127.0.0.1', port: 0 },
      xdsService: { host: '127.0.0.1', port: 18000 },
      wasmPort: 0,
      logging: createLogging({ default: 'warn' }),
    });
    // The merged fleet's proxy, as its pod would run it: its node is the GatewayClass name.
    envoy = startEnvoy({
      config: proxyBootstrap({
        proxyName: 'eg',
        xds: { host: '127.0.0.1', port: gateway.xdsPort },
      }),
    });
    await envoy.ready(90_000);
  }, 240_000);

  afterAll(async () => {
    await envoy?.stop();
    await gateway?.close();
    backend?.close();
    await env?.stop();
  });

  it('validates client certificates against a ClusterTrustBundle (ClientMTLSClusterTrustBundle)', async () => {
    const client = trusted.client('client');
    await eventually('mTLS with the bundle CA served', async () =>
      (await getWithClientCertificate(httpsPort, HOST, '/', client)) === 200 ? true : undefined,
    );
    expect(await getWithClientCertificate(httpsPort, HOST, '/')).toBe(0);
    expect(await getWithClientCertificate(httpsPort, HOST, '/', other.client('stranger'))).toBe(0);
    expect((await getThroughEnvoy(httpPort, '/')).status).toBe(200);

    // The bundle now holds the other CA: its clients pass, the first CA's no longer do.
    await env.apply([trustBundle(other.ca.cert)]);
    await eventually('the edited bundle served', async () =>
      (await getWithClientCertificate(httpsPort, HOST, '/', other.client('stranger'))) === 200
        ? true
        : undefined,
    );
    expect(await getWithClientCertificate(httpsPort, HOST, '/', client)).toBe(0);
    await env.apply([trustBundle(trusted.ca.cert)]);
  }, 180_000);

  it('a bootstrap Envoy refuses: Accepted=False InvalidParameters on every merged Gateway, cleared when fixed (EnvoyProxyInvalidUpdate)', async () => {
    await eventually('both Gateways accepted', async () =>
      (await accepted('eg-tls'))?.status === 'True' &&
      (await accepted('eg-plain'))?.status === 'True'
        ? true
        : undefined,
    );
    const good = await eventually('the fleet ConfigMap', configMapBootstrap);

    await env.apply([envoyProxy({ type: 'Merge', value: 'node:\n  no_such_field: 1\n' })]);
    for (const name of ['eg-tls', 'eg-plain']) {
      const condition = await eventually(`${name} refused`, async () => {
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
    await eventually('both Gateways accepted again', async () =>
      (await accepted('eg-tls'))?.status === 'True' &&
      (await accepted('eg-plain'))?.status === 'True'
        ? true
        : undefined,
    );
    expect(JSON.parse((await configMapBootstrap()) ?? '{}').node.metadata).toEqual({ team: 'a' });
  }, 180_000);
});
