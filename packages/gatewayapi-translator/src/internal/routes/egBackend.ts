// An Envoy Gateway Backend as a destination group: its endpoints (IP, FQDN, Unix socket, with an
// optional hostname), its application protocol (`appProtocols`: h2c speaks HTTP/2 in
// clear text, WebSocket is HTTP/1.1 with upgrades), its priority (`fallback` backends serve only
// when the others are unhealthy) and its own TLS (`spec.tls`), merged with a BackendTLSPolicy as
// Envoy Gateway merges them: the policy's validation wins, the Backend adds the rest.
import type { Backend } from '@egts/api';
import type { DestinationSetting, Endpoint, UpstreamTLS } from '@egts/ir';
import { readCABundle } from '../caCertificates.js';
import type { TranslatorContext } from '../context/translatorContext.js';
import { parseTLSSecret } from '../listeners/certificates.js';
import { isReferenceAllowed } from '../referenceGrants.js';
import { type RouteStatusError, unresolvedRef } from '../status/statusError.js';
import { ENVOY_GATEWAY_GROUP, nsName } from '../types.js';

type AppProtocol = DestinationSetting['protocol'];
type BackendTLS = NonNullable<Backend['spec']['tls']>;

/** The protocol to speak to a Backend: HTTP/2 without TLS when it lists h2c. */
export function backendProtocol(backend: Backend, protocol: AppProtocol): AppProtocol {
  if (protocol !== 'HTTP') return protocol;
  return (backend.spec.appProtocols ?? []).includes('gateway.envoyproxy.io/h2c')
    ? 'HTTP2'
    : protocol;
}

/** The Backend's endpoints, and which address kinds they use. */
export function backendEndpoints(backend: Backend): { endpoints: Endpoint[]; kinds: Set<string> } {
  const endpoints: Endpoint[] = [];
  const kinds = new Set<string>();
  for (const ep of backend.spec.endpoints ?? []) {
    // `zone`: the endpoint's locality, for zone-aware routing (as an EndpointSlice zone).
    const extra = {
      ...(ep.hostname ? { hostname: ep.hostname } : {}),
      ...(ep.zone ? { zone: ep.zone } : {}),
    };
    if (ep.fqdn) {
      kinds.add('FQDN');
      endpoints.push({ host: ep.fqdn.hostname, port: ep.fqdn.port, ready: true, ...extra });
    } else if (ep.ip) {
      kinds.add('IP');
      endpoints.push({ host: ep.ip.address, port: ep.ip.port, ready: true, ...extra });
    } else if (ep.unix) {
      kinds.add('Unix');
      endpoints.push({
        host: ep.unix.path,
        port: 0,
        unixPath: ep.unix.path,
        ready: true,
        ...extra,
      });
    }
  }
  return { endpoints, kinds };
}

const TLS_VERSION = (v: string | undefined): '1.2' | '1.3' | undefined =>
  v === '1.2' || v === '1.3' ? v : undefined;

/** The certificate the proxy presents to the Backend (`tls.clientCertificateRef`). */
function clientCertificate(
  ctx: TranslatorContext,
  backend: Backend,
  tls: BackendTLS,
): UpstreamTLS['clientCertificate'] | RouteStatusError | undefined {
  const ref = tls.clientCertificateRef;
  if (!ref) return undefined;
  const own = backend.metadata.namespace ?? 'default';
  const namespace = ref.namespace ?? own;
  if (
    namespace !== own &&
    !isReferenceAllowed(
      ctx,
      { group: ENVOY_GATEWAY_GROUP, kind: 'Backend', namespace: own },
      { group: '', kind: 'Secret', namespace, name: ref.name },
    )
  )
    return unresolvedRef(
      'RefNotPermitted',
      `Backend ${own}/${backend.metadata.name}: client certificate ${namespace}/${ref.name} not permitted by any ReferenceGrant.`,
    );
  const secret = ctx.secrets.get(nsName(namespace, ref.name));
  const parsed = secret ? parseTLSSecret(secret, ctx.options.now) : `${namespace}/${ref.name}`;
  if (typeof parsed === 'string')
    return unresolvedRef(
      'InvalidBackendRef',
      `Backend ${own}/${backend.metadata.name}: client certificate Secret ${parsed} is missing or invalid.`,
    );
  return {
    name: `${parsed.secretKey}/backend-client`,
    certificate: parsed.certificatePem,
    privateKey: parsed.privateKeyPem,
  };
}

