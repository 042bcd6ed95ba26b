// What both Kubernetes-mode managers (proxy fleets, the rate limit service) need of the API client.
import type {
  KubeConfig,
  KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';

export interface ObjectClient {
  api: KubernetesObjectApi;
  serverSideApply: PatchStrategy;
}

/**
 * The object API, loaded on first use, not with this package: host mode, which imports the same
 * entry point, would otherwise carry the client's ~30 MiB of heap.
 */
export const lazyObjectClient = (kubeConfig: KubeConfig): (() => Promise<ObjectClient>) => {
  let loaded: Promise<ObjectClient> | undefined;
  return () => {
    loaded ??= import('@kubernetes/client-node').then((k8s) => ({
      api: k8s.KubernetesObjectApi.makeApiClient(kubeConfig),
      serverSideApply: k8s.PatchStrategy.ServerSideApply,
    }));
    return loaded;
  };
};

export const isNotFound = (error: unknown): boolean =>
  (error as { code?: number } | undefined)?.code === 404;

/** Deletes an object and lets the API server remove its dependents; one already gone is fine. */
export async function deleteInBackground(
  api: KubernetesObjectApi,
  object: KubernetesObject,
): Promise<void> {
  try {
    await api.delete(object, undefined, undefined, undefined, undefined, 'Background');
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}
