// Kubernetes mode against a real kube-apiserver + etcd (@egts/kube-testenv): a fleet's objects are
// created, updated with its Gateway, extended with HPA/PDB when asked, and deleted when it goes.
// No kubelet runs here: the objects are checked, not the pods; the scheduler's part, binding a
// pod to a node, is played by the test, through egts's topology injector (a real webhook call).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCertificates } from '@egts/certgen';
import type { InfraIR, ProxyInfra } from '@egts/ir';
import { type KubeTestEnv, kubeTestEnvUnavailable, startKubeTestEnv } from '@egts/kube-testenv';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiServerLookup,
  createKubernetesInfraManager,
  createTopologyInjector,
  type KubernetesInfraManager,
  type ObjectWrite,
  type ProxyPod,
  TOPOLOGY_INJECTOR_PATH,
  type TopologyInjector,
  type TopologyOutcome,
  topologyWebhookConfiguration,
  withZonelessProxies,
} from '../index.js';

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
    /** Every object write reported (Envoy Gateway's resource_apply/resource_delete metrics). */
    const writes: ObjectWrite[] = [];
    let injector: TopologyInjector;
    let injectorPort: number;
    let certDir: string;
    const outcomes: TopologyOutcome[] = [];

    beforeAll(async () => {
      // Default feature gates: PodTopologyLabelsAdmission (KEP-4742) is off in kube-apiserver
      // 1.34, so the API server copies no zone onto a pod by itself; egts's topology injector does.
      env = await startKubeTestEnv();
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromString(env.kubeconfig);
      // The injector's serving certificate as certgen issues it, here for 127.0.0.1: the API
      // server calls the webhook at a URL on loopback, verifying it against the caBundle.
      const certs = generateCertificates({ namespace: NS, extraServerNames: ['127.0.0.1'] });
      certDir = await mkdtemp(join(tmpdir(), 'egts-injector-'));
      await writeFile(join(certDir, 'tls.crt'), certs.envoyGateway.cert);
      await writeFile(join(certDir, 'tls.key'), certs.envoyGateway.key);
      injector = createTopologyInjector({
        lookup: apiServerLookup(kubeConfig),
        tls: { certFile: join(certDir, 'tls.crt'), keyFile: join(certDir, 'tls.key') },
        host: '127.0.0.1',
        port: 0,
        onOutcome: (outcome) => outcomes.push(outcome),
      });
      injectorPort = await injector.listen();
      await env.apply([
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
        {
          apiVersion: 'gateway.networking.k8s.io/v1',
          kind: 'GatewayClass',
          metadata: { name: 'egts' },
          spec: { controllerName: 'gateway.envoyproxy.io/gatewayclass-controller' },
        },
      ]);
      await env.apply([
        topologyWebhookConfiguration({
          name: `envoy-gateway-topology-injector.${NS}`,
          namespaces: [NS],
          clientConfig: {
            url: `https://127.0.0.1:${injectorPort}${TOPOLOGY_INJECTOR_PATH}`,
            caBundle: Buffer.from(certs.ca).toString('base64'),
          },
        }),
      ]);
      manager = createKubernetesInfraManager({
        kubeConfig,
        xds: { host: `envoy-gateway.${NS}.svc.cluster.local`, port: 18000 },
        onObject: (write) => writes.push(write),
      });
    }, 180_000);

    afterAll(async () => {
      await injector?.close();
      await env?.stop();
      if (certDir) await rm(certDir, { recursive: true, force: true });
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
      // Each write was reported: the objects applied, and the Deployment deleted.
      const write = (operation: string, kind: string) =>
        writes.find(
          (w) =>
            w.operation === operation &&
            w.kind === kind &&
            w.name === gw.metadata.name &&
            w.namespace === NS,
        );
      expect(write('apply', 'Deployment')).toMatchObject({ ok: true });
      expect(write('apply', 'DaemonSet')).toMatchObject({ ok: true });
      expect(write('delete', 'Deployment')).toMatchObject({ ok: true });
      expect(writes.every((w) => w.seconds >= 0)).toBe(true);

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

    it('lays the EnvoyProxy Kubernetes provider settings onto the objects as the API server stores them', async () => {
      const provider = (kubernetes: Record<string, unknown>) => ({
        provider: { type: 'Kubernetes', kubernetes },
      });
      const rich = fleet('rich', [[80, 10080]], RICH_PROVIDER);
      const scaled = fleet('scaled', [[80, 10080]], provider(SCALED_PROVIDER));
      const daemon = fleet('daemon', [[80, 10080]], provider(DAEMON_PROVIDER));
      await manager.apply({ proxies: [rich, scaled, daemon] });

      const deployments = await managed('deployments', '/apis/apps/v1');
      const deployment = deployments.find((d) => d.metadata.name === 'custom-envoy') as Obj;
      expect(deployment.spec).toMatchObject({
        replicas: 2,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      });
      const template = deployment.spec.template as PodTemplate;
      expect(template.metadata.labels).toMatchObject({ tier: 'edge', team: 'a' });
      expect(template.metadata.annotations).toMatchObject({ 'example.com/scrape': 'true' });
      expect(template.spec).toMatchObject({
        serviceAccountName: 'custom-sa',
        securityContext: { fsGroup: 1000 },
        affinity: POD.affinity,
        tolerations: POD.tolerations,
        imagePullSecrets: [{ name: 'registry' }],
        nodeSelector: { 'kubernetes.io/os': 'linux' },
        topologySpreadConstraints: POD.topologySpreadConstraints,
        priorityClassName: 'system-cluster-critical',
        initContainers: [expect.objectContaining({ name: 'init', image: 'busybox:1.36' })],
        // The strategic merge patch: a pod field added, the envoy container merged by name.
        dnsPolicy: 'ClusterFirstWithHostNet',
      });
      expect(template.spec.volumes.map((v) => v.name)).toEqual(['config', 'certs', 'extra']);
      const [envoy] = template.spec.containers;
      expect(template.spec.containers).toHaveLength(1);
      expect(envoy).toMatchObject({
        name: 'envoy',
        image: 'mirror.example.com/envoy:distroless-v1.36.2',
        env: [
          { name: 'ENVOY_MODE', value: 'edge' },
          { name: 'PATCHED', value: 'yes' },
        ],
        resources: { requests: { cpu: '150m', memory: '128Mi' }, limits: { memory: '256Mi' } },
        securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false },
      });
      expect(envoy?.volumeMounts.map((m) => m.mountPath)).toEqual(['/config', '/certs', '/extra']);
      expect(envoy?.args).toContain('--config-path');

      const services = await managed('services');
      const service = services.find((s) => s.metadata.name === 'custom-svc') as Obj & {
        metadata: { annotations: Record<string, string> };
      };
      expect(service.metadata.labels).toMatchObject({ exposure: 'public', team: 'a' });
      expect(service.metadata.annotations).toMatchObject({
        'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb',
      });
      expect(service.spec).toMatchObject({
        type: 'LoadBalancer',
        loadBalancerClass: 'example.com/lb',
        allocateLoadBalancerNodePorts: false,
        loadBalancerSourceRanges: ['10.0.0.0/8'],
        loadBalancerIP: '203.0.113.10',
        externalTrafficPolicy: 'Cluster',
        // The JSON merge patch.
        sessionAffinity: 'ClientIP',
      });
      expect((await managed('serviceaccounts')).map((a) => a.metadata.name)).toContain('custom-sa');
      const pdbs = await managed('poddisruptionbudgets', '/apis/policy/v1');
      expect(pdbs.map((p) => [p.metadata.name, p.spec.maxUnavailable])).toEqual([
        ['custom-pdb', 1],
      ]);
      expect(pdbs[0]?.spec.unhealthyPodEvictionPolicy).toBe('AlwaysAllow');

      const hpas = await managed('horizontalpodautoscalers', '/apis/autoscaling/v2');
      expect(hpas).toHaveLength(1);
      expect(hpas[0]?.metadata.name).toBe('custom-hpa');
      expect(hpas[0]?.spec).toMatchObject({
        minReplicas: 2,
        maxReplicas: 4,
        metrics: SCALED_PROVIDER.envoyHpa.metrics,
        behavior: { scaleDown: { stabilizationWindowSeconds: 120 } },
        scaleTargetRef: { kind: 'Deployment', name: 'scaled-envoy' },
      });
      expect(hpas[0]?.metadata).toMatchObject({ annotations: { 'example.com/patched': 'yes' } });
      const scaledDeployment = deployments.find((d) => d.metadata.name === 'scaled-envoy') as Obj;
      // The autoscaler owns the replica count; the API server defaults an unset one to 1.
      expect(scaledDeployment.spec.replicas).toBe(1);

      const daemonSets = await managed('daemonsets', '/apis/apps/v1');
      expect(daemonSets.map((d) => d.metadata.name)).toEqual(['edge-envoy']);
      const daemonSet = daemonSets[0] as Obj;
      expect(daemonSet.spec.updateStrategy).toEqual({
        type: 'RollingUpdate',
        rollingUpdate: { maxUnavailable: 2, maxSurge: 0 },
      });
      const daemonPod = (daemonSet.spec.template as PodTemplate).spec;
      expect(daemonPod).toMatchObject({
        hostNetwork: true,
        nodeSelector: { role: 'edge' },
        containers: [expect.objectContaining({ resources: { requests: { cpu: '1' } } })],
      });

      // Custom names are cleaned up like generated ones when the Gateway goes.
      await manager.apply({ proxies: [] });
      for (const [plural, group] of [
        ['deployments', '/apis/apps/v1'],
        ['daemonsets', '/apis/apps/v1'],
        ['services', '/api/v1'],
        ['serviceaccounts', '/api/v1'],
        ['poddisruptionbudgets', '/apis/policy/v1'],
        ['horizontalpodautoscalers', '/apis/autoscaling/v2'],
      ] as const)
        expect(await managed(plural, group)).toEqual([]);
    }, 120_000);

    it('gives zone-aware pods their node zone as Envoy locality (through the topology injector) and names the local cluster', async () => {
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromString(env.kubeconfig);
      const zoned = createKubernetesInfraManager({
        kubeConfig,
        xds: { host: `envoy-gateway.${NS}.svc.cluster.local`, port: 18000 },
        zoneAware: true,
      });
      await zoned.apply({ proxies: [fleet('zoned', [[80, 10080]])] });
      const [deployment] = (await managed('deployments', '/apis/apps/v1')) as unknown as {
        spec: {
          template: {
            metadata: { labels: Record<string, string> };
            spec: {
              containers: { args: string[]; env?: Record<string, unknown>[] }[];
            } & Record<string, unknown>;
          };
        };
      }[];
      const template = deployment?.spec.template;
      const envoy = template?.spec.containers[0];
      // The kubelet expands $(ENVOY_SERVICE_ZONE) in args from the pod's zone annotation.
      expect(envoy?.args).toEqual(
        expect.arrayContaining(['--service-zone', '$(ENVOY_SERVICE_ZONE)']),
      );
      expect(envoy?.env).toContainEqual({
        name: 'ENVOY_SERVICE_ZONE',
        valueFrom: {
          fieldRef: {
            apiVersion: 'v1',
            fieldPath: "metadata.annotations['topology.kubernetes.io/zone']",
          },
        },
      });
      const [configMap] = await managed('configmaps');
      const bootstrap = JSON.parse(configMap?.data?.['envoy.json'] ?? '{}') as {
        clusterManager?: { localClusterName?: string };
        staticResources: { clusters: { name: string }[] };
      };
      // The local cluster's endpoints come over EDS (the fleet's Service endpoints by zone).
      expect(bootstrap.clusterManager?.localClusterName).toBe('local_cluster');
      expect(bootstrap.staticResources.clusters).toContainEqual(
        expect.objectContaining({
          name: 'local_cluster',
          type: 'EDS',
          edsClusterConfig: expect.objectContaining({ serviceName: 'local_cluster' }),
        }),
      );

      // What the scheduler does with its pods: bind them to a node in zone-a (pods/binding). The API
      // server asks the topology injector, which adds the node's zone to the Binding's annotations;
      // the API server copies them onto the pod, where the ENVOY_SERVICE_ZONE fieldRef reads it.
      await env.apply([
        {
          apiVersion: 'v1',
          kind: 'Node',
          metadata: { name: 'node-a', labels: { 'topology.kubernetes.io/zone': 'zone-a' } },
        },
        { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-unzoned' } },
      ]);
      const zoneVariable = envoy?.env?.find((v) => v.name === 'ENVOY_SERVICE_ZONE') as
        | { valueFrom: { fieldRef: { fieldPath: string } } }
        | undefined;
      const zoneKey = /^metadata\.annotations\['(.+)'\]$/.exec(
        zoneVariable?.valueFrom.fieldRef.fieldPath ?? '',
      )?.[1];
      expect(zoneKey).toBe('topology.kubernetes.io/zone');
      type Pod = {
        metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
        spec: { nodeName?: string };
      };
      let made = 0;
      const bind = async (node: string, labels: Record<string, string>): Promise<Pod> => {
        const name = `zoned-pod-${made++}`;
        const created = await env.request('POST', `/api/v1/namespaces/${NS}/pods`, {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name, labels },
          spec: template?.spec,
        });
        expect(created.status, created.text).toBe(201);
        const bound = await env.request('POST', `/api/v1/namespaces/${NS}/pods/${name}/binding`, {
          apiVersion: 'v1',
          kind: 'Binding',
          metadata: { name },
          target: { apiVersion: 'v1', kind: 'Node', name: node },
        });
        expect(bound.status, bound.text).toBe(201);
        const pod = (await env.request('GET', `/api/v1/namespaces/${NS}/pods/${name}`)).json as Pod;
        expect(pod.spec.nodeName).toBe(node);
        return pod;
      };
      // The API server picks up a new webhook configuration asynchronously (its informer): until it
      // does, a pod is bound without a call. Each try is a new pod, as a pod is bound once.
      const deadline = Date.now() + 90_000;
      let pod = await bind('node-a', template?.metadata.labels ?? {});
      while (pod.metadata.annotations?.[zoneKey ?? ''] === undefined && Date.now() < deadline) {
        // Gone at once (no kubelet to confirm a graceful deletion), so only the pods below count.
        await env.request('DELETE', `/api/v1/namespaces/${NS}/pods/zoned-pod-${made - 1}`, {
          gracePeriodSeconds: 0,
        });
        await new Promise((done) => setTimeout(done, 500));
        pod = await bind('node-a', template?.metadata.labels ?? {});
      }
      expect(pod.metadata.annotations?.[zoneKey ?? '']).toBe('zone-a');
      expect(outcomes).toContainEqual(
        expect.objectContaining({ type: 'injected', zone: 'zone-a' }),
      );
      // Without the gate the API server itself copied nothing: the zone is the injector's.
      expect(pod.metadata.labels?.['topology.kubernetes.io/zone']).toBeUndefined();

      // Other pods, and nodes without a zone, are left alone (the binding still succeeds).
      const other = await bind('node-a', { app: 'web' });
      expect(other.metadata.annotations?.[zoneKey ?? '']).toBeUndefined();
      const unzoned = await bind('node-unzoned', template?.metadata.labels ?? {});
      expect(unzoned.metadata.annotations?.[zoneKey ?? '']).toBeUndefined();
      expect(outcomes).toContainEqual(
        expect.objectContaining({ type: 'skipped', reason: 'not a proxy pod' }),
      );

      // With the injector down, binding goes on (failurePolicy Ignore) and the pod has no zone.
      await injector.close();
      const unserved = await bind('node-a', template?.metadata.labels ?? {});
      expect(unserved.metadata.annotations?.[zoneKey ?? '']).toBeUndefined();

      // Pods without a zone are reported on the preferLocal policies of their Gateway, not Accepted.
      const proxyPods = (
        await env.request(
          'GET',
          `/api/v1/namespaces/${NS}/pods?labelSelector=${encodeURIComponent('app.kubernetes.io/component=proxy')}`,
        )
      ).json as { items: ProxyPod[] };
      const [reported] = withZonelessProxies(
        [
          {
            apiVersion: 'gateway.envoyproxy.io/v1alpha1',
            kind: 'BackendTrafficPolicy',
            metadata: { name: 'prefer', namespace: 'app' },
            status: {
              ancestors: [
                {
                  ancestorRef: { kind: 'Gateway', name: 'zoned', namespace: 'app' },
                  conditions: [
                    { type: 'Accepted', status: 'True', reason: 'Accepted', message: '' },
                  ],
                },
              ],
            },
          },
        ],
        { proxies: [fleet('zoned', [[80, 10080]])] },
        proxyPods.items,
        [
          {
            metadata: { name: 'prefer', namespace: 'app' },
            spec: { loadBalancer: { zoneAware: { preferLocal: {} } } },
          },
        ],
        'annotation',
      );
      const condition = (
        (reported?.status.ancestors ?? []) as {
          conditions: { status: string; message: string }[];
        }[]
      )[0]?.conditions[0];
      expect(condition?.status).toBe('False');
      expect(condition?.message).toMatch(
        /^spec\.loadBalancer\.zoneAware\.preferLocal is not applied: 2 of 3 proxy pods of Gateway app\/zoned have no zone/,
      );

      for (let i = 0; i < made; i++)
        await env.request('DELETE', `/api/v1/namespaces/${NS}/pods/zoned-pod-${i}`);
      await zoned.apply({ proxies: [] });

      // Where no injector runs, the pods read the label the API server copies with
      // PodTopologyLabelsAdmission instead.
      const labelled = createKubernetesInfraManager({
        kubeConfig,
        xds: { host: `envoy-gateway.${NS}.svc.cluster.local`, port: 18000 },
        zoneAware: true,
        zoneFrom: 'label',
      });
      await labelled.apply({ proxies: [fleet('labelled', [[80, 10080]])] });
      const labelledDeployment = (
        (await managed('deployments', '/apis/apps/v1')) as unknown as {
          metadata: { labels: Record<string, string> };
          spec: { template: { spec: { containers: { env?: Record<string, unknown>[] }[] } } };
        }[]
      ).find((d) => d.metadata.labels['gateway.envoyproxy.io/owning-gateway-name'] === 'labelled');
      expect(labelledDeployment?.spec.template.spec.containers[0]?.env).toContainEqual({
        name: 'ENVOY_SERVICE_ZONE',
        valueFrom: {
          fieldRef: {
            apiVersion: 'v1',
            fieldPath: "metadata.labels['topology.kubernetes.io/zone']",
          },
        },
      });
      await labelled.apply({ proxies: [] });
    }, 180_000);
  },
);

