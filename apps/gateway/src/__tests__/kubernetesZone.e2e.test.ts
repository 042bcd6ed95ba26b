// `egts server` in Kubernetes mode gives its proxy pods their zone on an API server with default
// feature gates (no PodTopologyLabelsAdmission, as Kubernetes 1.33-1.34 run): the leader sets the
// topology injector webhook's caBundle, the API server calls egts when a proxy pod is bound, and the
// pod gets its node's zone. A BackendTrafficPolicy's zoneAware.preferLocal stays Accepted while
// every bound proxy pod has a zone, and is reported (naming the field) while one has none.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyCertificateSecrets, topologyInjectorWebhookName } from '@egts/certgen';
import { freePort } from '@egts/envoy-binary';
import { TOPOLOGY_INJECTOR_PATH, topologyWebhookConfiguration } from '@egts/infra-manager';
import { type KubeTestEnv, kubeTestEnvUnavailable, startKubeTestEnv } from '@egts/kube-testenv';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCli, startCli } from './runCli.js';

const unavailable = kubeTestEnvUnavailable();
if (unavailable) console.warn(`skipping egts server zone tests: ${unavailable}`);

const NS = 'envoy-gateway-system';
const GW = 'gateway.networking.k8s.io/v1';
const ZONE = 'topology.kubernetes.io/zone';
const FIELD = 'spec.loadBalancer.zoneAware.preferLocal';

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
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

type Pod = {
  metadata: { name: string; annotations?: Record<string, string> };
  spec: { nodeName?: string };
};

