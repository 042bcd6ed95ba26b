// The Kubernetes objects of one proxy fleet (Envoy Gateway's Kubernetes infrastructure provider):
// ServiceAccount, ConfigMap with the Envoy bootstrap, Deployment (or DaemonSet), Service, and HPA/PDB when the
// EnvoyProxy asks. Pure: the same fleet always gives the same objects.
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { ProxyInfra } from '@egts/ir';
import { applyBootstrapOverride } from '../bootstrapOverride.js';
import { proxyBootstrap, type XdsAddress, xdsSdsFiles } from '../proxyBootstrap.js';
import { proxyMetrics, sinkTargets } from '../proxyMetrics.js';
import { ZONE_VARIABLE } from '../proxyZone.js';
import { extraArgs } from './extraArgs.js';
import {
  amendByName,
  containerExtras,
  type FleetNames,
  fleetNames,
  kubernetesProvider,
  loadBalancerExtras,
  patched,
  podExtras,
  proxyImage,
  workloadSettings,
} from './proxySettings.js';

export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: Array<Record<string, unknown>>;
  };
} & Record<string, unknown>;

export interface KubernetesObjectsOptions {
  /** Where proxies reach the xDS server, e.g. `envoy-gateway.envoy-gateway-system.svc.cluster.local:18000`. */
  readonly xds: { readonly host: string; readonly port: number };
  /** Secret with `ca.crt`, `tls.crt`, `tls.key` for xDS mTLS, mounted at /certs (Envoy Gateway's `envoy` Secret). */
  readonly certsSecret: string;
  /** Envoy image when the EnvoyProxy sets none. */
  readonly image: string;
  /** The GatewayClass as owner (cluster-scoped, so namespaced objects may name it). */
  readonly owner?: { readonly name: string; readonly uid: string };
  /** Each pod's zone is its Envoy's locality, with a `local_cluster` over xDS (proxyZone.ts). */
  readonly zoneAware?: boolean;
  /** Where a zone-aware pod reads its zone: see podZoneEnv; default `annotation`. */
  readonly zoneFrom?: ZoneSource;
}

/** Where a proxy pod's zone comes from: the topology injector's annotation, or the API server's label. */
export type ZoneSource = 'annotation' | 'label';
/** The well-known zone label of nodes (and, copied at binding, of pods or their annotations). */
export const ZONE_KEY = 'topology.kubernetes.io/zone';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'egts';
export const COMPONENT_LABEL = 'app.kubernetes.io/component';
export const OWNING_GATEWAY_NAME = 'gateway.envoyproxy.io/owning-gateway-name';
export const OWNING_GATEWAY_NAMESPACE = 'gateway.envoyproxy.io/owning-gateway-namespace';
export const OWNING_GATEWAY_CLASS = 'gateway.envoyproxy.io/owning-gatewayclass';
/** The fleet name (`<namespace>/<gateway>` or the class), for cleanup and lookups. */
export const FLEET_ANNOTATION = 'gateway.envoyproxy.io/fleet';

/**
 * The pod's zone, for its Envoy's locality (`--service-zone`, which the kubelet expands), read
 * through the downward API from what the API server wrote onto the pod when it was bound to its
 * node:
 * - `annotation` (default, as Envoy Gateway): the `topology.kubernetes.io/zone` annotation egts's
 *   topology injector (topologyInjector.ts, a mutating webhook on pods/binding) puts on the
 *   Binding, which the API server copies onto the pod. Works on every Kubernetes version.
 * - `label`: the `topology.kubernetes.io/zone` label the API server itself copies from the node at
 *   binding (PodTopologyLabelsAdmission, KEP-4742: alpha and off by default in 1.33 and 1.34,
 *   beta from 1.35), for clusters that run no topology injector.
 * Without either the variable is empty and the proxy has no zone: zone-aware routing then does
 * not apply.
 */
const podZoneEnv = (from: ZoneSource) => ({
  name: ZONE_VARIABLE,
  valueFrom: { fieldRef: { fieldPath: `metadata.${from}s['${ZONE_KEY}']` } },
});
const podZoneArgs = ['--service-zone', `$(${ZONE_VARIABLE})`];