/**
 * The CA bundle of `tls.caCertificateRefs`: ConfigMaps or Secrets of the Backend's namespace, or
 * ClusterTrustBundles (cluster-scoped; Envoy Gateway's manifests leave the group empty, the API's
 * is certificates.k8s.io), as Envoy Gateway reads them.
 */
function caBundle(
  ctx: TranslatorContext,
  backend: Backend,
  tls: BackendTLS,
): string | RouteStatusError | undefined {
  const namespace = backend.metadata.namespace ?? 'default';
  const pems: string[] = [];
  for (const ref of tls.caCertificateRefs ?? []) {
    const bundle =
      ref.kind === 'ClusterTrustBundle' &&
      ['', 'certificates.k8s.io'].includes((ref as { group?: string }).group ?? '');
    const kind = bundle
      ? 'ClusterTrustBundle'
      : ref.kind === 'Secret'
        ? 'Secret'
        : ref.kind === 'ConfigMap'
          ? 'ConfigMap'
          : '';
    const pem = kind ? readCABundle(ctx, kind, namespace, ref.name) : undefined;
    if (!pem)
      return unresolvedRef(
        'InvalidBackendRef',
        `Backend ${namespace}/${backend.metadata.name}: CA certificate ${ref.kind} ${bundle ? '' : `${namespace}/`}${ref.name} does not exist or holds no valid CA certificate.`,
      );
    pems.push(pem);
  }
  return pems.length > 0 ? pems.join('\n') : undefined;
}

/**
 * Upstream TLS of a Backend: its `spec.tls` over the BackendTLSPolicy's settings (`policy`), or
 * the policy's alone; undefined without either.
 */
export function backendTLS(
  ctx: TranslatorContext,
  backend: Backend,
  policy: UpstreamTLS | undefined,
): UpstreamTLS | RouteStatusError | undefined {
  const tls = backend.spec.tls;
  if (!tls) return policy;
  const client = clientCertificate(ctx, backend, tls);
  if (client && !('certificate' in client)) return client;
  const ca = policy ? undefined : caBundle(ctx, backend, tls);
  if (typeof ca === 'object') return ca;
  const min = TLS_VERSION(tls.minVersion);
  const max = TLS_VERSION(tls.maxVersion);
  const extra = {
    ...(client ? { clientCertificate: client } : {}),
    ...(min ? { minVersion: min } : {}),
    ...(max ? { maxVersion: max } : {}),
    ...(tls.ciphers?.length ? { ciphers: tls.ciphers } : {}),
    ...(tls.ecdhCurves?.length ? { ecdhCurves: tls.ecdhCurves } : {}),
    ...(tls.signatureAlgorithms?.length ? { signatureAlgorithms: tls.signatureAlgorithms } : {}),
    ...(tls.alpnProtocols?.length ? { alpnProtocols: tls.alpnProtocols } : {}),
  };
  if (policy) return { ...policy, ...extra };
  const namespace = backend.metadata.namespace ?? 'default';
  return {
    // Without a fixed SNI Envoy Gateway sends the request's Host (auto SNI), or with
    // autoSNIFromEndpointHostname the hostname of the endpoint connected to (auto_host_sni:
    // Envoy prefers auto_sni when both are set, so only one is).
    sni: tls.sni ?? '',
    ...(tls.sni
      ? {}
      : tls.autoSNIFromEndpointHostname === true
        ? { autoHostSni: true }
        : { autoSni: true }),
    ...(ca ? { caCertificate: ca } : {}),
    useSystemTrustStore: ca === undefined && tls.wellKnownCACertificates === 'System',
    subjectAltNames: [],
    policy: `${namespace}/${backend.metadata.name}/backend`,
    ...(tls.insecureSkipVerify === true ? { insecureSkipVerify: true } : {}),
    ...extra,
  };
}
