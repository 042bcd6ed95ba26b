// EnvoyProxy `backendTLS`: what a fleet's proxies use toward every backend they reach over TLS (a
// BackendTLSPolicy or a Backend's tls): the client certificate they present (`clientCertificateRef`,
// where the Gateway sets none of its own, GEP-3155) and the TLS parameters they offer where the
// backend's own settings name none, as Envoy Gateway applies them.
import type { UpstreamTLS } from '@egts/ir';
import type { GatewayContext } from '../context/gatewayContext.js';
import type { TranslatorContext } from '../context/translatorContext.js';
import { parseTLSSecret } from '../listeners/certificates.js';
import { isReferenceAllowed } from '../referenceGrants.js';
import { ENVOY_GATEWAY_GROUP, nsName } from '../types.js';
import { obj } from './validation/policyValues.js';

export type BackendTLSDefaults = Pick<
  UpstreamTLS,
  'minVersion' | 'maxVersion' | 'ciphers' | 'ecdhCurves' | 'signatureAlgorithms' | 'alpnProtocols'
>;

const version = (v: unknown): '1.2' | '1.3' | undefined =>
  v === '1.2' || v === '1.3' ? v : undefined;
const strings = (v: unknown): string[] | undefined => {
  const out = Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
  return out.length > 0 ? out : undefined;
};

/** Sets the Gateway's backend client certificate and TLS defaults from its EnvoyProxy. */
export function resolveEnvoyProxyBackendTLS(ctx: TranslatorContext, gw: GatewayContext): undefined {
  const proxy = gw.envoyProxy;
  const tls = obj(obj(proxy?.spec)?.backendTLS);
  if (!proxy || !tls) return;
  const defaults: BackendTLSDefaults = {};
  const min = version(tls.minVersion);
  const max = version(tls.maxVersion);
  if (min) defaults.minVersion = min;
  if (max) defaults.maxVersion = max;
  for (const key of ['ciphers', 'ecdhCurves', 'signatureAlgorithms', 'alpnProtocols'] as const) {
    const values = strings(tls[key]);
    if (values) defaults[key] = values;
  }
  if (Object.keys(defaults).length > 0) gw.backendTLSDefaults = defaults;
  const ref = obj(tls.clientCertificateRef);
  if (!ref || gw.backendClientCertificate || typeof ref.name !== 'string') return;
  const proxyNamespace = proxy.metadata.namespace ?? 'default';
  const namespace = typeof ref.namespace === 'string' ? ref.namespace : proxyNamespace;
  const fail = (message: string): undefined => {
    gw.conditions.set(
      'Accepted',
      'False',
      'InvalidParameters',
      `EnvoyProxy ${proxyNamespace}/${proxy.metadata.name} spec.backendTLS.clientCertificateRef: ${message}`,
    );
    return undefined;
  };
  if ((ref.group ?? '') !== '' || (ref.kind ?? 'Secret') !== 'Secret')
    return fail('must be a core Secret.');
  if (
    !isReferenceAllowed(
      ctx,
      { group: ENVOY_GATEWAY_GROUP, kind: 'EnvoyProxy', namespace: proxyNamespace },
      { group: '', kind: 'Secret', namespace, name: ref.name },
    )
  )
    return fail(`Secret ${namespace}/${ref.name} not permitted by any ReferenceGrant.`);
  const secret = ctx.secrets.get(nsName(namespace, ref.name));
  if (!secret) return fail(`Secret ${namespace}/${ref.name} does not exist.`);
  const parsed = parseTLSSecret(secret, ctx.options.now);
  if (typeof parsed === 'string') return fail(`Secret ${parsed}.`);
  gw.backendClientCertificate = {
    name: `${parsed.secretKey}/client`,
    certificate: parsed.certificatePem,
    privateKey: parsed.privateKeyPem,
  };
}
