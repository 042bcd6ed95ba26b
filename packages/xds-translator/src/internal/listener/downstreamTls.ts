// TLS termination: certificates become SDS Secrets named `<namespace>/<secret>`, referenced from
// a DownstreamTlsContext; Envoy picks among several by SNI and key type
// (https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/transport_sockets/tls/v3/tls.proto#extensions-transport-sockets-tls-v3-downstreamtlscontext).
import {
  CertificateValidationContext_TrustChainVerification,
  DownstreamTlsContext,
  QuicDownstreamTransport,
  SubjectAltNameMatcher_SanType,
  TlsParameters_TlsProtocol,
  type TransportSocket,
} from '@egts/envoy-api';
import type { ClientTraffic, ListenerTLS } from '@egts/ir';
import { sessionResumption } from '../defaults.js';
import { certificateSecret, sdsSecret, typedConfig } from '../protoValues.js';
import type { ResourceSet } from '../resourceSet.js';
import { stringMatcher } from '../route/routeMatch.js';

type PolicyTls = NonNullable<ClientTraffic['tls']>;
type SanKind = NonNullable<
  NonNullable<PolicyTls['clientValidation']>['subjectAltNames']
>[number]['kind'];

const TLS_VERSIONS: Record<NonNullable<PolicyTls['minVersion']>, TlsParameters_TlsProtocol> = {
  '1.0': TlsParameters_TlsProtocol.TLSv1_0,
  '1.1': TlsParameters_TlsProtocol.TLSv1_1,
  '1.2': TlsParameters_TlsProtocol.TLSv1_2,
  '1.3': TlsParameters_TlsProtocol.TLSv1_3,
};

/** A ClientTrafficPolicy's TLS parameters (versions, ciphers, curves, signature algorithms). */
const tlsParams = (policy: PolicyTls | undefined) => {
  if (policy === undefined) return {};
  const params = {
    ...(policy.minVersion ? { tlsMinimumProtocolVersion: TLS_VERSIONS[policy.minVersion] } : {}),
    ...(policy.maxVersion ? { tlsMaximumProtocolVersion: TLS_VERSIONS[policy.maxVersion] } : {}),
    ...(policy.ciphers ? { cipherSuites: policy.ciphers } : {}),
    ...(policy.ecdhCurves ? { ecdhCurves: policy.ecdhCurves } : {}),
    ...(policy.signatureAlgorithms ? { signatureAlgorithms: policy.signatureAlgorithms } : {}),
  };
  return Object.keys(params).length === 0 ? {} : { tlsParams: params };
};

/**
 * A ClientTrafficPolicy's client validation: Require and Optional verify the chain (Optional lets
 * a client without a certificate in); Request and RequireAny ask without verifying.
 */
const policyValidation = (validation: NonNullable<PolicyTls['clientValidation']>) => ({
  commonTlsContext: validation.caCertificate
    ? {
        validationContext: {
          trustedCa: { inlineString: validation.caCertificate },
          trustChainVerification:
            validation.mode === 'Request' || validation.mode === 'RequireAny'
              ? CertificateValidationContext_TrustChainVerification.ACCEPT_UNTRUSTED
              : CertificateValidationContext_TrustChainVerification.VERIFY_TRUST_CHAIN,
          ...validationPins(validation),
        },
      }
    : {},
  requireClientCertificate: validation.mode === 'Require' || validation.mode === 'RequireAny',
});

const SAN_TYPES: Record<SanKind, SubjectAltNameMatcher_SanType> = {
  DNS: SubjectAltNameMatcher_SanType.DNS,
  EMAIL: SubjectAltNameMatcher_SanType.EMAIL,
  IP_ADDRESS: SubjectAltNameMatcher_SanType.IP_ADDRESS,
  URI: SubjectAltNameMatcher_SanType.URI,
  OTHER_NAME: SubjectAltNameMatcher_SanType.OTHER_NAME,
};

