// TLS configuration of a listener per protocol: HTTPS needs Terminate with certificates, TLS takes
// Passthrough (no certificates) or Terminate, others take no TLS. Certificate refs must name TLS
// Secrets, cross-namespace only with a ReferenceGrant (from Gateway, or ListenerSet per GEP-1713).
import type { ListenerContext } from '../context/listenerContext.js';
import type { TranslatorContext } from '../context/translatorContext.js';
import { isReferenceAllowed } from '../referenceGrants.js';
import { type ListenerReason, ListenerStatusError } from '../status/statusError.js';
import { GATEWAY_GROUP, nsName } from '../types.js';
import { type ParsedCertificate, parseTLSSecret } from './certificates.js';
import { validateFrontendValidation } from './frontendValidation.js';

const invalid = (message: string) => new ListenerStatusError('Programmed', 'Invalid', message);

/** Resolve and parse certificateRefs; returns false when no certificate is usable. */
function resolveCertificates(ctx: TranslatorContext, listener: ListenerContext): boolean {
  const refs = listener.spec.tls?.certificateRefs ?? [];
  if (refs.length === 0) {
    listener.setError(
      new ListenerStatusError(
        'ResolvedRefs',
        'InvalidCertificateRef',
        'Listener must have at least 1 TLS certificate ref.',
      ),
    );
    return false;
  }
  const errors: { reason: ListenerReason; message: string }[] = [];
  const parsed: ParsedCertificate[] = [];
  const fromKind = listener.listenerSet ? 'ListenerSet' : 'Gateway';
  const fromNamespace = listener.ownerNamespace;
  for (const ref of refs) {
    if ((ref.group ?? '') !== '') {
      errors.push({
        reason: 'InvalidCertificateRef',
        message: `Certificate ref group must be empty, got ${ref.group}.`,
      });
      continue;
    }
    if ((ref.kind ?? 'Secret') !== 'Secret') {
      errors.push({
        reason: 'InvalidCertificateRef',
        message: `Certificate ref kind must be Secret, got ${ref.kind}.`,
      });
      continue;
    }
    const namespace = ref.namespace || fromNamespace;
    const allowed = isReferenceAllowed(
      ctx,
      { group: GATEWAY_GROUP, kind: fromKind, namespace: fromNamespace },
      { group: '', kind: 'Secret', namespace, name: ref.name },
    );
    if (!allowed) {
      errors.push({
        reason: 'RefNotPermitted',
        message: `Certificate ref to secret ${namespace}/${ref.name} not permitted by any ReferenceGrant.`,
      });
      continue;
    }
    const secret = ctx.secrets.get(nsName(namespace, ref.name));
    if (!secret) {
      errors.push({
        reason: 'InvalidCertificateRef',
        message: `Secret ${namespace}/${ref.name} does not exist.`,
      });
      continue;
    }
    if (secret.type !== 'kubernetes.io/tls') {
      errors.push({
        reason: 'InvalidCertificateRef',
        message: `Secret ${namespace}/${ref.name} must be of type kubernetes.io/tls.`,
      });
      continue;
    }
    const result = parseTLSSecret(secret, ctx.options.now);
    if (typeof result === 'string') {
      errors.push({ reason: 'InvalidCertificateRef', message: `Secret ${result}.` });
      continue;
    }
    parsed.push(result);
  }
  // One certificate per domain and key algorithm: Envoy could not choose between two.
  const seen = new Map<string, string>();
  const usable = parsed.filter((cert) => {
    for (const dns of cert.dnsNames) {
      const owner = seen.get(`${dns}|${cert.keyAlgorithm}`);
      if (owner && owner !== cert.secretKey) {
        errors.push({
          reason: 'InvalidCertificateRef',
          message: `${cert.secretKey} public key algorithm must be unique, domain ${dns} has a conflicting ${cert.keyAlgorithm} certificate.`,
        });
        return false;
      }
    }
    for (const dns of cert.dnsNames) seen.set(`${dns}|${cert.keyAlgorithm}`, cert.secretKey);
    return true;
  });
  listener.certificates = usable.map((c) => ({
    name: c.secretKey,
    certificate: c.certificatePem,
    privateKey: c.privateKeyPem,
  }));
  listener.certDNSNames = usable.flatMap((c) => c.dnsNames);
  const first = errors[0];
  if (!first) return true;
  const message = errors.map((e) => e.message).join(' ');
  if (usable.length === 0) {
    listener.setError(new ListenerStatusError('ResolvedRefs', first.reason, message));
    return false;
  }
  listener.setError(
    new ListenerStatusError('ResolvedRefs', 'PartiallyInvalidCertificateRef', message),
  );
  return true;
}

export function validateListenerTLS(ctx: TranslatorContext, listener: ListenerContext): boolean {
  const tls = listener.spec.tls;
  switch (listener.protocol) {
    case 'HTTP':
    case 'TCP':
    case 'UDP':
      if (tls) {
        listener.setError(
          invalid(`Listener must not have TLS set when protocol is ${listener.protocol}.`),
        );
        return false;
      }
      return true;
    case 'HTTPS':
      if (!tls) {
        listener.setError(invalid('Listener must have TLS set when protocol is HTTPS.'));
        return false;
      }
      if ((tls.mode ?? 'Terminate') !== 'Terminate') {
        listener.setError(
          new ListenerStatusError(
            'Programmed',
            'UnsupportedTLSMode',
            `TLS ${tls.mode} mode is not supported, TLS mode must be Terminate.`,
          ),
        );
        return false;
      }
      return validateFrontendValidation(ctx, listener) && resolveCertificates(ctx, listener);
    case 'TLS':
      if (!tls) {
        listener.setError(invalid('Listener must have TLS set when protocol is TLS.'));
        return false;
      }
      if (tls.mode === 'Passthrough') {
        if ((tls.certificateRefs ?? []).length > 0) {
          listener.setError(
            invalid('Listener must not have TLS certificate refs set for TLS mode Passthrough.'),
          );
          return false;
        }
        return true;
      }
      return resolveCertificates(ctx, listener);
    default:
      return true;
  }
}
