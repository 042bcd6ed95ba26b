// Client certificate validation of HTTPS listeners (Gateway spec.tls.frontend, GEP-91): the
// per-port configuration for the listener's port, else the default. Its CA references must be
// ConfigMaps (or Secrets) holding a certificate, cross-namespace only with a ReferenceGrant;
// otherwise the listener is not accepted (NoValidCACertificate) and the Gateway's ResolvedRefs is
// InvalidParameters.
import { readCABundle } from '../caCertificates.js';
import type { GatewayContext } from '../context/gatewayContext.js';
import type { ListenerContext } from '../context/listenerContext.js';
import type { TranslatorContext } from '../context/translatorContext.js';
import { isReferenceAllowed } from '../referenceGrants.js';
import { type ListenerReason, ListenerStatusError } from '../status/statusError.js';
import { GATEWAY_GROUP } from '../types.js';

type Frontend = NonNullable<
  NonNullable<ListenerContext['gateway']['resource']['spec']['tls']>['frontend']
>;
type Validation = NonNullable<Frontend['default']['validation']>;

/** The validation that applies to a listener's port, if any. */
export function frontendValidationFor(listener: ListenerContext): Validation | undefined {
  const frontend = listener.gateway.resource.spec.tls?.frontend;
  if (!frontend) return undefined;
  const perPort = frontend.perPort?.find((p) => p.port === listener.port);
  if (perPort) return perPort.tls?.validation ?? undefined;
  return frontend.default?.validation ?? undefined;
}

function problemOf(
  ctx: TranslatorContext,
  listener: ListenerContext,
  validation: Validation,
): [ListenerReason, string] | undefined {
  const from = { group: GATEWAY_GROUP, kind: 'Gateway', namespace: listener.gateway.namespace };
  for (const ref of validation.caCertificateRefs ?? []) {
    const kind = ref.kind;
    if ((ref.group ?? '') !== '' || (kind !== 'ConfigMap' && kind !== 'Secret')) {
      return [
        'InvalidCACertificateKind',
        `CA certificate ref kind ${kind} is not supported, use a ConfigMap.`,
      ];
    }
    const namespace = ref.namespace || listener.gateway.namespace;
    if (!isReferenceAllowed(ctx, from, { group: '', kind, namespace, name: ref.name })) {
      return [
        'RefNotPermitted',
        `CA certificate ref to ${kind} ${namespace}/${ref.name} not permitted by any ReferenceGrant.`,
      ];
    }
    // Envoy Gateway only checks that the bundle exists here; Envoy rejects a bad one.
    if (!readCABundle(ctx, kind, namespace, ref.name, { parse: false })) {
      return [
        'InvalidCACertificateRef',
        `${kind} ${namespace}/${ref.name} does not exist or holds no CA certificate.`,
      ];
    }
  }
  return undefined;
}

/**
 * What Envoy enforces: the referenced CA bundles together. A bundle that does not parse is passed
 * as it is, as Envoy Gateway does: Envoy rejects that listener rather than trusting every client.
 */
function clientValidation(
  ctx: TranslatorContext,
  listener: ListenerContext,
  validation: Validation,
): ListenerContext['clientValidation'] {
  const pems = (validation.caCertificateRefs ?? []).map((ref) => {
    const kind = ref.kind as 'ConfigMap' | 'Secret';
    const namespace = ref.namespace || listener.gateway.namespace;
    const pem =
      readCABundle(ctx, kind, namespace, ref.name) ??
      readCABundle(ctx, kind, namespace, ref.name, { parse: false }) ??
      '';
    return pem.trim();
  });
  return {
    caCertificate: `${pems.join('\n')}\n`,
    allowInsecureFallback: validation.mode === 'AllowInsecureFallback',
  };
}

/** Validates the client validation of an HTTPS listener; false when the listener cannot be served. */
export function validateFrontendValidation(
  ctx: TranslatorContext,
  listener: ListenerContext,
): boolean {
  if (listener.listenerSet) return true;
  const validation = frontendValidationFor(listener);
  if (!validation) return true;
  const problem = problemOf(ctx, listener, validation);
  if (!problem) {
    listener.clientValidation = clientValidation(ctx, listener, validation);
    return true;
  }
  const [reason, message] = problem;
  listener.conditions.set('Accepted', 'False', 'NoValidCACertificate', message);
  listener.setError(new ListenerStatusError('Programmed', reason, message));
  listener.setError(new ListenerStatusError('ResolvedRefs', reason, message));
  listener.gateway.frontendInvalid = true;
  return false;
}

/** Gateway conditions about its TLS references (GEP-91 frontend validation, GEP-3155 backend). */
export function applyGatewayTLSConditions(gw: GatewayContext): void {
  if (gw.frontendInvalid && !gw.conditions.isFalse('ResolvedRefs')) {
    gw.conditions.set(
      'ResolvedRefs',
      'False',
      'InvalidParameters',
      'Client certificate validation (spec.tls.frontend) references unusable CA certificates.',
    );
  }
  const frontend = gw.resource.spec.tls?.frontend;
  const validations = [
    frontend?.default?.validation,
    ...(frontend?.perPort ?? []).map((p) => p.tls?.validation),
  ];
  if (validations.some((v) => v?.mode === 'AllowInsecureFallback')) {
    gw.conditions.set(
      'InsecureFrontendValidationMode',
      'True',
      'ConfigurationChanged',
      'Client certificate validation accepts connections without a valid certificate.',
    );
  }
  gw.conditions.setDefault(
    'ResolvedRefs',
    'True',
    'ResolvedRefs',
    'Gateway references have been resolved.',
  );
}
