// The Helm chart: `helm lint` and `helm template` render it; its objects are accepted by a real
// kube-apiserver; and its RBAC is enough: the provider, leader election, status writes, the infra
// manager and certgen all run with the chart's ServiceAccount tokens, not as an administrator.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadEnvoyGatewayConfig } from '@egts/api';
import { applyCertificateSecrets, topologyInjectorWebhookName } from '@egts/certgen';
import { translate } from '@egts/gatewayapi-translator';
import { apiServerLookup, createKubernetesInfraManager } from '@egts/infra-manager';
import {
  type KubeTestEnv,
  kubeBinDir,
  kubeTestEnvUnavailable,
  sharedCrdDirs,
  startKubeTestEnv,
} from '@egts/kube-testenv';
import {
  createKubernetesProvider,
  startLeaderElection,
  watchObjects,
} from '@egts/provider-kubernetes';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { chartDir } from '../index.js';

const run = promisify(execFile);
const helm = join(kubeBinDir(), 'helm');
const unavailable =
  kubeTestEnvUnavailable() ??
  (existsSync(helm) ? undefined : `${helm} is missing: run scripts/setup-helm.sh`);
if (unavailable) console.warn(`skipping chart tests: ${unavailable}`);

const NS = 'envoy-gateway-system';
const CONTROLLER = 'gateway.envoyproxy.io/gatewayclass-controller';
type Obj = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
} & Record<string, unknown>;

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const eventually = async <T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(200);
  }
};

