// `egts server` in Kubernetes mode against a real kube-apiserver + etcd (@egts/kube-testenv):
// statuses are written back, xDS follows a route edit, and the proxy infrastructure is created and
// deleted with its Gateway.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KubeTestEnv, kubeTestEnvUnavailable, startKubeTestEnv } from '@egts/kube-testenv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCli, runCli, startCli } from './runCli.js';

const unavailable = kubeTestEnvUnavailable();
if (unavailable) console.warn(`skipping egts server Kubernetes tests: ${unavailable}`);

const CONTROLLER_NAMESPACE = 'envoy-gateway-system';
const GW = 'gateway.networking.k8s.io/v1';

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

async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe.skipIf(unavailable !== undefined)('egts server (Kubernetes provider)', () => {
  let env: KubeTestEnv;
  let egts: RunningCli;

  const routeStatus = async () => {
    const res = await env.request('GET', `/apis/${GW}/namespaces/default/httproutes/app`);
    return res.json as {
      metadata: { generation: number };
      status?: {
        parents?: Array<{
          conditions: Array<{ type: string; status: string; observedGeneration: number }>;
        }>;
      };
    };
  };
  const served = async () => {
    const res = await fetch(`http://127.0.0.1:${egts.adminPort}/config_dump`);
    const dump = (await res.json()) as {
      gateways: Record<string, Record<string, Record<string, string>>>;
    };
    return dump.gateways['default/eg'];
  };
  const deployments = async (gateway = 'eg') => {
    const res = await env.request(
      'GET',
      `/apis/apps/v1/namespaces/${CONTROLLER_NAMESPACE}/deployments`,
    );
    return (
      res.json as {
        items: Array<{ metadata: { name: string; labels?: Record<string, string> } }>;
      }
    ).items.filter(
      (d) => d.metadata.labels?.['gateway.envoyproxy.io/owning-gateway-name'] === gateway,
    );
  };

  type GatewayStatus = {
    addresses?: Array<{ type: string; value: string }>;
    conditions?: Array<{ type: string; status: string; reason: string }>;
  };
  const gatewayStatus = async (name: string) => {
    const res = await env.request('GET', `/apis/${GW}/namespaces/default/gateways/${name}`);
    return (res.json as { status?: GatewayStatus }).status;
  };
  const condition = (status: GatewayStatus | undefined, type: string) =>
    status?.conditions?.find((c) => c.type === type);
  const proxyServices = async (gateway: string) => {
    const res = await env.request('GET', `/api/v1/namespaces/${CONTROLLER_NAMESPACE}/services`);
    return (
      res.json as {
        items: Array<{
          metadata: { name: string; labels?: Record<string, string> };
          spec: { type: string; clusterIP?: string };
        }>;
      }
    ).items.filter(
      (s) => s.metadata.labels?.['gateway.envoyproxy.io/owning-gateway-name'] === gateway,
    );
  };

  /** Marks a Gateway's proxy Deployment as having one available replica (its status subresource). */
  const makeAvailable = async (gateway: string) => {
    const deployment = await eventually(
      `the ${gateway} proxy Deployment`,
      async () => (await deployments(gateway))[0],
    );
    const res = await env.request(
      'PATCH',
      `/apis/apps/v1/namespaces/${CONTROLLER_NAMESPACE}/deployments/${deployment.metadata.name}/status`,
      { status: { replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 } },
      { 'content-type': 'application/merge-patch+json' },
    );
    expect(res.status).toBe(200);
  };

  /** A Gateway whose EnvoyProxy asks for a proxy Service of this type. */
  const applyGatewayWithService = (name: string, type: string, port: number) =>
    env.apply([
      {
        apiVersion: 'gateway.envoyproxy.io/v1alpha1',
        kind: 'EnvoyProxy',
        metadata: { name, namespace: 'default' },
        spec: { provider: { type: 'Kubernetes', kubernetes: { envoyService: { type } } } },
      },
      {
        apiVersion: GW,
        kind: 'Gateway',
        metadata: { name, namespace: 'default' },
        spec: {
          gatewayClassName: 'eg',
          infrastructure: {
            parametersRef: { group: 'gateway.envoyproxy.io', kind: 'EnvoyProxy', name },
          },
          listeners: [{ name: 'http', protocol: 'HTTP', port }],
        },
      },
    ]);

  beforeAll(async () => {
    env = await startKubeTestEnv();
    await env.apply([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: CONTROLLER_NAMESPACE } },
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
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'app', namespace: 'default' },
        spec: { ports: [{ name: 'http', port: 8080 }] },
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
        endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true } }],
        ports: [{ name: 'http', port: 8080 }],
      },
      route('/one'),
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'egts-k8s-'));
    const config = join(dir, 'envoy-gateway.yaml');
    writeFileSync(
      config,
      'apiVersion: gateway.envoyproxy.io/v1alpha1\nkind: EnvoyGateway\nprovider: {type: Kubernetes}\nadmin: {address: {host: 127.0.0.1, port: 0}}\n',
    );
    // xDS over mTLS with the certificates `egts certgen` makes (as the chart runs it).
    const certs = join(dir, 'certs');
    expect(runCli(['certgen', '--local', certs]).status).toBe(0);
    const args = ['server', '--config', config, '--xds-address', '127.0.0.1:0'];
    egts = await startCli([...args, '--xds-tls-dir', join(certs, 'envoy-gateway')], 60_000, {
      KUBECONFIG: env.kubeconfigPath,
      POD_NAMESPACE: CONTROLLER_NAMESPACE,
    });
  }, 180_000);

  afterAll(async () => {
    await egts?.stop();
    await env?.stop();
  });

  it('writes the route status and serves its Gateway over xDS', async () => {
    await eventually('the route Accepted', async () => {
      const status = await routeStatus();
      const accepted = status.status?.parents?.[0]?.conditions.find((c) => c.type === 'Accepted');
      return accepted?.status === 'True' ? accepted : undefined;
    });
    const routes = await eventually('the route configuration served', async () => {
      const gateway = await served();
      const routeConfigs =
        gateway?.['type.googleapis.com/envoy.config.route.v3.RouteConfiguration'];
      return routeConfigs && Object.keys(routeConfigs).length > 0 ? routeConfigs : undefined;
    });
    expect(Object.keys(routes)).toEqual(['default/eg/http']);
    // The status writer's updates, under Envoy Gateway's control plane metric names.
    const metric = (text: string, name: string, kind: string) =>
      Number(new RegExp(`^${name}\\{kind="${kind}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
    const text = await eventually('status updates counted', async () => {
      const body = await (await fetch(`http://127.0.0.1:${egts.adminPort}/metrics`)).text();
      return metric(body, 'status_update_success_total', 'HTTPRoute') > 0 ? body : undefined;
    });
    expect(metric(text, 'status_update_total', 'HTTPRoute')).toBeGreaterThanOrEqual(
      metric(text, 'status_update_success_total', 'HTTPRoute'),
    );
    expect(metric(text, 'status_update_total', 'Gateway')).toBeGreaterThan(0);
    expect(text).toMatch(/^status_update_duration_seconds_count\{kind="HTTPRoute"\} [1-9]/m);
  });

  it('creates the proxy Deployment for the Gateway', async () => {
    const found = await eventually('the proxy Deployment', async () =>
      (await deployments()).length > 0 ? true : undefined,
    );
    expect(found).toBe(true);
  });

  it('takes the Gateway addresses from its proxy Service (GEP-1651)', async () => {
    // No cloud controller here: the LoadBalancer Service has no address yet.
    await eventually('Programmed False, AddressNotAssigned', async () => {
      const status = await gatewayStatus('eg');
      const programmed = condition(status, 'Programmed');
      return programmed?.status === 'False' &&
        programmed.reason === 'AddressNotAssigned' &&
        status?.addresses?.length === 0
        ? true
        : undefined;
    });
    // The Gateway's status can be written before the proxy Service is created: wait for it.
    const service = await eventually(
      'the proxy Service',
      async () => (await proxyServices('eg'))[0],
    );
    expect(service.spec.type).toBe('LoadBalancer');
    // What a cloud controller does once the load balancer is up: write the Service's status.
    const patched = await env.request(
      'PATCH',
      `/api/v1/namespaces/${CONTROLLER_NAMESPACE}/services/${service?.metadata.name}/status`,
      { status: { loadBalancer: { ingress: [{ ip: '192.0.2.10' }, { hostname: 'lb.example' }] } } },
      { 'content-type': 'application/merge-patch+json' },
    );
    expect(patched.status).toBe(200);
    // Addressed, but no proxy replica is available yet (no kubelet here).
    const status = await eventually('the load balancer addresses', async () => {
      const status = await gatewayStatus('eg');
      return status?.addresses?.length ? status : undefined;
    });
    expect(status?.addresses).toEqual([
      { type: 'IPAddress', value: '192.0.2.10' },
      { type: 'Hostname', value: 'lb.example' },
    ]);
    expect(condition(status, 'Programmed')).toMatchObject({
      status: 'False',
      reason: 'NoResources',
    });
    // What the Deployment controller reports once a pod is ready.
    await makeAvailable('eg');
    const programmed = await eventually('Programmed', async () => {
      const programmed = condition(await gatewayStatus('eg'), 'Programmed');
      return programmed?.status === 'True' ? programmed : undefined;
    });
    expect(programmed).toMatchObject({
      reason: 'Programmed',
      message: 'Address assigned to the Gateway, 1/1 envoy replicas available.',
    });
  });

  it('gives a ClusterIP proxy Service its cluster IP as the Gateway address', async () => {
    await applyGatewayWithService('internal', 'ClusterIP', 8080);
    const service = await eventually('the ClusterIP proxy Service', async () => {
      const [service] = await proxyServices('internal');
      return service?.spec.type === 'ClusterIP' ? service : undefined;
    });
    expect(service.spec.clusterIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    await makeAvailable('internal');
    const status = await eventually('the cluster IP in the Gateway status', async () => {
      const status = await gatewayStatus('internal');
      return condition(status, 'Programmed')?.status === 'True' ? status : undefined;
    });
    expect(status?.addresses).toEqual([{ type: 'IPAddress', value: service.spec.clusterIP }]);
  });

  it("gives a NodePort proxy Service the nodes' addresses", async () => {
    // A Node as a kubelet registers it (none runs here), with its addresses in its status.
    const node = await env.request('POST', '/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'node-1' },
    });
    expect(node.status).toBe(201);
    const addressed = await env.request(
      'PATCH',
      '/api/v1/nodes/node-1/status',
      {
        status: {
          addresses: [
            { type: 'InternalIP', address: '10.0.0.7' },
            { type: 'ExternalIP', address: '203.0.113.7' },
            { type: 'Hostname', address: 'node-1' },
          ],
        },
      },
      { 'content-type': 'application/merge-patch+json' },
    );
    expect(addressed.status).toBe(200);
    await applyGatewayWithService('nodeport', 'NodePort', 8081);
    await eventually('the NodePort proxy Service', async () => {
      const [service] = await proxyServices('nodeport');
      return service?.spec.type === 'NodePort' ? service : undefined;
    });
    await makeAvailable('nodeport');
    const status = await eventually("the node's address in the Gateway status", async () => {
      const status = await gatewayStatus('nodeport');
      return condition(status, 'Programmed')?.status === 'True' ? status : undefined;
    });
    expect(status?.addresses).toEqual([{ type: 'IPAddress', value: '203.0.113.7' }]);
  });

  it('follows a route edit in status and xDS', async () => {
    const before = (await served())?.[
      'type.googleapis.com/envoy.config.route.v3.RouteConfiguration'
    ]?.['default/eg/http'];
    await env.apply([route('/two')]);
    await eventually('observedGeneration 2', async () => {
      const status = await routeStatus();
      const accepted = status.status?.parents?.[0]?.conditions.find((c) => c.type === 'Accepted');
      return accepted?.observedGeneration === 2 ? true : undefined;
    });
    const after = await eventually('a new route configuration version', async () => {
      const version = (await served())?.[
        'type.googleapis.com/envoy.config.route.v3.RouteConfiguration'
      ]?.['default/eg/http'];
      return version !== undefined && version !== before ? version : undefined;
    });
    expect(after).not.toBe(before);
  });

  it('deletes the proxy Deployment with its Gateway', async () => {
    await env.request('DELETE', `/apis/${GW}/namespaces/default/gateways/eg`);
    await eventually('the proxy Deployment gone', async () =>
      (await deployments()).length === 0 ? true : undefined,
    );
  });
});
