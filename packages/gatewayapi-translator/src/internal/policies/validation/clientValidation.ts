// ClientTrafficPolicy `tls.clientValidation` (mutual TLS to clients): Envoy Gateway needs at
// least one CA unless the mode only requests a certificate (Request, RequireAny), each reference a Secret or ConfigMap it may read (a ReferenceGrant across
// namespaces) holding a PEM certificate under `ca.crt`, or a ClusterTrustBundle, not all
// expired; otherwise the policy is Invalid.
import { X509Certificate } from 'node:crypto';
import type { TranslatorContext } from '../../context/translatorContext.js';
import { secretValue } from '../../listeners/certificates.js';
import { nsName } from '../../types.js';
import { crlProblem } from './crl.js';
import { localRefProblem } from './localRefs.js';
import type { PolicyRef } from './policyBackendRefs.js';
import { list, type Obj } from './policyValues.js';

function dataValue(
  ctx: TranslatorContext,
  kind: string,
  namespace: string,
  name: string,
  key: string,
) {
  // Cluster-scoped: no namespace, and its one bundle whatever the key.
  if (kind === 'ClusterTrustBundle') return ctx.clusterTrustBundles.get(name)?.spec.trustBundle;
  if (kind === 'ConfigMap') {
    const data = ctx.configMaps.get(nsName(namespace, name))?.data as
      | Record<string, string>
      | null
      | undefined;
    return data?.[key];
  }
  const secret = ctx.secrets.get(nsName(namespace, name));
  return secret ? secretValue(secret, key) : undefined;
}

const caCertificate = (ctx: TranslatorContext, kind: string, namespace: string, name: string) =>
  dataValue(ctx, kind, namespace, name, 'ca.crt');

/** Whether a PEM bundle holds at least one certificate valid at `now` (expired CAs verify nothing). */
function hasUsableCertificate(pem: string, now: Date): boolean {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  return blocks.some((block) => {
    try {
      const cert = new X509Certificate(block);
      return new Date(cert.validFrom) <= now && now <= new Date(cert.validTo);
    } catch {
      return false;
    }
  });
}

/** The PEM CA bundle of every reference (validated before), concatenated; undefined when none. */
export function clientCaBundle(
  ctx: TranslatorContext,
  policy: PolicyRef,
  validation: Obj,
): string | undefined {
  const pems = list(validation.caCertificateRefs).map((ref) => {
    const kind = typeof ref.kind === 'string' && ref.kind ? ref.kind : 'Secret';
    const namespace =
      typeof ref.namespace === 'string' && ref.namespace ? ref.namespace : policy.namespace;
    return caCertificate(ctx, kind, namespace, String(ref.name))?.trim();
  });
  const found = pems.filter((p): p is string => p !== undefined && p !== '');
  return found.length === 0 ? undefined : `${found.join('\n')}\n`;
}

/** The PEM revocation lists of `crl.refs` (validated before), concatenated; undefined when none. */
export function clientCrlBundle(
  ctx: TranslatorContext,
  policy: PolicyRef,
  validation: Obj,
): string | undefined {
  const crl = validation.crl as Obj | undefined;
  const pems = list(crl?.refs).map((ref) => {
    const kind = typeof ref.kind === 'string' && ref.kind ? ref.kind : 'Secret';
    const namespace =
      typeof ref.namespace === 'string' && ref.namespace ? ref.namespace : policy.namespace;
    return dataValue(ctx, kind, namespace, String(ref.name), 'ca.crl')?.trim();
  });
  const found = pems.filter((p): p is string => p !== undefined && p !== '');
  return found.length === 0 ? undefined : `${found.join('\n')}\n`;
}

/**
 * A ClusterTrustBundle reference: cluster-scoped, no grant needed; group certificates.k8s.io, or
 * empty as Envoy Gateway's e2e manifests write it.
 */
function trustBundleRefProblem(
  ctx: TranslatorContext,
  field: string,
  ref: Obj,
): string | undefined {
  if (ref.group !== undefined && ref.group !== '' && ref.group !== 'certificates.k8s.io')
    return `${field}: ClusterTrustBundle is in group certificates.k8s.io, not ${String(ref.group)}`;
  return ctx.clusterTrustBundles.has(String(ref.name))
    ? undefined
    : `${field}: ClusterTrustBundle ${String(ref.name)} not found`;
}

export function clientValidationProblem(
  ctx: TranslatorContext,
  policy: PolicyRef,
  validation: Obj,
): string | undefined {
  const refs = list(validation.caCertificateRefs);
  // Modes Request and RequireAny ask for a certificate without verifying it: no CA needed.
  const verifies = validation.mode !== 'Request' && validation.mode !== 'RequireAny';
  if (refs.length === 0 && verifies) return 'tls.clientValidation needs caCertificateRefs';
  for (const [i, ref] of refs.entries()) {
    const field = `tls.clientValidation.caCertificateRefs[${i}]`;
    const kind = typeof ref.kind === 'string' && ref.kind ? ref.kind : 'Secret';
    const problem =
      kind === 'ClusterTrustBundle'
        ? trustBundleRefProblem(ctx, field, ref)
        : localRefProblem(ctx, policy, field, ref);
    if (problem) return problem;
    const namespace =
      typeof ref.namespace === 'string' && ref.namespace ? ref.namespace : policy.namespace;
    const pem = caCertificate(ctx, kind, namespace, String(ref.name));
    if (!pem || !hasUsableCertificate(pem, ctx.options.now))
      return `${field}: ${kind} ${namespace}/${String(ref.name)} holds no valid PEM CA certificate under ca.crt`;
  }
  const crl = validation.crl as Obj | undefined;
  for (const [i, ref] of list(crl?.refs).entries()) {
    const field = `tls.clientValidation.crl.refs[${i}]`;
    const problem = localRefProblem(ctx, policy, field, ref);
    if (problem) return problem;
    const kind = typeof ref.kind === 'string' && ref.kind ? ref.kind : 'Secret';
    const namespace =
      typeof ref.namespace === 'string' && ref.namespace ? ref.namespace : policy.namespace;
    const pem = dataValue(ctx, kind, namespace, String(ref.name), 'ca.crl');
    const bad = pem ? crlProblem(pem, ctx.options.now) : 'holds no ca.crl';
    if (bad) return `${field}: ${kind} ${namespace}/${String(ref.name)} ${bad}`;
  }
  return undefined;
}
