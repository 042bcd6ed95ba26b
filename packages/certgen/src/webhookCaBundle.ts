// The trust bundle in admission webhook configurations: the API server calls egts's topology
// injector over HTTPS and verifies its certificate (the `envoy-gateway` one) against the
// `clientConfig.caBundle` of the MutatingWebhookConfiguration, as Envoy Gateway's certgen patches
// it. The API server reads configurations at once (no volume propagation), so the bundle is
// written whenever it changes: a CA joining it is trusted before it signs.
import type { KubeConfig, V1MutatingWebhookConfiguration } from '@kubernetes/client-node';

/** The topology injector's MutatingWebhookConfiguration, as Envoy Gateway's chart names it. */
export const topologyInjectorWebhookName = (namespace: string): string =>
  `envoy-gateway-topology-injector.${namespace}`;

const isNotFound = (error: unknown) => (error as { code?: number } | undefined)?.code === 404;

/**
 * Sets `caBundle` (the PEM bundle, base64) on every webhook of each named
 * MutatingWebhookConfiguration. One that does not exist is skipped (the webhook is disabled);
 * writes are conditional on the resourceVersion read. Returns the names written.
 */
export const applyWebhookCaBundle = async (
  kubeConfig: KubeConfig,
  names: readonly string[],
  bundle: string,
): Promise<string[]> => {
  const { AdmissionregistrationV1Api } = await import('@kubernetes/client-node');
  const api = kubeConfig.makeApiClient(AdmissionregistrationV1Api);
  const caBundle = Buffer.from(bundle).toString('base64');
  const written: string[] = [];
  for (const name of names) {
    let current: V1MutatingWebhookConfiguration;
    try {
      current = await api.readMutatingWebhookConfiguration({ name });
    } catch (error) {
      if (isNotFound(error)) continue;
      if ((error as { code?: number }).code === 403) {
        throw new Error(
          `certgen may not read MutatingWebhookConfiguration ${name} to set its caBundle: grant get and update on it, or leave it alone (egts certgen --disable-topology-injector)`,
          { cause: error },
        );
      }
      throw error;
    }
    const webhooks = current.webhooks ?? [];
    if (webhooks.every((w) => w.clientConfig.caBundle === caBundle)) continue;
    await api.replaceMutatingWebhookConfiguration({
      name,
      body: {
        ...current,
        webhooks: webhooks.map((w) => ({ ...w, clientConfig: { ...w.clientConfig, caBundle } })),
      },
    });
    written.push(name);
  }
  return written;
};
