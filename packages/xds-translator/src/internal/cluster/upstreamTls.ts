// Upstream TLS from a BackendTLSPolicy: the transport socket of a cluster, with SNI, the CA to
// trust (an SDS secret, or the system trust store) and the SANs the backend must present
// (https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/transport_sockets/tls/v3/tls.proto#extensions-transport-sockets-tls-v3-upstreamtlscontext).
import {
  CertificateValidationContext,
  Secret,
  SubjectAltNameMatcher_SanType,
  TlsParameters_TlsProtocol,
  type TransportSocket,
  UpstreamTlsContext,
} from '@egts/envoy-api';
import type { UpstreamTLS } from '@egts/ir';
import { upstreamTlsVersions } from '../defaults.js';
import { certificateSecret, sdsSecret, typedConfig } from '../protoValues.js';
import type { ResourceSet } from '../resourceSet.js';

/** Debian/Ubuntu/distroless path of the system CA bundle. */
const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** Name of the SDS secret holding a policy's CA bundle. */
export const caSecretName = (tls: UpstreamTLS): string => `${tls.policy}/ca`;

const TLS_VERSIONS = {
  '1.2': TlsParameters_TlsProtocol.TLSv1_2,
  '1.3': TlsParameters_TlsProtocol.TLSv1_3,
} as const;

const validationContext = (tls: UpstreamTLS): CertificateValidationContext => {
  // GEP-1897: with no subjectAltNames the certificate must match the SNI hostname; with auto
  // SNI Envoy checks it against the name it sent (auto_san_validation, auto_sni_san_validation).
  const sans =
    tls.subjectAltNames.length > 0
      ? tls.subjectAltNames
      : tls.autoSni || tls.autoHostSni
        ? []
        : [{ type: 'Hostname' as const, value: tls.sni }];
  return CertificateValidationContext.fromPartial({
    matchTypedSubjectAltNames: sans.map((san) => ({
      sanType:
        san.type === 'URI' ? SubjectAltNameMatcher_SanType.URI : SubjectAltNameMatcher_SanType.DNS,
      matcher: { exact: san.value },
    })),
    // The system trust store as Envoy Gateway reads it (the Envoy image's CA bundle); Envoy
    // refuses SAN checks without a trusted CA, and `system_root_certs` does not satisfy it.
    ...(tls.useSystemTrustStore || tls.caCertificate === undefined
      ? { trustedCa: { filename: SYSTEM_CA_BUNDLE } }
      : {}),
  });
};

/** The `envoy.transport_sockets.tls` socket for a backend; adds the CA secret it references. */
export const upstreamTlsSocket = (
  tls: UpstreamTLS,
  alpnProtocols: string[],
  out: ResourceSet,
): TransportSocket => {
  const defaultValidationContext = validationContext(tls);
  // insecureSkipVerify: no CA and no checks, the backend's certificate is taken as it comes.
  const skip = tls.insecureSkipVerify === true;
  const ca = tls.useSystemTrustStore || skip ? undefined : tls.caCertificate;
  if (ca !== undefined) {
    out.addSecret(
      Secret.fromPartial({
        name: caSecretName(tls),
        validationContext: { trustedCa: { inlineString: ca } },
      }),
    );
  }
  const client = tls.clientCertificate;
  if (client !== undefined) out.addSecret(certificateSecret(client));
  const context = UpstreamTlsContext.fromPartial({
    ...(tls.sni === '' ? {} : { sni: tls.sni }),
    // autoSNIFromEndpointHostname: SNI from the endpoint's hostname (its DNS name, or the
    // hostname an IP endpoint carries), the certificate checked against it unless verification
    // is off.
    ...(tls.autoHostSni ? { autoHostSni: true, autoSniSanValidation: !skip } : {}),
    commonTlsContext: {
      alpnProtocols: tls.alpnProtocols ?? alpnProtocols,
      tlsParams: {
        tlsMinimumProtocolVersion: TLS_VERSIONS[upstreamTlsVersions(tls).min],
        tlsMaximumProtocolVersion: TLS_VERSIONS[upstreamTlsVersions(tls).max],
        cipherSuites: tls.ciphers ?? [],
        ecdhCurves: tls.ecdhCurves ?? [],
        signatureAlgorithms: tls.signatureAlgorithms ?? [],
      },
      // GEP-3155: the Gateway's client certificate, for backends that verify their clients.
      ...(client ? { tlsCertificateSdsSecretConfigs: [sdsSecret(client.name, out.mode)] } : {}),
      // The CA comes over SDS and the SAN checks stay here: Envoy merges the two
      // (CommonTlsContext.CombinedCertificateValidationContext).
      ...(skip
        ? {}
        : ca === undefined
          ? { validationContext: defaultValidationContext }
          : {
              combinedValidationContext: {
                defaultValidationContext,
                validationContextSdsSecretConfig: sdsSecret(caSecretName(tls), out.mode),
              },
            }),
    },
  });
  return typedConfig('envoy.transport_sockets.tls', UpstreamTlsContext, context);
};
