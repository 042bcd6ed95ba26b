// The certificates as Kubernetes Secrets (the names and keys Envoy Gateway's certgen uses) and as
// local files for host mode, and the rotation rule: keep a set until it nears its expiry.
import { X509Certificate } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreV1Api, type KubeConfig, type V1Secret } from '@kubernetes/client-node';
import {
  type CertificateOptions,
  type Certificates,
  DEFAULT_NAMESPACE,
  DEFAULT_VALIDITY_MS,
  generateCertificates,
  type KeyPair,
} from './certificates.js';

/** The Secrets certgen owns, by name. */
export const SECRET_NAMES = [
  'envoy-gateway',
  'envoy',
  'envoy-rate-limit',
  'envoy-oidc-hmac',
] as const;

const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');

const tlsSecret = (name: string, namespace: string, ca: string, pair: KeyPair): V1Secret => ({
  apiVersion: 'v1',
  kind: 'Secret',
  type: 'kubernetes.io/tls',
  metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'egts-certgen' } },
  data: { 'ca.crt': b64(ca), 'tls.crt': b64(pair.cert), 'tls.key': b64(pair.key) },
});

/** `envoy-gateway`, `envoy`, `envoy-rate-limit` (kubernetes.io/tls with ca.crt) and `envoy-oidc-hmac`. */
export const certificateSecrets = (
  certs: Certificates,
  namespace = DEFAULT_NAMESPACE,
): V1Secret[] => [
  tlsSecret('envoy-gateway', namespace, certs.ca, certs.envoyGateway),
  tlsSecret('envoy', namespace, certs.ca, certs.envoy),
  tlsSecret('envoy-rate-limit', namespace, certs.ca, certs.rateLimit),
  {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name: 'envoy-oidc-hmac',
      namespace,
      labels: { 'app.kubernetes.io/managed-by': 'egts-certgen' },
    },
    data: { 'hmac-secret': b64(certs.hmacSecret) },
  },
];

/**
 * `egts certgen --local`: `<dir>/<envoy-gateway|envoy|envoy-rate-limit>/{ca.crt,tls.crt,tls.key}` and
 * `<dir>/envoy-oidc-hmac/hmac-secret`, keys readable by the owner only.
 */
export const writeCertificateFiles = async (certs: Certificates, dir: string): Promise<void> => {
  const pairs: Array<[string, KeyPair]> = [
    ['envoy-gateway', certs.envoyGateway],
    ['envoy', certs.envoy],
    ['envoy-rate-limit', certs.rateLimit],
  ];
  for (const [name, pair] of pairs) {
    await mkdir(join(dir, name), { recursive: true });
    await writeFile(join(dir, name, 'ca.crt'), certs.ca);
    await writeFile(join(dir, name, 'tls.crt'), pair.cert);
    await writeFile(join(dir, name, 'tls.key'), pair.key, { mode: 0o600 });
  }
  await mkdir(join(dir, 'envoy-oidc-hmac'), { recursive: true });
  await writeFile(join(dir, 'envoy-oidc-hmac', 'hmac-secret'), certs.hmacSecret, { mode: 0o600 });
};

export interface ApplySecretsOptions extends CertificateOptions {
  readonly kubeConfig: KubeConfig;
  /** Re-issue when any certificate expires within this; default a third of the validity. */
  readonly renewBeforeMs?: number;
  /** Re-issue even when the current set is still good. */
  readonly overwrite?: boolean;
}

export interface ApplySecretsResult {
  readonly action: 'created' | 'rotated' | 'kept';
  /** When the set in the cluster now expires. */
  readonly notAfter: Date;
  /** When it should be re-issued: run again then (egts server or a CronJob). */
  readonly renewAt: Date;
}

const isNotFound = (error: unknown) => (error as { code?: number } | undefined)?.code === 404;

/**
 * Creates the Secrets, or re-issues the whole set (a new CA, so nothing old stays trusted) when one
 * is missing, unreadable, or expires within `renewBeforeMs`. Otherwise leaves them alone, so it is
 * safe to run at every start.
 */
export const applyCertificateSecrets = async (
  options: ApplySecretsOptions,
): Promise<ApplySecretsResult> => {
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  const validityMs = options.validityMs ?? DEFAULT_VALIDITY_MS;
  const renewBeforeMs = options.renewBeforeMs ?? Math.floor(validityMs / 3);
  const now = options.now ?? new Date();
  const api = options.kubeConfig.makeApiClient(CoreV1Api);
  const wanted = SECRET_NAMES;
  const existing = new Map<string, V1Secret>();
  for (const name of wanted) {
    try {
      existing.set(name, await api.readNamespacedSecret({ name, namespace }));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  let earliest: Date | undefined;
  let complete = existing.size === wanted.length;
  for (const secret of existing.values()) {
    const cert = secret.data?.['tls.crt'];
    if (secret.type !== 'kubernetes.io/tls') continue;
    try {
      const notAfter = new Date(new X509Certificate(Buffer.from(cert ?? '', 'base64')).validTo);
      if (!earliest || notAfter < earliest) earliest = notAfter;
    } catch {
      complete = false;
    }
  }
  if (
    complete &&
    earliest &&
    !options.overwrite &&
    earliest.getTime() - renewBeforeMs > now.getTime()
  ) {
    return {
      action: 'kept',
      notAfter: earliest,
      renewAt: new Date(earliest.getTime() - renewBeforeMs),
    };
  }
  const certs = generateCertificates({ ...options, namespace, now });
  for (const secret of certificateSecrets(certs, namespace)) {
    const name = secret.metadata?.name as string;
    const current = existing.get(name);
    if (current) {
      await api.replaceNamespacedSecret({
        name,
        namespace,
        // With the resourceVersion read: a concurrent certgen makes this fail, not overwrite.
        body: {
          ...secret,
          metadata: {
            ...secret.metadata,
            resourceVersion: current.metadata?.resourceVersion ?? '',
          },
        },
      });
    } else {
      await api.createNamespacedSecret({ namespace, body: secret });
    }
  }
  return {
    action: existing.size === 0 ? 'created' : 'rotated',
    notAfter: certs.notAfter,
    renewAt: new Date(certs.notAfter.getTime() - renewBeforeMs),
  };
};
