// Kubernetes mode's auxiliary control plane for global rate limiting: the Envoy Rate Limit
// Service as Envoy Gateway deploys it (a ServiceAccount, a Deployment and a ClusterIP Service named
// envoy-ratelimit in the controller's namespace), taking its RateLimitConfigs over xDS from egts
// (CONFIG_TYPE=GRPC_XDS_SOTW, mTLS with the `envoy-rate-limit` Secret egts's certgen writes),
// serving the proxies over mTLS with the same Secret, and counting in the configured Redis. Applied with server-side apply while configured, deleted when not.

import type { RateLimitService } from '@egts/ir';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { deleteInBackground, lazyObjectClient } from './internal/kubernetesClient.js';
import {
  COMPONENT_LABEL,
  type KubeObject,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  PROXY_SDS_FILES,
} from './internal/kubernetesObjects.js';
import { xdsSdsSecrets } from './proxyBootstrap.js';
import { RATE_LIMIT_NODE_ID } from './rateLimitService.js';
import { type RateLimitTelemetry, rateLimitTelemetryEnv } from './rateLimitTelemetry.js';

export const RATE_LIMIT_NAME = 'envoy-ratelimit';
/** gRPC port proxies ask on (Envoy Gateway's). */
export const RATE_LIMIT_GRPC_PORT = 8081;
/**
 * Envoy Gateway's rate limit image, pinned by digest as Envoy Gateway's own release tooling pins
 * it (a tag on Docker Hub's envoyproxy/ratelimit is the service's 8-character commit). Host mode
 * builds the service from source at the version scripts/setup-ratelimit.sh pins (3fb70258).
 */
export const DEFAULT_RATE_LIMIT_IMAGE =
  'docker.io/envoyproxy/ratelimit:1e50889b@sha256:5bb3741fd6709bab1d498eae1a5807faa2113b712dfb236fb76c04a00871ffc9';

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
  /**
   * Redis over TLS (`backend.redis.tls`); `certificateRef`: the Secret (in the controller's
   * namespace) with the client certificate Redis asks for, mounted at /redis-certs as Envoy
   * Gateway mounts it.
   */
  readonly redisTls?: { readonly certificateRef?: string };
  /** Metrics and tracing (`rateLimit.telemetry`); default: Prometheus only. */
  readonly telemetry?: RateLimitTelemetry;
  /**
   * When the certificates in the Secrets expire: a pod template annotation, so that a rotation
   * rolls the service out (it reads its TLS files only when it starts).
   */
  readonly certificatesNotAfter?: string;
}

export interface KubernetesRateLimitManager {
  /** Creates or updates the service's objects, or deletes them when `settings` is undefined. */
  apply(settings: RateLimitSettings | undefined): Promise<void>;
  /** The address proxies send RateLimitRequests to (the Service). */
  readonly address: { readonly host: string; readonly port: number };
  /** The proxies' side of the mTLS: the SDS files of their pods (the `envoy` Secret's certificate). */
  readonly proxyTls: RateLimitService['tls'];
}

const CERTS_DIR = '/certs';
const REDIS_CERTS_DIR = '/redis-certs';
/** The pod template annotation a certificate rotation changes (a rollout). */
export const CERTIFICATES_ANNOTATION = 'egts/certificates-not-after';

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
  const redisCerts = settings.redisTls?.certificateRef;
  const env: Record<string, string> = {
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    REDIS_SOCKET_TYPE: 'tcp',
    REDIS_URL: settings.redisUrl,
    ...(settings.redisTls ? { REDIS_TLS: 'true' } : {}),
    ...(settings.redisTls?.certificateRef
      ? {
          REDIS_TLS_CLIENT_CERT: `${REDIS_CERTS_DIR}/tls.crt`,
          REDIS_TLS_CLIENT_KEY: `${REDIS_CERTS_DIR}/tls.key`,
        }
      : {}),
    USE_STATSD: 'false',
    ...rateLimitTelemetryEnv(settings.telemetry ?? { prometheus: true }, options.namespace),
    PROMETHEUS_ADDR: ':19001',
    GRPC_PORT: String(RATE_LIMIT_GRPC_PORT),
    CONFIG_TYPE: 'GRPC_XDS_SOTW',
    CONFIG_GRPC_XDS_NODE_ID: RATE_LIMIT_NODE_ID,
    CONFIG_GRPC_XDS_SERVER_URL: `${options.xds.host}:${options.xds.port}`,
    CONFIG_GRPC_XDS_SERVER_USE_TLS: 'true',
    CONFIG_GRPC_XDS_SERVER_TLS_CACERT: `${CERTS_DIR}/ca.crt`,
    CONFIG_GRPC_XDS_CLIENT_TLS_CERT: `${CERTS_DIR}/tls.crt`,
    CONFIG_GRPC_XDS_CLIENT_TLS_KEY: `${CERTS_DIR}/tls.key`,
    // Proxies ask over mTLS, as Envoy Gateway has it: the service's certificate, and the CA a
    // proxy's client certificate (the `envoy` Secret's) must chain to.
    GRPC_SERVER_USE_TLS: 'true',
    GRPC_SERVER_TLS_CERT: `${CERTS_DIR}/tls.crt`,
    GRPC_SERVER_TLS_KEY: `${CERTS_DIR}/tls.key`,
    GRPC_CLIENT_TLS_CACERT: `${CERTS_DIR}/ca.crt`,
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
          metadata: {
            labels: selector,
            ...(settings.certificatesNotAfter
              ? { annotations: { [CERTIFICATES_ANNOTATION]: settings.certificatesNotAfter } }
              : {}),
          },
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
                volumeMounts: [
                  { name: 'certs', mountPath: CERTS_DIR, readOnly: true },
                  ...(redisCerts
                    ? [{ name: 'redis-certs', mountPath: REDIS_CERTS_DIR, readOnly: true }]
                    : []),
                ],
                securityContext: {
                  runAsNonRoot: true,
                  allowPrivilegeEscalation: false,
                  capabilities: { drop: ['ALL'] },
                },
              },
            ],
            volumes: [
              { name: 'certs', secret: { secretName: 'envoy-rate-limit' } },
              ...(redisCerts ? [{ name: 'redis-certs', secret: { secretName: redisCerts } }] : []),
            ],
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
    proxyTls: xdsSdsSecrets(PROXY_SDS_FILES),
  };
}