/**
 * What else a client certificate must be: not revoked (CRLs), one of the pinned keys or
 * certificates, carrying one of the names; expired ones accepted when asked
 * (https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/transport_sockets/tls/v3/common.proto#extensions-transport-sockets-tls-v3-certificatevalidationcontext).
 */
const validationPins = (validation: NonNullable<PolicyTls['clientValidation']>) => ({
  ...(validation.crl
    ? { crl: { inlineString: validation.crl.pem }, onlyVerifyLeafCertCrl: validation.crl.onlyLeaf }
    : {}),
  ...(validation.spkiHashes ? { verifyCertificateSpki: validation.spkiHashes } : {}),
  ...(validation.certificateHashes ? { verifyCertificateHash: validation.certificateHashes } : {}),
  ...(validation.subjectAltNames
    ? {
        matchTypedSubjectAltNames: validation.subjectAltNames.map((san) => ({
          sanType: SAN_TYPES[san.kind],
          matcher: stringMatcher(san),
          ...(san.oid === undefined ? {} : { oid: san.oid }),
        })),
      }
    : {}),
  ...(validation.allowExpired ? { allowExpiredCertificate: true } : {}),
});

/** The `envoy.transport_sockets.tls` socket of a filter chain; adds its certificate secrets. */
export const downstreamTlsSocket = (
  tls: ListenerTLS,
  out: ResourceSet,
  policy?: PolicyTls,
): TransportSocket =>
  typedConfig('envoy.transport_sockets.tls', DownstreamTlsContext, downstreamTls(tls, out, policy));

/**
 * The `envoy.transport_sockets.quic` socket of an HTTP/3 filter chain: the same TLS, with ALPN
 * `h3` (https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/transport_sockets/quic/v3/quic_transport.proto).
 */
export const quicTlsSocket = (
  tls: ListenerTLS,
  out: ResourceSet,
  policy?: PolicyTls,
): TransportSocket =>
  typedConfig(
    'envoy.transport_sockets.quic',
    QuicDownstreamTransport,
    QuicDownstreamTransport.fromPartial({
      downstreamTlsContext: downstreamTls({ ...tls, alpnProtocols: ['h3'] }, out, policy),
    }),
  );

const downstreamTls = (
  tls: ListenerTLS,
  out: ResourceSet,
  policy: PolicyTls | undefined,
): DownstreamTlsContext => {
  // A policy's client validation replaces the Gateway's (frontend validation).
  const fromPolicy = policy?.clientValidation && policyValidation(policy.clientValidation);
  const validation = fromPolicy ? undefined : tls.clientValidation;
  const resumption = sessionResumption(tls);
  for (const certificate of tls.certificates) out.addSecret(certificateSecret(certificate));
  return DownstreamTlsContext.fromPartial({
    commonTlsContext: {
      tlsCertificateSdsSecretConfigs: tls.certificates.map((certificate) =>
        sdsSecret(certificate.name, out.mode),
      ),
      alpnProtocols: tls.alpnProtocols,
      ...tlsParams(policy),
      ...(validation ? { validationContext: clientValidationContext(validation) } : {}),
      ...fromPolicy?.commonTlsContext,
    },
    // GEP-91: AllowValidOnly refuses a handshake without a valid client certificate;
    // AllowInsecureFallback asks for one but lets the client in either way.
    ...(validation ? { requireClientCertificate: !validation.allowInsecureFallback } : {}),
    ...(fromPolicy ? { requireClientCertificate: fromPolicy.requireClientCertificate } : {}),
    disableStatelessSessionResumption: !resumption.stateless,
    disableStatefulSessionResumption: !resumption.stateful,
  });
};

/** The CA client certificates are checked against. */
const clientValidationContext = (validation: NonNullable<ListenerTLS['clientValidation']>) => ({
  trustedCa: { inlineString: validation.caCertificate },
  trustChainVerification: validation.allowInsecureFallback
    ? CertificateValidationContext_TrustChainVerification.ACCEPT_UNTRUSTED
    : CertificateValidationContext_TrustChainVerification.VERIFY_TRUST_CHAIN,
});
