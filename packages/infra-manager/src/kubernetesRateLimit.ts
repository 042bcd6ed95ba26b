// Kubernetes mode's auxiliary control plane for global rate limiting: the Envoy Rate Limit
// Service as Envoy Gateway deploys it (a ServiceAccount, a Deployment and a ClusterIP Service named
// envoy-ratelimit in the controller's namespace), taking its RateLimitConfigs over xDS from egts
// (CONFIG_TYPE=GRPC_XDS_SOTW, mTLS with the `envoy-rate-limit` Secret egts's certgen writes) and
// counting in the configured Redis. Applied with server-side apply while configured, deleted when not.
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { deleteInBackground, lazyObjectClient } from './internal/kubernetesClient.js';
import {
  COMPONENT_LABEL,
  type KubeObject,
  MANAGED_BY,
  MANAGED_BY_LABEL,
} from './internal/kubernetesObjects.js';
import { RATE_LIMIT_NODE_ID } from './rateLimitService.js';

export const RATE_LIMIT_NAME = 'envoy-ratelimit';
/** gRPC port proxies ask on (Envoy Gateway's). */
export const RATE_LIMIT_GRPC_PORT = 8081;
/** The image of the pinned service version scripts/setup-ratelimit.sh builds for host mode. */
export const DEFAULT_RATE_LIMIT_IMAGE = 'docker.io/envoyproxy/ratelimit:3fb70258';

export interface KubernetesRateLimitOptions {
  readonly kubeConfig: KubeConfig;
  /** The controller's namespace (where the egts Deployment and its Secrets are). */
  readonly namespace: string;
  /** Where the service reaches the egts xDS server, e.g. `envoy-gateway.<ns>.svc.cluster.local:18000`. */
  readonly xds: { readonly host: string; readonly port: number };
  readonly image?: string;
  /** Server-side apply field manager; default `egts`. */
  readonly fieldManager?: string;
}

/** What the EnvoyGateway `rateLimit` block asks of the service. */
export interface RateLimitSettings {
  /** `host:port` of the Redis server. */
  readonly redisUrl: string;
  /** Redis over TLS (`backend.redis.tls`). */
  readonly redisTls?: boolean;
}

export interface KubernetesRateLimitManager {
  /** Creates or updates the service's objects, or deletes them when `settings` is undefined. */
  apply(settings: RateLimitSettings | undefined): Promise<void>;
  /** The address proxies send RateLimitRequests to (the Service). */
  readonly address: { readonly host: string; readonly port: number };
}

const CERTS_DIR = '/certs';

/** The service's objects. Pure: the same settings always give the same objects. */
export function rateLimitObjects(
  options: Omit<KubernetesRateLimitOptions, 'kubeConfig'>,
  settings: RateLimitSettings,
): KubeObject[] {
  const selector = {
    'app.kubernetes.io/name': RATE_LIMIT_NAME,
    [COMPONENT_LABEL]: 'ratelimit',
    [MANAGED_BY_LABEL]: MANAGED_BY,
  };
  const metadata = { name: RATE_LIMIT_NAME, namespace: options.namespace, labels: selector };
  const env: Record<string, string> = {
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    REDIS_SOCKET_TYPE: 'tcp',
    REDIS_URL: settings.redisUrl,
    ...(settings.redisTls ? { REDIS_TLS: 'true' } : {}),
    USE_STATSD: 'false',
    USE_PROMETHEUS: 'true',
    PROMETHEUS_ADDR: ':19001',
    GRPC_PORT: String(RATE_LIMIT_GRPC_PORT),
    CONFIG_TYPE: 'GRPC_XDS_SOTW',
    CONFIG_GRPC_XDS_NODE_ID: RATE_LIMIT_NODE_ID,
    CONFIG_GRPC_XDS_SERVER_URL: `${options.xds.host}:${options.xds.port}`,
    CONFIG_GRPC_XDS_SERVER_USE_TLS: 'true',
    CONFIG_GRPC_XDS_SERVER_TLS_CACERT: `${CERTS_DIR}/ca.crt`,
    CONFIG_GRPC_XDS_CLIENT_TLS_CERT: `${CERTS_DIR}/tls.crt`,
    CONFIG_GRPC_XDS_CLIENT_TLS_KEY: `${CERTS_DIR}/tls.key`,
  };
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata,
      spec: {
        replicas: 1,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: selector },
          spec: {
            serviceAccountName: RATE_LIMIT_NAME,
            containers: [
              {
                name: RATE_LIMIT_NAME,
                image: options.image ?? DEFAULT_RATE_LIMIT_IMAGE,
                command: ['/bin/ratelimit'],
                env: Object.entries(env).map(([name, value]) => ({ name, value })),
                ports: [
                  { name: 'grpc', containerPort: RATE_LIMIT_GRPC_PORT, protocol: 'TCP' },
                  { name: 'http', containerPort: 8080, protocol: 'TCP' },
                  { name: 'metrics', containerPort: 19001, protocol: 'TCP' },
                ],
                readinessProbe: { httpGet: { path: '/healthcheck', port: 8080 } },
                volumeMounts: [{ name: 'certs', mountPath: CERTS_DIR, readOnly: true }],
                securityContext: {
                  runAsNonRoot: true,
                  allowPrivilegeEscalation: false,
                  capabilities: { drop: ['ALL'] },
                },
              },
            ],
            volumes: [{ name: 'certs', secret: { secretName: 'envoy-rate-limit' } }],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata,
      spec: {
        type: 'ClusterIP',
        selector,
        ports: [
          {
            name: 'grpc',
            port: RATE_LIMIT_GRPC_PORT,
            targetPort: RATE_LIMIT_GRPC_PORT,
            protocol: 'TCP',
          },
          { name: 'metrics', port: 19001, targetPort: 19001, protocol: 'TCP' },
        ],
      },
    },
  ];
}

export function createKubernetesRateLimitManager(
  options: KubernetesRateLimitOptions,
): KubernetesRateLimitManager {
  const client = lazyObjectClient(options.kubeConfig);
  const fieldManager = options.fieldManager ?? 'egts';
  let queue: Promise<void> = Promise.resolve();
  const applyNow = async (settings: RateLimitSettings | undefined) => {
    const { api, serverSideApply } = await client();
    if (settings !== undefined) {
      for (const object of rateLimitObjects(options, settings))
        await api.patch(
          object as unknown as KubernetesObject,
          undefined,
          undefined,
          fieldManager,
          true,
          serverSideApply,
        );
      return;
    }
    // Not configured (any more): nothing of the service stays behind.
    for (const object of rateLimitObjects(options, { redisUrl: '' })) {
      await deleteInBackground(api, {
        apiVersion: object.apiVersion,
        kind: object.kind,
        metadata: { name: RATE_LIMIT_NAME, namespace: options.namespace },
      });
    }
  };
  return {
    apply: (settings) => {
      const next = queue.then(() => applyNow(settings));
      queue = next.catch(() => undefined);
      return next;
    },
    address: {
      host: `${RATE_LIMIT_NAME}.${options.namespace}.svc.cluster.local`,
      port: RATE_LIMIT_GRPC_PORT,
    },
  };
}
