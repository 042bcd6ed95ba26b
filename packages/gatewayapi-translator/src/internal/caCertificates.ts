// CA bundles referenced from ConfigMaps or Secrets (BackendTLSPolicy, Gateway frontend client
// validation): `ca.crt`, else `tls.crt`, else the first key; it must hold a PEM certificate.
import { X509Certificate } from 'node:crypto';
import type { TranslatorContext } from './context/translatorContext.js';
import { secretValue } from './listeners/certificates.js';
import { nsName } from './types.js';

function caFromData(data: Record<string, string>): string | undefined {
  if (data['ca.crt']) return data['ca.crt'];
  if (data['tls.crt']) return data['tls.crt'];
  const first = Object.keys(data).sort()[0];
  return first === undefined ? undefined : data[first];
}

export function isPemCertificate(pem: string): boolean {
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) return false;
  try {
    new X509Certificate(pem);
    return true;
  } catch {
    return false;
  }
}

/** The PEM CA bundle a ConfigMap or Secret holds, or undefined when missing or not a certificate. */
export function readCABundle(
  ctx: TranslatorContext,
  kind: 'ConfigMap' | 'Secret' | 'ClusterTrustBundle',
  namespace: string,
  name: string,
  options: { parse: boolean } = { parse: true },
): string | undefined {
  let pem: string | undefined;
  // Cluster-scoped: the namespace does not apply.
  if (kind === 'ClusterTrustBundle') pem = ctx.clusterTrustBundles.get(name)?.spec.trustBundle;
  else if (kind === 'ConfigMap') {
    const cm = ctx.configMaps.get(nsName(namespace, name));
    pem = cm?.data ? caFromData(cm.data as Record<string, string>) : undefined;
  } else {
    const secret = ctx.secrets.get(nsName(namespace, name));
    if (secret) {
      const decoded: Record<string, string> = {};
      for (const k of Object.keys(secret.data ?? {})) decoded[k] = secretValue(secret, k) ?? '';
      pem = caFromData(decoded);
    }
  }
  if (!pem) return undefined;
  if (!options.parse || isPemCertificate(pem)) return pem;
  // Some tools store the PEM base64-encoded in ConfigMap data; accept that too.
  const decoded = Buffer.from(pem, 'base64').toString('utf8');
  return isPemCertificate(decoded) ? decoded : undefined;
}
