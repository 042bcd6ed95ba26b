// The serving certificate a stand-in's Deployment mounts from a Secret (tls.crt / tls.key), as
// the suite's auxiliary servers read it from their certificate folder.
import type { KubeObject } from './cluster.js';

interface PodVolumes {
  volumes?: Array<{ secret?: { secretName?: string } }>;
}

/** The first mounted Secret holding tls.crt and tls.key, decoded; undefined when none. */
export const mountedCertificate = (
  deployment: KubeObject,
  namespace: string,
  get: (kind: string, namespace: string, name: string) => KubeObject | undefined,
): { cert: Buffer; key: Buffer } | undefined => {
  const pod = ((deployment.spec?.template ?? {}) as { spec?: PodVolumes }).spec ?? {};
  for (const volume of pod.volumes ?? []) {
    const name = volume.secret?.secretName;
    const data = name
      ? (get('Secret', namespace, name)?.data as Record<string, string> | undefined)
      : undefined;
    if (data?.['tls.crt'] && data['tls.key'])
      return {
        cert: Buffer.from(data['tls.crt'], 'base64'),
        key: Buffer.from(data['tls.key'], 'base64'),
      };
  }
  return undefined;
};
