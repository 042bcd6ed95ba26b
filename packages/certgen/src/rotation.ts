// Rotation of the xDS mTLS certificates without disrupting anyone. Both ends read their certificate
// and the trust bundle (`ca.crt`) from Secret volumes, which the kubelet updates some time after a
// Secret changes (the "propagation" delay), each pod at its own moment. So no step may leave a peer
// presenting a certificate the other end does not trust yet:
// - certificates are re-issued from the same CA well before they expire;
// - a CA is replaced in three steps, each waiting out the propagation delay: the new CA joins the
//   bundle; then it signs new certificates; then the old CA leaves the bundle.
// The signing CA and its key live in the `envoy-gateway-ca` Secret with the bundle.
import { randomBytes, X509Certificate } from 'node:crypto';
import type { CoreV1Api, KubeConfig, V1Secret } from '@kubernetes/client-node';
import {
  type CertificateOptions,
  DEFAULT_CA_VALIDITY_MS,
  DEFAULT_NAMESPACE,
  DEFAULT_VALIDITY_MS,
  issueCa,
  issueLeafCertificates,
  type KeyPair,
} from './certificates.js';
import { CA_SECRET, HMAC_SECRET, LEAF_SECRETS, opaqueSecret, tlsSecret } from './secrets.js';
import { applyWebhookCaBundle } from './webhookCaBundle.js';

export interface ApplySecretsOptions extends CertificateOptions {
  readonly kubeConfig: KubeConfig;
  /** Re-issue certificates this long before they expire; default a third of their validity. */
  readonly renewBeforeMs?: number;
  /** CA validity; default a year. */
  readonly caValidityMs?: number;
  /** Start replacing the CA this long before it expires; default a third of its validity. */
  readonly caRenewBeforeMs?: number;
  /**
   * How long a Secret change may take to reach every pod that mounts it: the kubelet's sync period
   * plus its cache TTL (a minute each by default); default 5 minutes.
   */
  readonly propagationMs?: number;
  /** Re-issue the certificates (from the current CA) even when they are still good. */
  readonly overwrite?: boolean;
  /**
   * MutatingWebhookConfigurations whose webhooks egts serves with the `envoy-gateway` certificate
   * (the topology injector's, `envoy-gateway-topology-injector.<namespace>`): their `caBundle` is
   * kept equal to the trust bundle. One that does not exist is skipped.
   */
  readonly webhookConfigurations?: readonly string[];
}

export interface ApplySecretsResult {
  /** `created` on a first run, `rotated` when anything was written, else `kept`. */
  readonly action: 'created' | 'rotated' | 'kept';
  /** What was done, in order: `ca-created`, `ca-added`, `ca-promoted`, `ca-retired`, `certificates-issued`, `bundle-updated`, `webhook-ca-updated`. */
  readonly steps: readonly string[];
  /** When the certificates in the cluster now expire. */
  readonly notAfter: Date;
  /** When they will be re-issued. */
  readonly renewAt: Date;
  /** When the next step is due (a renewal or a stage of a CA rotation): run again then. */
  readonly nextAt: Date;
}

const DEFAULT_PROPAGATION_MS = 5 * 60_000;
const BUNDLE_CHANGED_AT = 'certgen.egts.io/bundle-changed-at';
const SIGNER_CHANGED_AT = 'certgen.egts.io/signer-changed-at';

const isNotFound = (error: unknown) => (error as { code?: number } | undefined)?.code === 404;

const pems = (bundle: string): string[] =>
  bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];

const text = (secret: V1Secret | undefined, key: string): string | undefined => {
  const value = secret?.data?.[key];
  return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
};

const parse = (pem: string | undefined): X509Certificate | undefined => {
  if (pem === undefined) return undefined;
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
};

const expiry = (cert: X509Certificate) => new Date(cert.validTo).getTime();

interface CaState {
  signer: KeyPair;
  next: KeyPair | undefined;
  bundle: string[];
  bundleChangedAt: number;
  signerChangedAt: number;
}

