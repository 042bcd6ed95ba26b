// Where and how `egts server` runs in a cluster, from the environment and the EnvoyGateway
// configuration's provider.kubernetes.watch.
import type { WatchMode } from '@egts/provider-kubernetes';
import type { KubeConfig } from '@kubernetes/client-node';
import { DEFAULT_CONTROLLER_NAMESPACE } from './defaults.js';

/** EnvoyGateway provider.kubernetes.watch. */
export interface KubernetesWatch {
  type: string;
  namespaces?: string[] | undefined;
  namespaceSelector?: Record<string, unknown> | undefined;
}

/**
 * The kubeconfig (in-cluster service account, else KUBECONFIG or ~/.kube/config), its namespace
 * (POD_NAMESPACE, as Envoy Gateway's chart sets it) and what it watches.
 */
export function kubernetesSettings(kubeConfig: KubeConfig, watch: KubernetesWatch | undefined) {
  kubeConfig.loadFromDefault();
  const namespace = process.env.POD_NAMESPACE ?? DEFAULT_CONTROLLER_NAMESPACE;
  return {
    kubeConfig,
    namespace,
    watch: watchMode(watch),
    // The egts Service that the chart installs in its namespace.
    xdsServiceHost: `envoy-gateway.${namespace}.svc.cluster.local`,
  };
}

function watchMode(watch: KubernetesWatch | undefined): WatchMode {
  if (watch?.type === 'Namespaces')
    return { type: 'namespaces', namespaces: watch.namespaces ?? [] };
  if (watch?.type === 'NamespaceSelector') {
    return { type: 'namespaceSelector', selector: labelSelector(watch.namespaceSelector ?? {}) };
  }
  return { type: 'all' };
}

interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

/** A metav1.LabelSelector as the API server's label selector string (`a=b,c in (d,e),!f`). */
function labelSelector(selector: Record<string, unknown>): string {
  const labels = (selector.matchLabels ?? {}) as Record<string, string>;
  const expressions = (selector.matchExpressions ?? []) as LabelSelectorRequirement[];
  const terms = Object.entries(labels).map(([key, value]) => `${key}=${value}`);
  for (const { key, operator, values = [] } of expressions) {
    if (operator === 'In') terms.push(`${key} in (${values.join(',')})`);
    else if (operator === 'NotIn') terms.push(`${key} notin (${values.join(',')})`);
    else if (operator === 'Exists') terms.push(key);
    else terms.push(`!${key}`);
  }
  return terms.join(',');
}
