// Kubernetes mode against a real kube-apiserver + etcd (@egts/kube-testenv): a fleet's objects are
// created, updated with its Gateway, extended with HPA/PDB when asked, and deleted when it goes.
// No kubelet runs here: the objects are checked, not the pods.
import type { InfraIR, ProxyInfra } from '@egts/ir';
import { type KubeTestEnv, kubeTestEnvUnavailable, startKubeTestEnv } from '@egts/kube-testenv';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubernetesInfraManager, type KubernetesInfraManager } from '../index.js';

const unavailable = kubeTestEnvUnavailable();
if (unavailable)
  console.warn(`skipping Kubernetes infra-manager integration tests: ${unavailable}`);

const NS = 'envoy-gateway-system';

const fleet = (
  gateway: string,
  ports: Array<[number, number]>,
  envoyProxy?: Record<string, unknown>,
): ProxyInfra => ({
  name: `app/${gateway}`,
  namespace: NS,
  owner: { gatewayClass: 'egts', gatewayNamespace: 'app', gatewayName: gateway },
  labels: { team: 'a' },
  annotations: {},
  listeners: [
    {
      name: `app/${gateway}/http`,
      ports: ports.map(([servicePort, containerPort]) => ({
        name: `http-${servicePort}`,
        protocol: 'HTTP' as const,
        servicePort,
        containerPort,
      })),
    },
  ],
  addresses: [],
  ...(envoyProxy ? { envoyProxy } : {}),
});

type Obj = {
  metadata: {
    name: string;
    labels: Record<string, string>;
    ownerReferences?: Array<{ kind: string; uid: string }>;
  };
  spec: Record<string, unknown>;
  data?: Record<string, string>;
};

