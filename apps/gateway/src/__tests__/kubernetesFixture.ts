// Shared by the Kubernetes-mode e2e tests against a real kube-apiserver, with real Envoy as the
// proxy (no kubelet here: Envoy runs with the proxy's node name): a backend on this host's own
// address behind Service `app`, egts in Kubernetes mode, the proxy, and polling until a
// condition holds.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { type EnvoyHandle, startEnvoy } from '@egts/envoy-binary';
import { proxyBootstrap } from '@egts/infra-manager';
import { type KubeTestEnv, kubeTestEnvUnavailable, startKubeTestEnv } from '@egts/kube-testenv';
import { KubeConfig } from '@kubernetes/client-node';
import { createLogging } from '../logging.js';
import type { RunningGateway } from '../run/gatewayOptions.js';
import { runKubernetesGateway } from '../run/kubernetesGateway.js';

const GW = 'gateway.networking.k8s.io/v1';
/** Where egts runs and keeps its fleets' resources. */
export const CONTROLLER_NAMESPACE = 'envoy-gateway-system';

// The API server refuses loopback endpoints, so the backend listens on this host's own address.
const hostIp = Object.values(networkInterfaces())
  .flat()
  .find((a) => a?.family === 'IPv4' && !a.internal)?.address;

/** Why these tests cannot run on this machine, or undefined when they can. */
export const kubernetesUnavailable =
  kubeTestEnvUnavailable() ?? (hostIp ? undefined : 'no non-loopback IPv4 address for a backend');

/** Polls `check` until it gives a value (an error counts as none); fails naming `what`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 90_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
  lastTransitionTime?: string;
}

/** The conditions on Gateway default/`name` as the API server stores them. */
export const gatewayConditions = async (env: KubeTestEnv, name: string): Promise<Condition[]> => {
  const res = await env.request('GET', `/apis/${GW}/namespaces/default/gateways/${name}`);
  return (res.json as { status?: { conditions?: Condition[] } }).status?.conditions ?? [];
};

/** A real kube-apiserver (and etcd) and a client configuration for it. */
export const startKubernetes = async (): Promise<{ env: KubeTestEnv; kubeConfig: KubeConfig }> => {
  const env = await startKubeTestEnv();
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(env.kubeconfig);
  return { env, kubeConfig };
};

/**
 * An HTTP backend on this host's address answering `{"backend":"app"}`, and the resources that
 * reach it: Service default/app (port 8080) and its EndpointSlice.
 */
export const startAppBackend = async (): Promise<{
  backend: Server;
  resources: Record<string, unknown>[];
}> => {
  const backend = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ backend: 'app' }));
  });
  await new Promise<void>((resolve) => backend.listen(0, hostIp, resolve));
  const backendPort = (backend.address() as AddressInfo).port;
  const resources = [
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
  ];
  return { backend, resources };
};

/** egts in Kubernetes mode against `kubeConfig`, watching every namespace, on local ports. */
export const runGatewayAgainst = (kubeConfig: KubeConfig): Promise<RunningGateway> =>
  runKubernetesGateway({
    kubeConfig,
    controllerName: 'gateway.envoyproxy.io/gatewayclass-controller',
    namespace: CONTROLLER_NAMESPACE,
    watch: { type: 'all' },
    xds: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0 },
    xdsService: { host: '127.0.0.1', port: 18000 },
    wasmPort: 0,
    logging: createLogging({ default: 'warn' }),
  });

/**
 * Envoy as the pod of proxy `proxyName` would run it (Delta ADS to egts's xDS port), ready; stopped
 * again if it never gets ready.
 */
export const startProxy = async (proxyName: string, xdsPort: number): Promise<EnvoyHandle> => {
  const envoy = startEnvoy({
    config: proxyBootstrap({ proxyName, xds: { host: '127.0.0.1', port: xdsPort } }),
  });
  try {
    await envoy.ready(90_000);
  } catch (error) {
    await envoy.stop();
    throw error;
  }
  return envoy;
};

/** Stops what a test started, last started first; any may be missing after a failed start. */
export const stopAll = async (running: {
  envoy?: EnvoyHandle | undefined;
  gateway?: RunningGateway | undefined;
  backend?: Server | undefined;
  env?: KubeTestEnv | undefined;
}): Promise<void> => {
  await running.envoy?.stop();
  await running.gateway?.close();
  running.backend?.close();
  await running.env?.stop();
};
