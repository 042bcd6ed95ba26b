// TLS termination: certificates become SDS Secrets named `<namespace>/<secret>`, referenced from
// a DownstreamTlsContext; Envoy picks among several by SNI and key type
// (https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/transport_sockets/tls/v3/tls.proto#extensions-transport-sockets-tls-v3-downstreamtlscontext).
import {
  CertificateValidationContext_TrustChainVerification,
  DownstreamTlsContext,
  type TransportSocket,
} from '@egts/envoy-api';
import type { ListenerTLS } from '@egts/ir';
import { sessionResumption } from '../defaults.js';
import { certificateSecret, sdsSecret, typedConfig } from '../protoValues.js';
import type { ResourceSet } from '../resourceSet.js';

/** The `envoy.transport_sockets.tls` socket of a filter chain; adds its certificate secrets. */
export const downstreamTlsSocket = (tls: ListenerTLS, out: ResourceSet): TransportSocket => {
  const validation = tls.clientValidation;
  const resumption = sessionResumption(tls);
  for (const certificate of tls.certificates) out.addSecret(certificateSecret(certificate));
  return typedConfig(
    'envoy.transport_sockets.tls',
    DownstreamTlsContext,
    DownstreamTlsContext.fromPartial({
      commonTlsContext: {
        tlsCertificateSdsSecretConfigs: tls.certificates.map((certificate) =>
          sdsSecret(certificate.name, out.mode),
        ),
        alpnProtocols: tls.alpnProtocols,
        ...(validation ? { validationContext: clientValidationContext(validation) } : {}),
      },
      // GEP-91: AllowValidOnly refuses a handshake without a valid client certificate;
      // AllowInsecureFallback asks for one but lets the client in either way.
      ...(validation ? { requireClientCertificate: !validation.allowInsecureFallback } : {}),
      disableStatelessSessionResumption: !resumption.stateless,
      disableStatefulSessionResumption: !resumption.stateful,
    }),
  );
};

/** The CA client certificates are checked against. */
const clientValidationContext = (validation: NonNullable<ListenerTLS['clientValidation']>) => ({
  trustedCa: { inlineString: validation.caCertificate },
  trustChainVerification: validation.allowInsecureFallback
    ? CertificateValidationContext_TrustChainVerification.ACCEPT_UNTRUSTED
    : CertificateValidationContext_TrustChainVerification.VERIFY_TRUST_CHAIN,
});