type PodTemplate = {
  metadata: { labels: Record<string, string>; annotations: Record<string, string> };
  spec: {
    volumes: Array<{ name: string }>;
    containers: Array<{ volumeMounts: Array<{ mountPath: string }>; args: string[] }>;
  } & Record<string, unknown>;
};

const POD = {
  annotations: { 'example.com/scrape': 'true' },
  labels: { tier: 'edge' },
  securityContext: { fsGroup: 1000 },
  affinity: {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] },
        ],
      },
    },
  },
  tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'edge', effect: 'NoSchedule' }],
  volumes: [{ name: 'extra', emptyDir: {} }],
  imagePullSecrets: [{ name: 'registry' }],
  nodeSelector: { 'kubernetes.io/os': 'linux' },
  topologySpreadConstraints: [
    {
      maxSkew: 1,
      topologyKey: 'kubernetes.io/hostname',
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels: { tier: 'edge' } },
    },
  ],
  priorityClassName: 'system-cluster-critical',
};

/** Every envoyDeployment, envoyService, envoyPDB and envoyServiceAccount setting at once. */
const RICH_PROVIDER = {
  provider: {
    type: 'Kubernetes',
    kubernetes: {
      envoyDeployment: {
        name: 'custom-envoy',
        replicas: 2,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        container: {
          imageRepository: 'mirror.example.com/envoy',
          env: [{ name: 'ENVOY_MODE', value: 'edge' }],
          resources: { requests: { cpu: '150m', memory: '128Mi' }, limits: { memory: '256Mi' } },
          securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false },
          volumeMounts: [{ name: 'extra', mountPath: '/extra' }],
        },
        pod: POD,
        initContainers: [{ name: 'init', image: 'busybox:1.36', command: ['true'] }],
        patch: {
          type: 'StrategicMerge',
          value: {
            spec: {
              template: {
                spec: {
                  dnsPolicy: 'ClusterFirstWithHostNet',
                  containers: [{ name: 'envoy', env: [{ name: 'PATCHED', value: 'yes' }] }],
                },
              },
            },
          },
        },
      },
      envoyService: {
        name: 'custom-svc',
        annotations: { 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb' },
        labels: { exposure: 'public' },
        type: 'LoadBalancer',
        loadBalancerClass: 'example.com/lb',
        allocateLoadBalancerNodePorts: false,
        loadBalancerSourceRanges: ['10.0.0.0/8'],
        loadBalancerIP: '203.0.113.10',
        externalTrafficPolicy: 'Cluster',
        patch: { type: 'JSONMerge', value: { spec: { sessionAffinity: 'ClientIP' } } },
      },
      envoyPDB: {
        name: 'custom-pdb',
        maxUnavailable: 1,
        patch: { value: { spec: { unhealthyPodEvictionPolicy: 'AlwaysAllow' } } },
      },
      envoyServiceAccount: { name: 'custom-sa' },
    },
  },
};

const SCALED_PROVIDER = {
  envoyDeployment: { name: 'scaled-envoy' },
  envoyHpa: {
    name: 'custom-hpa',
    minReplicas: 2,
    maxReplicas: 4,
    metrics: [
      {
        type: 'Resource',
        resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 70 } },
      },
    ],
    behavior: { scaleDown: { stabilizationWindowSeconds: 120 } },
    patch: { value: { metadata: { annotations: { 'example.com/patched': 'yes' } } } },
  },
};

const DAEMON_PROVIDER = {
  envoyDaemonSet: {
    name: 'edge-envoy',
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2, maxSurge: 0 } },
    container: { resources: { requests: { cpu: '1' } } },
    pod: { nodeSelector: { role: 'edge' } },
    patch: { type: 'JSONMerge', value: { spec: { template: { spec: { hostNetwork: true } } } } },
  },
};