const CERTS_DIR = '/certs';
const CONFIG_DIR = '/config';
const SDS_CERTIFICATE_FILE = 'xds-certificate.json';
const SDS_TRUSTED_CA_FILE = 'xds-trusted-ca.json';
/** Where a proxy pod reads its certificate and CA through SDS (the rate limit cluster uses them too). */
export const PROXY_SDS_FILES = {
  certificate: `${CONFIG_DIR}/${SDS_CERTIFICATE_FILE}`,
  trustedCa: `${CONFIG_DIR}/${SDS_TRUSTED_CA_FILE}`,
} as const;
const PROXY_XDS_TLS = {
  ca: `${CERTS_DIR}/ca.crt`,
  cert: `${CERTS_DIR}/tls.crt`,
  key: `${CERTS_DIR}/tls.key`,
  sds: PROXY_SDS_FILES,
};
/** The files of the ConfigMap volume the bootstrap names (xDS certificates through SDS), by path. */
export const proxyPodFiles = (): Record<string, string> => {
  const sds = xdsSdsFiles(PROXY_XDS_TLS);
  return {
    [PROXY_SDS_FILES.certificate]: sds.certificate,
    [PROXY_SDS_FILES.trustedCa]: sds.trustedCa,
  };
};
/** Envoy Gateway's proxy pod ports: admin on loopback, readiness on every address. */
export const PROXY_ADMIN_PORT = 19000;
export const PROXY_READY_PORT = 19001;
const PROXY_READY_PATH = '/ready';

/**
 * `envoy-<namespace>-<gateway>-<hash>` (or `envoy-<class>-<hash>`): readable, unique by the hash of
 * the full fleet name, and within the 63 characters of a DNS label (a Service name must be one).
 */
export const fleetObjectName = (proxy: ProxyInfra): string => {
  const hash = createHash('sha256').update(proxy.name).digest('hex').slice(0, 8);
  const readable = `envoy-${proxy.name.replace(/[^a-z0-9-]/g, '-')}`
    .slice(0, 63 - 9)
    .replace(/-+$/, '');
  return `${readable}-${hash}`;
};

/** The name of each object of a fleet (an EnvoyProxy may name some, see proxySettings). */
export const fleetObjectNames = (proxy: ProxyInfra): FleetNames =>
  fleetNames(proxy, fleetObjectName(proxy));

type Loose = Record<string, unknown>;
const at = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Loose)[k] : undefined), value);

/** The labels every fleet's proxy pods carry, whatever their Gateway. */
export const PROXY_POD_LABELS: Readonly<Record<string, string>> = Object.freeze({
  'app.kubernetes.io/name': 'envoy',
  [COMPONENT_LABEL]: 'proxy',
  [MANAGED_BY_LABEL]: MANAGED_BY,
});

/** A label selector (`k=v,...`) for every fleet's proxy pods. */
export const PROXY_POD_SELECTOR = Object.entries(PROXY_POD_LABELS)
  .map(([key, value]) => `${key}=${value}`)
  .join(',');

/** The selector labels: which pods the Deployment and Service own. */
export const fleetLabels = (proxy: ProxyInfra): Record<string, string> => {
  const labels: Record<string, string> = { ...PROXY_POD_LABELS };
  if (proxy.owner.gatewayName && proxy.owner.gatewayNamespace) {
    labels[OWNING_GATEWAY_NAME] = proxy.owner.gatewayName;
    labels[OWNING_GATEWAY_NAMESPACE] = proxy.owner.gatewayNamespace;
  } else {
    labels[OWNING_GATEWAY_CLASS] = proxy.owner.gatewayClass;
  }
  return labels;
};

