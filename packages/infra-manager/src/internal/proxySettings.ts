// The EnvoyProxy Kubernetes provider settings (spec.provider.kubernetes) laid onto the generated proxy
// objects as Envoy Gateway's infrastructure does (internal/infrastructure/kubernetes/proxy): object
// names, the Envoy container and pod parts (Kubernetes types passed through), the Service's load
// balancer settings, and each object's `patch` last.
import type { ProxyInfra } from '@egts/ir';
import { applyObjectPatch, type KubernetesPatch } from './objectPatch.js';

type Loose = Record<string, unknown>;
type Named = { name?: unknown } & Loose;

/** spec.provider.kubernetes of a fleet's EnvoyProxy (empty when it sets none). */
export const kubernetesProvider = (proxy: ProxyInfra): Loose => {
  const provider = (proxy.envoyProxy?.provider as Loose | undefined)?.kubernetes;
  return (provider as Loose | undefined) ?? {};
};

/** The workload part: envoyDaemonSet when asked for (one proxy per node), else envoyDeployment. */
export const workloadSettings = (k8s: Loose): { daemonSet: boolean; settings: Loose } =>
  k8s.envoyDaemonSet
    ? { daemonSet: true, settings: k8s.envoyDaemonSet as Loose }
    : { daemonSet: false, settings: (k8s.envoyDeployment as Loose | undefined) ?? {} };

export interface FleetNames {
  readonly configMap: string;
  readonly workload: string;
  readonly service: string;
  readonly serviceAccount: string;
  readonly hpa: string;
  readonly pdb: string;
}

const nameOf = (settings: unknown, fallback: string): string => {
  const name = (settings as Named | undefined)?.name;
  return typeof name === 'string' && name !== '' ? name : fallback;
};

/** Each object's name: the generated one unless the EnvoyProxy names it (`<part>.name`). */
export const fleetNames = (proxy: ProxyInfra, generated: string): FleetNames => {
  const k8s = kubernetesProvider(proxy);
  return {
    configMap: generated,
    workload: nameOf(workloadSettings(k8s).settings, generated),
    service: nameOf(k8s.envoyService, generated),
    serviceAccount: nameOf(k8s.envoyServiceAccount, generated),
    hpa: nameOf(k8s.envoyHpa, generated),
    pdb: nameOf(k8s.envoyPDB, generated),
  };
};

/**
 * The Envoy image: `container.image`, else `container.imageRepository` with the default image's
 * tag (Envoy Gateway keeps the tag it was built for), else the default.
 */
export const proxyImage = (container: Loose, defaultImage: string): string => {
  if (typeof container.image === 'string') return container.image;
  if (typeof container.imageRepository !== 'string') return defaultImage;
  const lastSlash = defaultImage.lastIndexOf('/');
  const colon = defaultImage.indexOf(':', lastSlash + 1);
  const tag = colon >= 0 ? defaultImage.slice(colon) : '';
  return `${container.imageRepository}${tag}`;
};

/**
 * Envoy Gateway's amend rule for env, volumes and volume mounts: an item of the EnvoyProxy replaces
 * the generated one of the same name, any other is appended.
 */
export const amendByName = <T extends Named>(generated: readonly T[], extra: unknown): T[] => {
  const result = [...generated];
  for (const item of (extra as T[] | undefined) ?? []) {
    const at = result.findIndex((old) => old.name === item.name);
    if (at >= 0) result[at] = item;
    else result.push(item);
  }
  return result;
};

/** The container's EnvoyProxy parts other than the image and env/volume mounts. */
export const containerExtras = (container: Loose): Loose => ({
  ...(container.resources ? { resources: container.resources } : {}),
  ...(container.securityContext ? { securityContext: container.securityContext } : {}),
});

/** The pod spec's EnvoyProxy parts (Kubernetes types, passed through as given). */
export const podExtras = (pod: Loose): Loose => {
  const extras: Loose = {};
  for (const field of [
    'securityContext',
    'affinity',
    'tolerations',
    'imagePullSecrets',
    'nodeSelector',
    'topologySpreadConstraints',
    'priorityClassName',
  ])
    if (pod[field] !== undefined) extras[field] = pod[field];
  return extras;
};

/**
 * The Service spec fields of envoyService beyond its type, for a LoadBalancer Service only (the API
 * server refuses them on any other type).
 */
export const loadBalancerExtras = (service: Loose): Loose => {
  const extras: Loose = {};
  for (const field of [
    'loadBalancerClass',
    'allocateLoadBalancerNodePorts',
    'loadBalancerSourceRanges',
    'loadBalancerIP',
  ])
    if (service[field] !== undefined) extras[field] = service[field];
  return extras;
};

/**
 * `object` with its EnvoyProxy part's `patch` applied (StrategicMerge by default); a patch that
 * does not apply throws naming the field (`part`: envoyDeployment, envoyService, ...).
 */
export const patched = <T>(object: T, settings: unknown, part: string): T => {
  try {
    return applyObjectPatch(object, (settings as { patch?: KubernetesPatch } | undefined)?.patch);
  } catch (error) {
    throw new Error(`spec.provider.kubernetes.${part}.patch: ${(error as Error).message}`);
  }
};
