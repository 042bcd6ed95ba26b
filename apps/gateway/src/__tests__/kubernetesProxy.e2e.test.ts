// The proxy egts deploys in Kubernetes mode, run for real although no kubelet runs here: the test
// reads back the Deployment, its bootstrap ConfigMap and the certificate Secret from the real API
// server, projects the volumes as the kubelet does (under a temp root instead of `/`), and starts
// real Envoy with the container's arguments. That Envoy must reach `egts server` over mTLS and serve
// a route, and keep getting updates while egts rotates the certificates and then the CA (lifetimes
// of seconds here), through the Secret volumes alone; after the rotation a restarted proxy and a
// restarted egts still connect.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyCertificateSecrets, CA_SECRET } from '@egts/certgen';
import { type EnvoyHandle, startEnvoy } from '@egts/envoy-binary';
import {
  type KubeTestEnv,
  kubeTestEnvUnavailable,
  startKubeTestEnv,
  startVolumeProjection,
  type VolumeProjection,
} from '@egts/kube-testenv';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCli, startCli } from './runCli.js';
import { freePort } from './throughEnvoy.js';

// The API server refuses loopback endpoints, so the backend listens on this host's own address.
const hostIp = Object.values(networkInterfaces())
  .flat()
  .find((a) => a?.family === 'IPv4' && !a.internal)?.address;
const unavailable =
  kubeTestEnvUnavailable() ?? (hostIp ? undefined : 'no non-loopback IPv4 address for a backend');
if (unavailable) console.warn(`skipping Kubernetes proxy tests: ${unavailable}`);

const NS = 'envoy-gateway-system';
const GW = 'gateway.networking.k8s.io/v1';
// Short lifetimes: certificates renewed with 8 s left, the CA replaced with 15 s left, and 3 s for
// a Secret update to reach the volumes (the projections poll every 300 ms).
const CERT_VALIDITY_S = 24;
const CA_VALIDITY_S = 45;
const PROPAGATION_S = 3;

async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (${String(last)})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const route = (path: string) => ({
  apiVersion: GW,
  kind: 'HTTPRoute',
  metadata: { name: 'app', namespace: 'default' },
  spec: {
    parentRefs: [{ name: 'eg' }],
    rules: [
      {
        matches: [{ path: { type: 'PathPrefix', value: path } }],
        backendRefs: [{ name: 'app', port: 8080 }],
      },
    ],
  },
});

interface Container {
  args: string[];
  volumeMounts: Array<{ name: string; mountPath: string }>;
  readinessProbe?: { httpGet?: { path: string; port: number } };
}
interface Volume {
  name: string;
  configMap?: { name: string };
  secret?: { secretName: string };
}

