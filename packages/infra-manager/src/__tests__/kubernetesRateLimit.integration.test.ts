// Kubernetes mode's rate limit service against a real kube-apiserver + etcd (@egts/kube-testenv):
// its ServiceAccount, Deployment and Service are created while the EnvoyGateway config enables
// rate limiting, updated when the Redis changes, left alone by the proxies' garbage collection,
// and deleted when rate limiting is no longer configured. No kubelet runs: objects are checked.
import type { InfraIR } from '@egts/ir';
import { type KubeTestEnv, kubeTestEnvUnavailable, startKubeTestEnv } from '@egts/kube-testenv';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CERTIFICATES_ANNOTATION,
  createKubernetesInfraManager,
  createKubernetesRateLimitManager,
  DEFAULT_RATE_LIMIT_IMAGE,
  type KubernetesRateLimitManager,
} from '../index.js';

const unavailable = kubeTestEnvUnavailable();
if (unavailable) console.warn(`skipping the Kubernetes rate limit service test: ${unavailable}`);

const NS = 'envoy-gateway-system';

interface Deployment {
  spec: {
    template: {
      metadata?: { annotations?: Record<string, string> };
      spec: {
        containers: { image: string; env: { name: string; value: string }[] }[];
        volumes: { secret?: { secretName: string } }[];
      };
    };
  };
}

describe.skipIf(unavailable !== undefined)(
  'Kubernetes rate limit service against a real API server (integration)',
  () => {
    let env: KubeTestEnv;
    let kubeConfig: KubeConfig;
    let manager: KubernetesRateLimitManager;

    beforeAll(async () => {
      env = await startKubeTestEnv();
      kubeConfig = new KubeConfig();
      kubeConfig.loadFromString(env.kubeconfig);
      await env.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }]);
      manager = createKubernetesRateLimitManager({
        kubeConfig,
        namespace: NS,
        xds: { host: `envoy-gateway.${NS}.svc.cluster.local`, port: 18000 },
      });
    }, 180_000);

    afterAll(async () => {
      await env?.stop();
    });

    const get = async (path: string) => env.request('GET', `${path}/envoy-ratelimit`);
    const envOf = (deployment: Deployment) =>
      Object.fromEntries(
        (deployment.spec.template.spec.containers[0]?.env ?? []).map((e) => [e.name, e.value]),
      );

    it('creates, updates and deletes the Deployment, Service and ServiceAccount', async () => {
      await manager.apply({ redisUrl: 'redis.redis-system.svc.cluster.local:6379' });
      const deployment = (await get(`/apis/apps/v1/namespaces/${NS}/deployments`))
        .json as Deployment;
      expect(envOf(deployment)).toMatchObject({
        REDIS_URL: 'redis.redis-system.svc.cluster.local:6379',
        CONFIG_TYPE: 'GRPC_XDS_SOTW',
        CONFIG_GRPC_XDS_NODE_ID: 'envoy-ratelimit',
        CONFIG_GRPC_XDS_SERVER_URL: `envoy-gateway.${NS}.svc.cluster.local:18000`,
        // Proxies ask over mTLS: the service's certificate and the CA of their client ones.
        GRPC_SERVER_USE_TLS: 'true',
        GRPC_SERVER_TLS_CERT: '/certs/tls.crt',
        GRPC_CLIENT_TLS_CACERT: '/certs/ca.crt',
      });
      expect(deployment.spec.template.spec.containers[0]?.image).toBe(DEFAULT_RATE_LIMIT_IMAGE);
      expect(deployment.spec.template.spec.volumes).toEqual([
        expect.objectContaining({
          secret: expect.objectContaining({ secretName: 'envoy-rate-limit' }),
        }),
      ]);
      const service = (await get(`/api/v1/namespaces/${NS}/services`)).json as {
        spec: { type: string; ports: { name: string; port: number }[] };
      };
      expect(service.spec.type).toBe('ClusterIP');
      expect(service.spec.ports).toContainEqual(
        expect.objectContaining({ name: 'grpc', port: 8081 }),
      );
      expect((await get(`/api/v1/namespaces/${NS}/serviceaccounts`)).status).toBe(200);
      expect(manager.address).toEqual({
        host: `envoy-ratelimit.${NS}.svc.cluster.local`,
        port: 8081,
      });
      // The proxies present the certificate of their own pods' SDS files.
      expect(manager.proxyTls?.certificate.path).toBe('/config/xds-certificate.json');

      // The proxies' manager collects only proxy objects: the service stays.
      const proxies = createKubernetesInfraManager({
        kubeConfig,
        xds: { host: `envoy-gateway.${NS}.svc.cluster.local`, port: 18000 },
      });
      const noProxies: InfraIR = { proxies: [] };
      await proxies.apply({
        proxies: [
          {
            name: 'app/gw',
            namespace: NS,
            owner: { gatewayClass: 'egts', gatewayNamespace: 'app', gatewayName: 'gw' },
            labels: {},
            annotations: {},
            listeners: [
              {
                name: 'app/gw/http',
                ports: [
                  { name: 'http-80', protocol: 'HTTP', servicePort: 80, containerPort: 10080 },
                ],
              },
            ],
            addresses: [],
          },
        ],
      });
      await proxies.apply(noProxies);
      expect((await get(`/apis/apps/v1/namespaces/${NS}/deployments`)).status).toBe(200);

      await manager.apply({ redisUrl: 'redis-2.redis-system.svc.cluster.local:6379' });
      const updated = (await get(`/apis/apps/v1/namespaces/${NS}/deployments`)).json as Deployment;
      expect(envOf(updated).REDIS_URL).toBe('redis-2.redis-system.svc.cluster.local:6379');

      // A certificate rotation changes the pod template: the service rolls out to read it.
      await manager.apply({
        redisUrl: 'redis-2.redis-system.svc.cluster.local:6379',
        certificatesNotAfter: '2027-01-01T00:00:00.000Z',
      });
      const rotated = (await get(`/apis/apps/v1/namespaces/${NS}/deployments`)).json as Deployment;
      expect(rotated.spec.template.metadata?.annotations).toEqual({
        [CERTIFICATES_ANNOTATION]: '2027-01-01T00:00:00.000Z',
      });

      await manager.apply(undefined);
      for (const path of [
        `/apis/apps/v1/namespaces/${NS}/deployments`,
        `/api/v1/namespaces/${NS}/services`,
        `/api/v1/namespaces/${NS}/serviceaccounts`,
      ]) {
        // Background deletion: gone, or going (no finalizers run without controllers).
        const res = await get(path);
        const deleting = (res.json as { metadata?: { deletionTimestamp?: string } }).metadata
          ?.deletionTimestamp;
        expect(res.status === 404 || deleting !== undefined, path).toBe(true);
      }
    }, 180_000);
  },
);