describe.skipIf(unavailable !== undefined)(
  'Kubernetes infra manager against a real API server (integration)',
  () => {
    let env: KubeTestEnv;
    let manager: KubernetesInfraManager;

    beforeAll(async () => {
      env = await startKubeTestEnv();
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromString(env.kubeconfig);
      await env.apply([
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
        {
          apiVersion: 'gateway.networking.k8s.io/v1',
          kind: 'GatewayClass',
          metadata: { name: 'egts' },
          spec: { controllerName: 'gateway.envoyproxy.io/gatewayclass-controller' },
        },
      ]);
      manager = createKubernetesInfraManager({
        kubeConfig,
        xds: { host: `envoy-gateway.${NS}.svc.cluster.local`, port: 18000 },
      });
    }, 180_000);

    afterAll(async () => {
      await env?.stop();
    });

    const managed = async (plural: string, group = '/api/v1') => {
      const res = await env.request(
        'GET',
        `${group}/namespaces/${NS}/${plural}?labelSelector=${encodeURIComponent('app.kubernetes.io/managed-by=egts')}`,
      );
      expect(res.status).toBe(200);
      return (res.json as { items: Obj[] }).items;
    };

    it('creates, updates and deletes the objects of each fleet with its Gateway', async () => {
      const ir: InfraIR = { proxies: [fleet('gw', [[80, 10080]]), fleet('other', [[8443, 8443]])] };
      await manager.apply(ir);
      const deployments = await managed('deployments', '/apis/apps/v1');
      expect(
        deployments
          .map((d) => d.metadata.labels['gateway.envoyproxy.io/owning-gateway-name'])
          .sort(),
      ).toEqual(['gw', 'other']);
      const gc = (
        await env.request('GET', '/apis/gateway.networking.k8s.io/v1/gatewayclasses/egts')
      ).json as { metadata: { uid: string } };
      const gw = deployments.find(
        (d) => d.metadata.labels['gateway.envoyproxy.io/owning-gateway-name'] === 'gw',
      ) as Obj;
      expect(gw.metadata.name).toMatch(/^envoy-app-gw-[0-9a-f]{8}$/);
      expect(gw.metadata.labels).toMatchObject({
        team: 'a',
        'gateway.envoyproxy.io/owning-gateway-namespace': 'app',
      });
      expect(gw.metadata.ownerReferences).toEqual([
        expect.objectContaining({ kind: 'GatewayClass', uid: gc.metadata.uid }),
      ]);
      const [configMap] = (await managed('configmaps')).filter(
        (c) => c.metadata.name === gw.metadata.name,
      );
      const bootstrap = JSON.parse(configMap?.data?.['envoy.json'] ?? '{}') as {
        node: { id: string };
      };
      expect(bootstrap.node.id).toBe('app/gw');
      expect(JSON.stringify(bootstrap)).toContain(`envoy-gateway.${NS}.svc.cluster.local`);
      const services = await managed('services');
      const service = services.find((s) => s.metadata.name === gw.metadata.name) as Obj;
      expect(service.spec).toMatchObject({
        type: 'LoadBalancer',
        externalTrafficPolicy: 'Local',
        ports: [
          expect.objectContaining({
            name: 'http-80',
            port: 80,
            targetPort: 10080,
            protocol: 'TCP',
          }),
        ],
      });
      expect((await managed('serviceaccounts')).map((s) => s.metadata.name).sort()).toEqual(
        deployments.map((d) => d.metadata.name).sort(),
      );
      // Until a load balancer is provisioned (none here) a LoadBalancer Service has no address.
      expect(await manager.addresses(fleet('gw', [[80, 10080]]))).toEqual([]);

      // The Gateway gains a port and asks (through its EnvoyProxy) for an HPA, a PDB and a ClusterIP Service.
      const envoyProxy = {
        provider: {
          type: 'Kubernetes',
          kubernetes: {
            envoyHpa: { minReplicas: 2, maxReplicas: 5 },
            envoyPDB: { minAvailable: 1 },
            envoyService: { type: 'ClusterIP' },
            envoyDeployment: { container: { image: 'example.com/envoy:test' } },
          },
        },
        extraArgs: ['--service-zone', 'z1'],
      };
      await manager.apply({
        proxies: [
          fleet(
            'gw',
            [
              [80, 10080],
              [8080, 8080],
            ],
            envoyProxy,
          ),
          fleet('other', [[8443, 8443]]),
        ],
      });
      const updated = (await managed('services')).find(
        (s) => s.metadata.name === gw.metadata.name,
      ) as Obj;
      expect((updated.spec.ports as Array<{ port: number }>).map((p) => p.port)).toEqual([
        80, 8080,
      ]);
      expect(updated.spec.type).toBe('ClusterIP');
      const hpas = await managed('horizontalpodautoscalers', '/apis/autoscaling/v2');
      expect(hpas.map((h) => h.spec)).toEqual([
        expect.objectContaining({ minReplicas: 2, maxReplicas: 5 }),
      ]);
      expect(
        (await managed('poddisruptionbudgets', '/apis/policy/v1')).map((p) => p.metadata.name),
      ).toEqual([gw.metadata.name]);
      const deployment = (await managed('deployments', '/apis/apps/v1')).find(
        (d) => d.metadata.name === gw.metadata.name,
      ) as Obj;
      expect(JSON.stringify(deployment.spec)).toContain('example.com/envoy:test');
      // EnvoyProxy extraArgs after the arguments egts sets.
      const container = (
        deployment.spec as { template: { spec: { containers: { args: string[] }[] } } }
      ).template.spec.containers[0];
      expect(container?.args.slice(-2)).toEqual(['--service-zone', 'z1']);
      expect(await manager.addresses(fleet('gw', [[80, 10080]]))).toEqual([
        { type: 'IPAddress', value: expect.stringMatching(/^10\.96\.0\.\d+$/) },
      ]);

      // A DaemonSet instead of the Deployment: the Deployment goes.
      await manager.apply({
        proxies: [
          fleet('gw', [[80, 10080]], {
            provider: { type: 'Kubernetes', kubernetes: { envoyDaemonSet: {} } },
          }),
          fleet('other', [[8443, 8443]]),
        ],
      });
      expect((await managed('daemonsets', '/apis/apps/v1')).map((d) => d.metadata.name)).toEqual([
        gw.metadata.name,
      ]);
      expect(
        (await managed('deployments', '/apis/apps/v1')).map((d) => d.metadata.name),
      ).not.toContain(gw.metadata.name);

      // The HPA and PDB go when no longer asked for; every object of a removed Gateway goes.
      await manager.apply({ proxies: [fleet('gw', [[80, 10080]])] });
      expect(await managed('horizontalpodautoscalers', '/apis/autoscaling/v2')).toEqual([]);
      expect(await managed('poddisruptionbudgets', '/apis/policy/v1')).toEqual([]);
      for (const [plural, group] of [
        ['deployments', '/apis/apps/v1'],
        ['services', '/api/v1'],
        ['configmaps', '/api/v1'],
        ['serviceaccounts', '/api/v1'],
      ] as const) {
        expect((await managed(plural, group)).map((o) => o.metadata.name)).toEqual([
          gw.metadata.name,
        ]);
      }
      await manager.apply({ proxies: [] });
      expect(await managed('deployments', '/apis/apps/v1')).toEqual([]);
      expect(await managed('services')).toEqual([]);
    }, 120_000);
  },
);