const render = async (...extra: string[]): Promise<Obj[]> => {
  const { stdout } = await run(
    helm,
    ['template', 'egts', chartDir(), '--namespace', NS, ...extra],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return parseAllDocuments(stdout)
    .map((d) => d.toJS() as Obj | null)
    .filter((o): o is Obj => o !== null);
};

describe.skipIf(unavailable !== undefined)('the Helm chart (integration)', () => {
  let env: KubeTestEnv;
  let objects: Obj[];

  beforeAll(async () => {
    env = await startKubeTestEnv({
      crdPaths: [sharedCrdDirs()[0] as string, join(chartDir(), 'crds')],
    });
    objects = await render();
  }, 240_000);
  afterAll(async () => {
    await env?.stop();
  });

  it('lints and renders the control plane, its RBAC and certgen; CRDs only with --include-crds', async () => {
    await run(helm, ['lint', chartDir()]);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ClusterRole/egts-envoy-gateway',
      'ClusterRole/egts-envoy-gateway-certgen',
      'ClusterRoleBinding/egts-envoy-gateway',
      'ClusterRoleBinding/egts-envoy-gateway-certgen',
      'ConfigMap/envoy-gateway-config',
      'Deployment/envoy-gateway',
      'Job/envoy-gateway-certgen',
      `MutatingWebhookConfiguration/envoy-gateway-topology-injector.${NS}`,
      'Role/envoy-gateway',
      'Role/envoy-gateway-certgen',
      'RoleBinding/envoy-gateway',
      'RoleBinding/envoy-gateway-certgen',
      'Service/envoy-gateway',
      'ServiceAccount/envoy-gateway',
      'ServiceAccount/envoy-gateway-certgen',
    ]);
    const config = objects.find((o) => o.kind === 'ConfigMap') as Obj & {
      data: Record<string, string>;
    };
    expect(config.data['envoy-gateway.yaml']).toContain('kind: EnvoyGateway');
    // The configuration egts server will read: valid for @egts/api, Kubernetes provider, admin reachable by probes.
    const loaded = loadEnvoyGatewayConfig(config.data['envoy-gateway.yaml'], 'envoy-gateway.yaml');
    expect(loaded.problems).toEqual([]);
    expect(loaded.config).toMatchObject({
      provider: { type: 'Kubernetes' },
      gateway: { controllerName: CONTROLLER },
      admin: { address: { host: '0.0.0.0', port: 19000 } },
    });
    // The topology injector: a webhook on pods/binding to the egts Service, never blocking binding.
    const webhook = objects.find((o) => o.kind === 'MutatingWebhookConfiguration') as unknown as {
      webhooks: Record<string, unknown>[];
    };
    expect(webhook.webhooks).toEqual([
      expect.objectContaining({
        failurePolicy: 'Ignore',
        clientConfig: {
          service: {
            name: 'envoy-gateway',
            namespace: NS,
            path: '/inject-pod-topology',
            port: 9443,
          },
        },
        rules: [expect.objectContaining({ operations: ['CREATE'], resources: ['pods/binding'] })],
      }),
    ]);
    // Disabled: no webhook, egts serves none (its configuration says so), certgen leaves it alone.
    const without = await render('--set', 'topologyInjector.enabled=false');
    expect(without.some((o) => o.kind === 'MutatingWebhookConfiguration')).toBe(false);
    const withoutConfig = loadEnvoyGatewayConfig(
      (without.find((o) => o.kind === 'ConfigMap') as Obj & { data: Record<string, string> }).data[
        'envoy-gateway.yaml'
      ] as string,
      'envoy-gateway.yaml',
    );
    expect(withoutConfig.config?.provider.kubernetes?.topologyInjector).toEqual({ disable: true });
    expect(JSON.stringify(without.find((o) => o.kind === 'Job'))).toContain(
      '--disable-topology-injector',
    );
    const withCrds = await render(
      '--include-crds',
      '--set',
      'certgen.enabled=false',
      '--set',
      'replicas=3',
    );
    expect(withCrds.filter((o) => o.kind === 'CustomResourceDefinition')).toHaveLength(8);
    expect(withCrds.some((o) => o.kind === 'Job')).toBe(false);
    expect(
      (withCrds.find((o) => o.kind === 'Deployment') as unknown as { spec: { replicas: number } })
        .spec.replicas,
    ).toBe(3);
  });

  it('is accepted by the API server, and its RBAC is all egts needs', async () => {
    await env.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }]);
    await env.apply(objects);
    const token = async (serviceAccount: string) => {
      const res = await env.request(
        'POST',
        `/api/v1/namespaces/${NS}/serviceaccounts/${serviceAccount}/token`,
        {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenRequest',
          spec: { expirationSeconds: 3600 },
        },
      );
      expect(res.status, res.text).toBe(201);
      return (res.json as { status: { token: string } }).status.token;
    };
    const admin = new KubeConfig();
    admin.loadFromString(env.kubeconfig);
    const as = async (serviceAccount: string) => {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [admin.getCurrentCluster()],
        users: [{ name: serviceAccount, token: await token(serviceAccount) }],
        contexts: [{ name: 'sa', cluster: admin.getCurrentCluster()?.name, user: serviceAccount }],
        currentContext: 'sa',
      });
      return kc;
    };

    // certgen with its own ServiceAccount, setting the topology injector webhook's caBundle.
    const webhookName = topologyInjectorWebhookName(NS);
    const certgen = await applyCertificateSecrets({
      kubeConfig: await as('envoy-gateway-certgen'),
      namespace: NS,
      webhookConfigurations: [webhookName],
    });
    expect(certgen.action).toBe('created');
    expect(certgen.steps).toContain('webhook-ca-updated');

    // The control plane with its ServiceAccount: reads everything, leads, writes status.
    await env.apply([
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'GatewayClass',
        metadata: { name: 'egts' },
        spec: { controllerName: CONTROLLER },
      },
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: 'gw', namespace: 'default' },
        spec: {
          gatewayClassName: 'egts',
          listeners: [{ name: 'http', protocol: 'HTTP', port: 80 }],
        },
      },
    ]);
    const kubeConfig = await as('envoy-gateway');
    const logs: string[] = [];
    const leaderElection = startLeaderElection({
      kubeConfig,
      namespace: NS,
      name: 'egts-leader',
      retryPeriodMs: 250,
    });
    const provider = createKubernetesProvider({
      kubeConfig,
      controllerName: CONTROLLER,
      leaderElection,
      log: (m) => logs.push(m),
    });
    const infra = createKubernetesInfraManager({
      kubeConfig,
      xds: { host: `envoy-gateway.${NS}.svc`, port: 18000 },
    });
    const subscription = provider.resources$.subscribe((snapshot) => {
      const result = translate(snapshot.resources, {
        controllerName: CONTROLLER,
        controllerNamespace: NS,
      });
      void provider.writeStatus(result.statuses);
      void infra
        .apply(result.infraIR)
        .catch((error: Error) => logs.push(`infra: ${error.message}`));
    });
    try {
      await eventually(async () => (leaderElection.isLeader() ? true : undefined));
      const accepted = await eventually(async () => {
        const gw = (
          await env.request(
            'GET',
            '/apis/gateway.networking.k8s.io/v1/namespaces/default/gateways/gw',
          )
        ).json as { status?: { conditions?: { type: string; status: string }[] } };
        return gw.status?.conditions?.some((c) => c.type === 'Accepted' && c.status === 'True')
          ? true
          : undefined;
      });
      expect(accepted).toBe(true);
      await eventually(async () => {
        const list = (
          await env.request(
            'GET',
            `/apis/apps/v1/namespaces/${NS}/deployments?labelSelector=app.kubernetes.io%2Fmanaged-by%3Degts`,
          )
        ).json as { items: unknown[] };
        return list.items.length === 1 ? true : undefined;
      });
      const health = provider.health();
      expect(health.synced).toBe(true);
      // RBAC is what this checks: a watch refused for permissions. A loaded API server may also
      // answer a watch with a transient 429 ("storage is (re)initializing") right after a CRD is
      // installed; the informer retries that, and it says nothing about RBAC.
      const refused = Object.entries(health.informers).filter(
        ([, s]) => s.forbidden || /\b403\b|forbidden/i.test(s.lastError ?? ''),
      );
      expect(refused).toEqual([]);
      expect(logs.filter((l) => /403|forbidden/i.test(l))).toEqual([]);
      // The leader rotates the certificates with its own ServiceAccount (and reads the webhook's
      // caBundle, already the bundle).
      const rotated = await applyCertificateSecrets({
        kubeConfig,
        namespace: NS,
        overwrite: true,
        webhookConfigurations: [webhookName],
      });
      expect(rotated.steps).toEqual(['certificates-issued']);
      // The topology injector reads the pod being bound and its node with egts's ServiceAccount.
      await env.apply([
        {
          apiVersion: 'v1',
          kind: 'Node',
          metadata: { name: 'node-a', labels: { 'topology.kubernetes.io/zone': 'zone-a' } },
        },
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'proxy', namespace: NS, labels: { app: 'proxy' } },
          spec: { containers: [{ name: 'envoy', image: 'envoy' }] },
        },
      ]);
      const lookup = apiServerLookup(kubeConfig);
      expect(await lookup.podLabels(NS, 'proxy')).toEqual({ app: 'proxy' });
      expect(await lookup.nodeLabels('node-a')).toEqual({
        'topology.kubernetes.io/zone': 'zone-a',
      });
      // The status writer watches the proxy pods for their zone.
      const pods = watchObjects({ kubeConfig, path: `/api/v1/namespaces/${NS}/pods` });
      let listed: readonly { metadata: { name?: string } }[] | undefined;
      const listing = pods.objects$.subscribe((objects) => {
        listed = objects;
      });
      try {
        const names = await eventually(async () => listed?.map((p) => p.metadata.name));
        expect(names).toContain('proxy');
      } finally {
        listing.unsubscribe();
        await pods.stop();
      }
    } finally {
      subscription.unsubscribe();
      await provider.close();
      await leaderElection.stop();
    }
  }, 120_000);
});