describe.skipIf(unavailable !== undefined)('a Kubernetes-mode proxy run as its pod (e2e)', () => {
  const root = mkdtempSync(join(tmpdir(), 'egts-pod-'));
  let backend: Server;
  const projections: VolumeProjection[] = [];
  let env: KubeTestEnv;
  let egts: RunningCli;
  let envoy: EnvoyHandle;
  /** Starts Envoy as the proxy pod's container does (set by the first test). */
  let startPodEnvoy: () => EnvoyHandle;
  let listenerPort: number;
  let serverArgs: string[];
  let serverEnv: Record<string, string>;

  const secretPems = async (name: string, key: string) => {
    const res = await env.request('GET', `/api/v1/namespaces/${NS}/secrets/${name}`);
    const data = (res.json as { data: Record<string, string> }).data;
    const text = Buffer.from(data[key] ?? '', 'base64').toString();
    return (text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map(
      (pem) => new X509Certificate(pem),
    );
  };
  /** Serial numbers of the client certificate and CAs Envoy uses now (admin `/certs`). */
  const envoyCerts = async () => {
    const body = JSON.parse(await envoy.admin('/certs')) as {
      certificates: Array<{
        ca_cert?: Array<{ serial_number: string }>;
        cert_chain?: Array<{ serial_number: string }>;
      }>;
    };
    const all = body.certificates;
    return {
      chain: all.flatMap((c) => c.cert_chain ?? []).map((c) => c.serial_number.toLowerCase()),
      cas: all.flatMap((c) => c.ca_cert ?? []).map((c) => c.serial_number.toLowerCase()),
    };
  };
  const serial = (cert: X509Certificate) => cert.serialNumber.toLowerCase();
  const get = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${listenerPort}${path}`);
    return res.status === 200
      ? ((await res.json()) as { backend: string; path: string })
      : undefined;
  };

  /** The answer at `to`/x once `from` is no longer routed (so the route edit reached Envoy). */
  const moved = async (from: string, to: string) => {
    const old = await fetch(`http://127.0.0.1:${listenerPort}${from}/x`);
    return old.status === 404 ? get(`${to}/x`) : undefined;
  };

  beforeAll(async () => {
    env = await startKubeTestEnv();
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(env.kubeconfig);
    backend = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ backend: 'app', path: req.url }));
    });
    await new Promise<void>((resolve) => backend.listen(0, hostIp, resolve));
    const backendPort = (backend.address() as AddressInfo).port;
    listenerPort = await freePort();
    const xdsPort = await freePort();
    await env.apply([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
      {
        apiVersion: GW,
        kind: 'GatewayClass',
        metadata: { name: 'eg' },
        spec: { controllerName: 'gateway.envoyproxy.io/gatewayclass-controller' },
      },
      {
        apiVersion: GW,
        kind: 'Gateway',
        metadata: { name: 'eg', namespace: 'default' },
        spec: {
          gatewayClassName: 'eg',
          listeners: [{ name: 'http', protocol: 'HTTP', port: listenerPort }],
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
      route('/hello'),
    ]);
    const timing = {
      validityMs: CERT_VALIDITY_S * 1000,
      caValidityMs: CA_VALIDITY_S * 1000,
      propagationMs: PROPAGATION_S * 1000,
    };
    // What the chart's certgen Job does before egts starts.
    await applyCertificateSecrets({ kubeConfig, namespace: NS, ...timing });
    // The egts pod's `certs` volume: the envoy-gateway Secret.
    const egtsCerts = join(root, 'egts', 'certs');
    const volume = startVolumeProjection({
      request: env.request,
      kind: 'Secret',
      namespace: NS,
      name: 'envoy-gateway',
      dir: egtsCerts,
      intervalMs: 300,
    });
    projections.push(volume);
    await volume.ready;
    const config = join(root, 'envoy-gateway.yaml');
    writeFileSync(
      config,
      'apiVersion: gateway.envoyproxy.io/v1alpha1\nkind: EnvoyGateway\nprovider: {type: Kubernetes}\nadmin: {address: {host: 127.0.0.1, port: 0}}\n',
    );
    serverArgs = [
      'server',
      '--config',
      config,
      '--xds-address',
      `127.0.0.1:${xdsPort}`,
      '--xds-tls-dir',
      egtsCerts,
      // No cluster DNS here: proxies reach egts on loopback instead of its Service name.
      '--xds-service-address',
      `127.0.0.1:${xdsPort}`,
      '--cert-validity',
      `${CERT_VALIDITY_S}s`,
      '--ca-validity',
      `${CA_VALIDITY_S}s`,
      '--cert-propagation',
      `${PROPAGATION_S}s`,
    ];
    serverEnv = { KUBECONFIG: env.kubeconfigPath, POD_NAMESPACE: NS };
    egts = await startCli(serverArgs, 60_000, serverEnv);
  }, 180_000);

  afterAll(async () => {
    await envoy?.stop();
    await egts?.stop();
    for (const projection of projections) await projection.stop();
    backend?.close();
    await env?.stop();
  });

  it('starts Envoy from the Deployment, ConfigMap and Secret egts made; it serves the route over mTLS xDS', async () => {
    const deployment = await eventually('the proxy Deployment', async () => {
      const res = await env.request('GET', `/apis/apps/v1/namespaces/${NS}/deployments`);
      const items = (
        res.json as {
          items: Array<{
            metadata: { labels?: Record<string, string> };
            spec: { template: { spec: { containers: Container[]; volumes: Volume[] } } };
          }>;
        }
      ).items;
      return items.find(
        (d) => d.metadata.labels?.['gateway.envoyproxy.io/owning-gateway-name'] === 'eg',
      );
    });
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0]!;
    // Every mount point moves under the temp root; absolute paths in the mounted files move with it.
    const rooted = (path: string) => join(root, 'pod', path);
    const rewrite = (text: string) =>
      container.volumeMounts.reduce(
        (out, m) =>
          out.replaceAll(new RegExp(`"${m.mountPath}(?=["/])`, 'g'), `"${rooted(m.mountPath)}`),
        text,
      );
    for (const mount of container.volumeMounts) {
      const volume = pod.volumes.find((v) => v.name === mount.name)!;
      const projection = startVolumeProjection({
        request: env.request,
        kind: volume.secret ? 'Secret' : 'ConfigMap',
        namespace: NS,
        name: volume.secret?.secretName ?? volume.configMap!.name,
        dir: rooted(mount.mountPath),
        intervalMs: 300,
        rewrite,
      });
      projections.push(projection);
      await projection.ready;
    }
    expect(container.volumeMounts.map((m) => m.mountPath).sort()).toEqual(['/certs', '/config']);

    // The container's arguments: the bootstrap path (under the root) and the rest as they are.
    const args = [...container.args];
    const take = (flag: string) => {
      const at = args.indexOf(flag);
      expect(at).toBeGreaterThanOrEqual(0);
      return args.splice(at, 2)[1]!;
    };
    const mounted = readFileSync(rooted(take('--config-path')), 'utf8');
    expect(mounted).toContain(rooted('/config/xds-certificate.json'));
    // The kubelet's readiness probe: the pod has its own network, this emulation shares the
    // host's, so the probe port the bootstrap listens on moves to a free one.
    const probe = container.readinessProbe?.httpGet;
    expect(probe?.path).toBe('/ready');
    const readyPort = await freePort();
    const bootstrap = mounted.replace(`"portValue": ${probe?.port}`, `"portValue": ${readyPort}`);
    expect(bootstrap).not.toBe(mounted);
    const logLevel = take('--log-level');
    startPodEnvoy = () => startEnvoy({ config: bootstrap, logLevel, args });
    envoy = startPodEnvoy();
    await envoy.ready(60_000);
    await eventually('the readiness probe answering 200', async () =>
      (await fetch(`http://127.0.0.1:${readyPort}${probe?.path}`)).status === 200
        ? true
        : undefined,
    );

    const answer = await eventually('the route served through Envoy', () => get('/hello'), 90_000);
    expect(answer).toEqual({ backend: 'app', path: '/hello' });
    // The xDS connection is mutually authenticated with the Secret's client certificate.
    await eventually('Envoy presenting the Secret client certificate', async () => {
      const [clientCert] = await secretPems('envoy', 'tls.crt');
      return (await envoyCerts()).chain.includes(serial(clientCert!)) ? true : undefined;
    });
    const stats = await envoy.admin('/stats?filter=^cluster\\.xds_cluster\\.ssl\\.handshake$');
    expect(Number(/: (\d+)/.exec(stats)?.[1])).toBeGreaterThan(0);
  }, 180_000);

  it('keeps getting updates while egts rotates the certificates and the CA', async () => {
    const [firstCa] = await secretPems(CA_SECRET, 'tls.crt');
    const [firstClient] = await secretPems('envoy', 'tls.crt');
    // The CA is replaced (its successor signs, and it leaves the bundle) a little after 2/3 of its life.
    const newCa = await eventually(
      'a completed CA rotation',
      async () => {
        const bundle = await secretPems('envoy', 'ca.crt');
        const [signer] = await secretPems(CA_SECRET, 'tls.crt');
        return bundle.length === 1 && serial(bundle[0]!) !== serial(firstCa!) ? signer : undefined;
      },
      120_000,
    );
    const [newClient] = await secretPems('envoy', 'tls.crt');
    expect(serial(newClient!)).not.toBe(serial(firstClient!));
    expect(newClient!.verify(newCa!.publicKey)).toBe(true);
    // Envoy picked both up from its volume (file-based SDS watching the directory), without a restart.
    await eventually('Envoy using the new client certificate and CA', async () => {
      const { chain, cas } = await envoyCerts();
      const [client] = await secretPems('envoy', 'tls.crt');
      return chain.includes(serial(client!)) &&
        cas.includes(serial(newCa!)) &&
        !cas.includes(serial(firstCa!))
        ? true
        : undefined;
    });

    // The xDS stream opened with the first certificates still delivers changes.
    await env.apply([route('/rotated')]);
    expect(await eventually('the edited route served', () => moved('/hello', '/rotated'))).toEqual({
      backend: 'app',
      path: '/rotated/x',
    });

    // The pod restarts: a new Envoy, trusting only the new CA, connects to the same egts, which
    // therefore reloaded its own rotated certificate and bundle from its volume.
    await envoy.stop();
    envoy = startPodEnvoy();
    await envoy.ready(60_000);
    expect(
      await eventually('the route served by the restarted proxy', () =>
        moved('/hello', '/rotated'),
      ),
    ).toEqual({ backend: 'app', path: '/rotated/x' });

    // And egts restarts: the proxy reconnects with its rotated certificate.
    await egts.stop();
    egts = await startCli(serverArgs, 60_000, serverEnv);
    await env.apply([route('/reconnected')]);
    expect(
      await eventually(
        'the route served after reconnecting',
        () => moved('/rotated', '/reconnected'),
        90_000,
      ),
    ).toEqual({ backend: 'app', path: '/reconnected/x' });
    // Two xDS connections were established (the attempts while egts was down failed).
    const counter = async (name: string) => {
      const text = await envoy.admin(`/stats?filter=^cluster\\.xds_cluster\\.${name}$`);
      return Number(/: (\d+)/.exec(text)?.[1]);
    };
    expect(
      (await counter('upstream_cx_total')) - (await counter('upstream_cx_connect_fail')),
    ).toBeGreaterThanOrEqual(2);
  }, 240_000);
});