const readCaState = (secret: V1Secret | undefined): CaState | undefined => {
  const cert = text(secret, 'tls.crt');
  const key = text(secret, 'tls.key');
  const bundle = text(secret, 'ca.crt');
  if (!cert || !key || !bundle || !parse(cert)) return undefined;
  const nextCert = text(secret, 'next.crt');
  const nextKey = text(secret, 'next.key');
  const time = (name: string) => Date.parse(secret?.metadata?.annotations?.[name] ?? '') || 0;
  return {
    signer: { cert, key },
    next: nextCert && nextKey && parse(nextCert) ? { cert: nextCert, key: nextKey } : undefined,
    bundle: pems(bundle),
    bundleChangedAt: time(BUNDLE_CHANGED_AT),
    signerChangedAt: time(SIGNER_CHANGED_AT),
  };
};

/**
 * One reconciliation of the Secrets in `namespace`, safe to run at any time and from anywhere
 * (`egts certgen`, the leading `egts server`): creates what is missing and takes whichever rotation
 * step is due. Writes are conditional on the resourceVersion read, so a concurrent run fails
 * instead of overwriting; run again.
 */
export const applyCertificateSecrets = async (
  options: ApplySecretsOptions,
): Promise<ApplySecretsResult> => {
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  const validityMs = options.validityMs ?? DEFAULT_VALIDITY_MS;
  const renewBeforeMs = options.renewBeforeMs ?? Math.floor(validityMs / 3);
  const caValidityMs = options.caValidityMs ?? DEFAULT_CA_VALIDITY_MS;
  const caRenewBeforeMs = options.caRenewBeforeMs ?? Math.floor(caValidityMs / 3);
  const propagationMs = options.propagationMs ?? DEFAULT_PROPAGATION_MS;
  // A renewed certificate must reach its holder before the old one expires, and a CA rotation
  // (two propagation waits) must end before the old CA expires, with room for one renewal.
  if (
    renewBeforeMs >= validityMs ||
    renewBeforeMs <= propagationMs ||
    caRenewBeforeMs < renewBeforeMs + 2 * propagationMs ||
    caRenewBeforeMs >= caValidityMs
  ) {
    throw new Error(
      'certificate timing: need propagation < renewBefore < validity and renewBefore + 2 * propagation <= caRenewBefore < caValidity',
    );
  }
  const now = (options.now ?? new Date()).getTime();
  // Loaded here, not at the top: host mode imports this package for its local certificates and
  // must not pay for the Kubernetes client at start-up (issue #24).
  const { CoreV1Api } = await import('@kubernetes/client-node');
  const api = options.kubeConfig.makeApiClient(CoreV1Api);
  const read = async (name: string) => {
    try {
      return await api.readNamespacedSecret({ name, namespace });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  };
  const caSecret = await read(CA_SECRET);
  const leaves = new Map<string, V1Secret | undefined>();
  for (const [name] of LEAF_SECRETS) leaves.set(name, await read(name));
  const steps: string[] = [];

  let state = readCaState(caSecret);
  let reissue = options.overwrite === true;
  if (state === undefined) {
    const signer = issueCa({ validityMs: caValidityMs, now: new Date(now) });
    state = {
      signer,
      next: undefined,
      bundle: [signer.cert],
      bundleChangedAt: now,
      signerChangedAt: now,
    };
    steps.push('ca-created');
    reissue = true;
  } else {
    // 2. The new CA has been trusted everywhere for a propagation delay: it signs from now on.
    if (state.next && now >= state.bundleChangedAt + propagationMs) {
      state = { ...state, signer: state.next, next: undefined, signerChangedAt: now };
      steps.push('ca-promoted');
      reissue = true;
    }
    // 3. Certificates of a replaced CA have had a propagation delay to be replaced: it goes.
    const current = new Set([state.signer.cert, state.next?.cert]);
    const kept = state.bundle.filter((pem) => {
      const cert = parse(pem);
      if (!cert || expiry(cert) <= now) return false;
      return current.has(pem) || now < state!.signerChangedAt + propagationMs;
    });
    if (kept.length !== state.bundle.length) {
      state = { ...state, bundle: kept, bundleChangedAt: now };
      steps.push('ca-retired');
    }
    // 1. The signing CA nears its expiry: a new one joins the bundle, not signing yet.
    const signerExpiry = expiry(parse(state.signer.cert)!);
    if (!state.next && now >= signerExpiry - caRenewBeforeMs) {
      const next = issueCa({ validityMs: caValidityMs, now: new Date(now) });
      state = { ...state, next, bundle: [...state.bundle, next.cert], bundleChangedAt: now };
      steps.push('ca-added');
    }
  }
  const signer = parse(state.signer.cert)!;
  const bundle = state.bundle.join('');

  // Certificates are re-issued together: when one is missing, broken, from another CA, or due.
  const leafCerts = [...leaves.values()].map((s) => parse(text(s, 'tls.crt')));
  const leafExpiry = Math.min(...leafCerts.map((c) => (c ? expiry(c) : 0)));
  const signedBySigner = (c: X509Certificate | undefined) =>
    c?.checkIssued(signer) === true && c.verify(signer.publicKey);
  if (!leafCerts.every(signedBySigner)) reissue = true;
  if (now >= leafExpiry - renewBeforeMs) reissue = true;

  const writes: V1Secret[] = [];
  let notAfter = leafExpiry;
  if (reissue) {
    const issued = issueLeafCertificates(state.signer, {
      ...options,
      namespace,
      validityMs,
      now: new Date(now),
    });
    for (const [name, field] of LEAF_SECRETS)
      writes.push(tlsSecret(name, namespace, bundle, issued[field]));
    notAfter = issued.notAfter.getTime();
    steps.push('certificates-issued');
  } else {
    let updated = false;
    for (const [name, secret] of leaves) {
      if (text(secret, 'ca.crt') === bundle) continue;
      const pair = { cert: text(secret, 'tls.crt')!, key: text(secret, 'tls.key')! };
      writes.push(tlsSecret(name, namespace, bundle, pair));
      updated = true;
    }
    if (updated) steps.push('bundle-updated');
  }
  // Certificates first, then the CA Secret: its times then say when the certificates got what it
  // describes, and a run cut off between the two writes repeats its step.
  for (const secret of writes) await write(api, secret, leaves.get(secret.metadata!.name!));
  if (steps.some((step) => step.startsWith('ca-'))) {
    const data: Record<string, string> = {
      'tls.crt': state.signer.cert,
      'tls.key': state.signer.key,
      'ca.crt': bundle,
      ...(state.next ? { 'next.crt': state.next.cert, 'next.key': state.next.key } : {}),
    };
    const annotations = {
      [BUNDLE_CHANGED_AT]: new Date(state.bundleChangedAt).toISOString(),
      [SIGNER_CHANGED_AT]: new Date(state.signerChangedAt).toISOString(),
    };
    await write(api, opaqueSecret(CA_SECRET, namespace, data, annotations), caSecret);
  }
  // Webhook configurations trust the bundle as soon as it is written (the API server reads them
  // at once): a CA joining it is trusted there before it signs the serving certificate.
  if (options.webhookConfigurations?.length) {
    const written = await applyWebhookCaBundle(
      options.kubeConfig,
      options.webhookConfigurations,
      bundle,
    );
    if (written.length > 0) steps.push('webhook-ca-updated');
  }
  // The OIDC HMAC secret is made once: a new one would log out every OIDC session.
  const hmac = await read(HMAC_SECRET);
  if (hmac === undefined) {
    await write(
      api,
      opaqueSecret(HMAC_SECRET, namespace, { 'hmac-secret': randomBytes(32) }),
      undefined,
    );
  }

  const renewAt = notAfter - renewBeforeMs;
  const due = [renewAt];
  if (state.next) due.push(state.bundleChangedAt + propagationMs);
  else due.push(expiry(signer) - caRenewBeforeMs);
  if (state.bundle.some((pem) => pem !== state.signer.cert && pem !== state.next?.cert))
    due.push(state.signerChangedAt + propagationMs);
  return {
    action:
      caSecret === undefined && [...leaves.values()].every((s) => s === undefined)
        ? 'created'
        : steps.length > 0
          ? 'rotated'
          : 'kept',
    steps,
    notAfter: new Date(notAfter),
    renewAt: new Date(renewAt),
    nextAt: new Date(Math.max(now, Math.min(...due))),
  };
};

/** Creates the Secret, or replaces it at the resourceVersion it was read at. */
const write = async (api: CoreV1Api, secret: V1Secret, current: V1Secret | undefined) => {
  const namespace = secret.metadata!.namespace!;
  const name = secret.metadata!.name!;
  if (current === undefined) {
    await api.createNamespacedSecret({ namespace, body: secret });
    return;
  }
  await api.replaceNamespacedSecret({
    name,
    namespace,
    body: {
      ...secret,
      metadata: { ...secret.metadata, resourceVersion: current.metadata?.resourceVersion ?? '' },
    },
  });
};