describe.skipIf(unavailable !== undefined)('egts server: proxy pod zones (Kubernetes)', () => {
  let env: KubeTestEnv;
  let egts: RunningCli;
  let dir: string;
  let made = 0;

  beforeAll(async () => {
    env = await startKubeTestEnv();
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(env.kubeconfig);
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
        spec: { gatewayClassName: 'eg', listeners: [{ name: 'http', protocol: 'HTTP', port: 80 }] },
      },
      {
        apiVersion: 'gateway.envoyproxy.io/v1alpha1',
        kind: 'BackendTrafficPolicy',
        metadata: { name: 'prefer', namespace: 'default' },
        spec: {
          targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'eg' }],
          loadBalancer: { type: 'RoundRobin', zoneAware: { preferLocal: {} } },
        },
      },
      {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: 'node-a', labels: { [ZONE]: 'zone-a' } },
      },
      { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-bare' } },
    ]);
    // What the chart's certgen Job does (here with 127.0.0.1 in the egts certificate: the API
    // server calls the webhook at a URL on loopback instead of through the egts Service).
    await applyCertificateSecrets({ kubeConfig, namespace: NS, extraServerNames: ['127.0.0.1'] });
    const secret = (await env.request('GET', `/api/v1/namespaces/${NS}/secrets/envoy-gateway`))
      .json as { data: Record<string, string> };
    dir = mkdtempSync(join(tmpdir(), 'egts-zone-'));
    for (const file of ['tls.crt', 'tls.key', 'ca.crt'])
      writeFileSync(join(dir, file), Buffer.from(secret.data[file] ?? '', 'base64'));
    // The chart's webhook configuration, without a caBundle: the leading egts sets it.
    const port = await freePort();
    await env.apply([
      topologyWebhookConfiguration({
        name: topologyInjectorWebhookName(NS),
        namespaces: [NS],
        clientConfig: { url: `https://127.0.0.1:${port}${TOPOLOGY_INJECTOR_PATH}` },
      }),
    ]);
    const config = join(dir, 'envoy-gateway.yaml');
    writeFileSync(
      config,
      'apiVersion: gateway.envoyproxy.io/v1alpha1\nkind: EnvoyGateway\nprovider: {type: Kubernetes}\nadmin: {address: {host: 127.0.0.1, port: 0}}\n',
    );
    egts = await startCli(
      [
        'server',
        '--config',
        config,
        '--xds-address',
        '127.0.0.1:0',
        '--xds-tls-dir',
        dir,
        '--topology-injector-address',
        `127.0.0.1:${port}`,
      ],
      90_000,
      { KUBECONFIG: env.kubeconfigPath, POD_NAMESPACE: NS },
    );
  }, 240_000);

  afterAll(async () => {
    await egts?.stop();
    await env?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const template = () =>
    eventually('the proxy Deployment', async () => {
      const res = await env.request('GET', `/apis/apps/v1/namespaces/${NS}/deployments`);
      const [deployment] = (
        res.json as {
          items: {
            spec: {
              template: {
                metadata: { labels: Record<string, string> };
                spec: Record<string, unknown>;
              };
            };
          }[];
        }
      ).items;
      return deployment?.spec.template;
    });

  /** What the scheduler does: a pod of the proxy Deployment, bound to `node`. */
  const bind = async (node: string): Promise<Pod> => {
    const { metadata, spec } = await template();
    const name = `proxy-${made++}`;
    const created = await env.request('POST', `/api/v1/namespaces/${NS}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels: metadata.labels },
      spec,
    });
    expect(created.status, created.text).toBe(201);
    const bound = await env.request('POST', `/api/v1/namespaces/${NS}/pods/${name}/binding`, {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name },
      target: { apiVersion: 'v1', kind: 'Node', name: node },
    });
    expect(bound.status, bound.text).toBe(201);
    return (await env.request('GET', `/api/v1/namespaces/${NS}/pods/${name}`)).json as Pod;
  };
  /** Gone at once: no kubelet here confirms a graceful deletion. */
  const remove = (pod: Pod) =>
    env.request('DELETE', `/api/v1/namespaces/${NS}/pods/${pod.metadata.name}`, {
      gracePeriodSeconds: 0,
    });
  const accepted = async () => {
    const res = await env.request(
      'GET',
      '/apis/gateway.envoyproxy.io/v1alpha1/namespaces/default/backendtrafficpolicies/prefer',
    );
    const ancestors = (
      res.json as {
        status?: {
          ancestors?: {
            conditions: { type: string; status: string; reason: string; message: string }[];
          }[];
        };
      }
    ).status?.ancestors;
    return ancestors?.[0]?.conditions.find((c) => c.type === 'Accepted');
  };

  it("gives a proxy pod its node's zone through egts's webhook; preferLocal stays Accepted", async () => {
    // The leader trusts its CA bundle in the webhook configuration.
    await eventually('the webhook caBundle', async () => {
      const res = await env.request(
        'GET',
        `/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/${topologyInjectorWebhookName(NS)}`,
      );
      return (res.json as { webhooks: { clientConfig: { caBundle?: string } }[] }).webhooks[0]
        ?.clientConfig.caBundle;
    });
    const { spec } = await template();
    expect(JSON.stringify(spec)).toContain(`metadata.annotations['${ZONE}']`);
    // The API server picks the caBundle up asynchronously: until then a pod binds without a zone.
    const pod = await eventually('a pod bound with its zone', async () => {
      const bound = await bind('node-a');
      if (bound.metadata.annotations?.[ZONE] !== undefined) return bound;
      await remove(bound);
      return undefined;
    });
    expect(pod.spec.nodeName).toBe('node-a');
    expect(pod.metadata.annotations?.[ZONE]).toBe('zone-a');
    const condition = await eventually('preferLocal Accepted', async () => {
      const c = await accepted();
      return c?.status === 'True' ? c : undefined;
    });
    expect(condition.reason).toBe('Accepted');
  }, 180_000);

  it('reports preferLocal while a bound proxy pod has no zone, and accepts it again after', async () => {
    const bare = await bind('node-bare');
    expect(bare.metadata.annotations?.[ZONE]).toBeUndefined();
    const reported = await eventually('preferLocal reported', async () => {
      const c = await accepted();
      return c?.status === 'False' ? c : undefined;
    });
    expect(reported.reason).toBe('NotApplied');
    expect(reported.message).toContain(`${FIELD} is not applied: 1 of 2 proxy pods`);
    await remove(bare);
    await eventually('preferLocal Accepted again', async () => {
      const c = await accepted();
      return c?.status === 'True' ? c : undefined;
    });
  }, 180_000);
});
