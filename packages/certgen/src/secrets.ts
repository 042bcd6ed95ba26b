// The certificates as Kubernetes Secrets (the names and keys Envoy Gateway's certgen uses) and as
// local files for host mode.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { V1Secret } from '@kubernetes/client-node';
import type { Certificates, KeyPair } from './certificates.js';

/** The Secret holding the signing CA, its key, and the trust bundle (egts only; see rotation.ts). */
export const CA_SECRET = 'envoy-gateway-ca';

/** The certificate Secrets, by name, and what each holds. */
export const LEAF_SECRETS = [
  ['envoy-gateway', 'envoyGateway'],
  ['envoy', 'envoy'],
  ['envoy-rate-limit', 'rateLimit'],
] as const;

export const HMAC_SECRET = 'envoy-oidc-hmac';

/** The Secrets certgen owns, by name. */
export const SECRET_NAMES = [
  CA_SECRET,
  ...LEAF_SECRETS.map(([name]) => name),
  HMAC_SECRET,
] as const;

const LABELS = { 'app.kubernetes.io/managed-by': 'egts-certgen' };

const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');

/** A `kubernetes.io/tls` Secret with the trust bundle as `ca.crt` (Envoy Gateway's layout). */
export const tlsSecret = (
  name: string,
  namespace: string,
  bundle: string,
  pair: KeyPair,
): V1Secret => ({
  apiVersion: 'v1',
  kind: 'Secret',
  type: 'kubernetes.io/tls',
  metadata: { name, namespace, labels: LABELS },
  data: { 'ca.crt': b64(bundle), 'tls.crt': b64(pair.cert), 'tls.key': b64(pair.key) },
});

export const opaqueSecret = (
  name: string,
  namespace: string,
  data: Record<string, string | Buffer>,
  annotations: Record<string, string> = {},
): V1Secret => ({
  apiVersion: 'v1',
  kind: 'Secret',
  type: 'Opaque',
  metadata: { name, namespace, labels: LABELS, annotations },
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
});

/**
 * `egts certgen --local`: `<dir>/<envoy-gateway|envoy|envoy-rate-limit>/{ca.crt,tls.crt,tls.key}` and
 * `<dir>/envoy-oidc-hmac/hmac-secret`, keys readable by the owner only.
 */
export const writeCertificateFiles = async (certs: Certificates, dir: string): Promise<void> => {
  for (const [name, field] of LEAF_SECRETS) {
    const pair = certs[field];
    await mkdir(join(dir, name), { recursive: true });
    await writeFile(join(dir, name, 'ca.crt'), certs.ca);
    await writeFile(join(dir, name, 'tls.crt'), pair.cert);
    await writeFile(join(dir, name, 'tls.key'), pair.key, { mode: 0o600 });
  }
  await mkdir(join(dir, HMAC_SECRET), { recursive: true });
  await writeFile(join(dir, HMAC_SECRET, 'hmac-secret'), certs.hmacSecret, { mode: 0o600 });
};