export const kubernetesObjects = (
  proxy: ProxyInfra,
  options: KubernetesObjectsOptions,
): KubeObject[] => {
  const name = fleetObjectName(proxy);
  const names = fleetNames(proxy, name);
  const selector = fleetLabels(proxy);
  const labels = { ...proxy.labels, ...selector };
  const k8s = kubernetesProvider(proxy);
  // An EnvoyProxy asks for a DaemonSet (one proxy per node) or, by default, a Deployment.
  const { daemonSet, settings: deployment } = workloadSettings(k8s);
  const service = (k8s.envoyService ?? {}) as Loose;
  const metadata = (objectName = name) => ({
    name: objectName,
    namespace: proxy.namespace,
    labels,
    annotations: { ...proxy.annotations, [FLEET_ANNOTATION]: proxy.name },
    ...(options.owner
      ? {
          ownerReferences: [
            {
              apiVersion: 'gateway.networking.k8s.io/v1',
              kind: 'GatewayClass',
              name: options.owner.name,
              uid: options.owner.uid,
            },
          ],
        }
      : {}),
  });
  const ports = proxy.listeners.flatMap((l) => l.ports);
  const unique = [...new Map(ports.map((p) => [p.name, p])).values()];
  const transport = (protocol: string) => (protocol === 'UDP' ? 'UDP' : 'TCP');
  // The certificates come through file-based SDS, so that the Secret volume's updates (egts
  // rotates the Secret before expiry) reach a running Envoy.
  const tls = PROXY_XDS_TLS;
  const sds = xdsSdsFiles(tls);
  const generated = proxyBootstrap({
    proxyName: proxy.name,
    xds: { host: options.xds.host, port: options.xds.port, tls } satisfies XdsAddress,
    probes: {
      adminPort: PROXY_ADMIN_PORT,
      readyPort: PROXY_READY_PORT,
      path: PROXY_READY_PATH,
      prometheus: at(proxy.envoyProxy, 'telemetry', 'metrics', 'prometheus', 'disable') !== true,
    },
    metrics: proxyMetrics(
      proxy.envoyProxy,
      proxy.metricSinks && sinkTargets(proxy.metricSinks, 'cluster'),
    ),
    ...(options.zoneAware ? { localClusterOverXds: true } : {}),
  });
  // EnvoyProxy bootstrap; a patch that does not apply throws (the caller keeps the old objects).
  // A result Envoy refuses fails the new pods' readiness: the rollout keeps the old ones serving.
  const bootstrap = proxy.bootstrap
    ? applyBootstrapOverride(generated, proxy.bootstrap)
    : generated;
  const requestedIPs = proxy.addresses.filter((a) => isIP(a) !== 0);
  const container = (deployment.container ?? {}) as Loose;
  const pod = (deployment.pod ?? {}) as Loose;
  const logLevel =
    (at(proxy.envoyProxy, 'logging', 'level', 'default') as string | undefined) ?? 'warn';
  const serviceType = (service.type as string | undefined) ?? 'LoadBalancer';
  const objects: KubeObject[] = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: metadata(names.serviceAccount) },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: metadata(),
      data: {
        'envoy.json': `${JSON.stringify(bootstrap, null, 2)}\n`,
        [SDS_CERTIFICATE_FILE]: sds.certificate,
        [SDS_TRUSTED_CA_FILE]: sds.trustedCa,
      },
    },
    patched<KubeObject>(
      {
        apiVersion: 'apps/v1',
        kind: daemonSet ? 'DaemonSet' : 'Deployment',
        metadata: metadata(names.workload),
        spec: {
          // With an HPA the replica count is the autoscaler's (it would fight a fixed one).
          ...(daemonSet || k8s.envoyHpa
            ? {}
            : { replicas: (deployment.replicas as number | undefined) ?? 1 }),
          // A Deployment's `strategy` is a DaemonSet's `updateStrategy` (apps/v1).
          ...(deployment.strategy
            ? { [daemonSet ? 'updateStrategy' : 'strategy']: deployment.strategy }
            : {}),
          selector: { matchLabels: selector },
          template: {
            metadata: {
              labels: { ...labels, ...((pod.labels as Record<string, string>) ?? {}) },
              annotations: (pod.annotations as Record<string, string>) ?? {},
            },
            spec: {
              serviceAccountName: names.serviceAccount,
              automountServiceAccountToken: false,
              ...podExtras(pod),
              ...(Array.isArray(deployment.initContainers)
                ? { initContainers: deployment.initContainers }
                : {}),
              containers: [
                {
                  name: 'envoy',
                  image: proxyImage(container, options.image),
                  args: [
                    '--config-path',
                    `${CONFIG_DIR}/envoy.json`,
                    '--log-level',
                    logLevel,
                    // EnvoyProxy shutdown.drainTimeout (Envoy Gateway's default 60 s).
                    '--drain-time-s',
                    String(
                      Math.max(1, Math.round((proxy.shutdown?.drainTimeoutMs ?? 60_000) / 1000)),
                    ),
                    ...(proxy.shutdown ? ['--drain-strategy', 'immediate'] : []),
                    ...(typeof proxy.envoyProxy?.concurrency === 'number'
                      ? ['--concurrency', String(proxy.envoyProxy.concurrency)]
                      : []),
                    ...(options.zoneAware ? podZoneArgs : []),
                    ...extraArgs(proxy.envoyProxy),
                  ],
                  ports: unique.map((p) => ({
                    name: p.name.slice(0, 15),
                    containerPort: p.containerPort,
                    protocol: transport(p.protocol),
                  })),
                  // Ready once Envoy has its first configuration, unready while it drains, so a
                  // rollout or scale-down takes the pod out of the Service before traffic is lost.
                  readinessProbe: {
                    httpGet: { path: PROXY_READY_PATH, port: PROXY_READY_PORT, scheme: 'HTTP' },
                    timeoutSeconds: 1,
                    periodSeconds: 5,
                    successThreshold: 1,
                    failureThreshold: 1,
                  },
                  ...(options.zoneAware || Array.isArray(container.env)
                    ? {
                        env: amendByName(
                          options.zoneAware ? [podZoneEnv(options.zoneFrom ?? 'annotation')] : [],
                          container.env,
                        ),
                      }
                    : {}),
                  ...containerExtras(container),
                  volumeMounts: amendByName(
                    [
                      { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
                      { name: 'certs', mountPath: CERTS_DIR, readOnly: true },
                    ],
                    container.volumeMounts,
                  ),
                },
              ],
              volumes: amendByName(
                [
                  { name: 'config', configMap: { name: names.configMap } },
                  { name: 'certs', secret: { secretName: options.certsSecret } },
                ],
                pod.volumes,
              ),
            },
          },
        },
      },
      deployment,
      daemonSet ? 'envoyDaemonSet' : 'envoyDeployment',
    ),
    patched<KubeObject>(
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: {
          ...metadata(names.service),
          labels: { ...((service.labels as Record<string, string>) ?? {}), ...labels },
          annotations: {
            ...proxy.annotations,
            ...((service.annotations as Record<string, string>) ?? {}),
            [FLEET_ANNOTATION]: proxy.name,
          },
        },
        spec: {
          type: serviceType,
          selector,
          // Envoy Gateway's default keeps the client's source address (LoadBalancer services only).
          ...(serviceType === 'LoadBalancer'
            ? {
                externalTrafficPolicy:
                  (service.externalTrafficPolicy as string | undefined) ?? 'Local',
                ...loadBalancerExtras(service),
              }
            : {}),
          // The Gateway's spec.addresses, as Envoy Gateway places them: a ClusterIP Service takes the
          // first as its cluster IP (one only), any other type all as external IPs. Hostnames cannot
          // go in either field.
          ...(requestedIPs.length === 0
            ? {}
            : service.type === 'ClusterIP'
              ? { clusterIP: requestedIPs[0] }
              : { externalIPs: requestedIPs }),
          ports: unique.map((p) => ({
            name: p.name,
            port: p.servicePort,
            targetPort: p.containerPort,
            protocol: transport(p.protocol),
          })),
        },
      },
      service,
      'envoyService',
    ),
  ];
  // An HPA scales a Deployment only.
  const hpa = daemonSet ? undefined : (k8s.envoyHpa as Loose | undefined);
  if (hpa) {
    objects.push(
      patched<KubeObject>(
        {
          apiVersion: 'autoscaling/v2',
          kind: 'HorizontalPodAutoscaler',
          metadata: metadata(names.hpa),
          spec: {
            scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: names.workload },
            ...(hpa.minReplicas !== undefined ? { minReplicas: hpa.minReplicas } : {}),
            maxReplicas: hpa.maxReplicas,
            // Envoy Gateway's default: 80% CPU.
            metrics: hpa.metrics ?? [
              {
                type: 'Resource',
                resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
              },
            ],
            ...(hpa.behavior ? { behavior: hpa.behavior } : {}),
          },
        },
        hpa,
        'envoyHpa',
      ),
    );
  }
  const pdb = k8s.envoyPDB as Loose | undefined;
  if (pdb) {
    objects.push(
      patched<KubeObject>(
        {
          apiVersion: 'policy/v1',
          kind: 'PodDisruptionBudget',
          metadata: metadata(names.pdb),
          spec: {
            selector: { matchLabels: selector },
            ...(pdb.maxUnavailable !== undefined
              ? { maxUnavailable: pdb.maxUnavailable }
              : { minAvailable: pdb.minAvailable ?? 1 }),
          },
        },
        pdb,
        'envoyPDB',
      ),
    );
  }
  return objects;
};

/** Every kind a fleet may have, for cleanup. */
export const FLEET_KINDS: ReadonlyArray<{ apiVersion: string; kind: string }> = [
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'apps/v1', kind: 'DaemonSet' },
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'v1', kind: 'ServiceAccount' },
];
