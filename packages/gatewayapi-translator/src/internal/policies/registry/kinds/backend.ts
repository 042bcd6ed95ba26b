// Backend fields: applied or not (see ../fieldRegistry.ts). Endpoints (IP, FQDN, Unix socket, with
// a hostname), h2c and WebSocket, fallback, the Backend's own TLS and DynamicResolver (the dynamic
// forward proxy) reach Envoy, with the TLS parameters (ciphers, curves, signature algorithms,
// ALPN), endpoint zones (localities for zone-aware routing) and auto SNI from endpoint hostnames;
// `wss` and fingerprints do not. `tls.fingerprints` (JA3/JA4) is the TLS settings' client
// fingerprinting, shared with ClientTrafficPolicy: Envoy computes those only from ClientHellos it
// receives (the tls_inspector listener filter), and toward a backend Envoy sends the ClientHello,
// so it has nothing to apply there (Envoy Gateway ignores the field on Backends).
import type { KindFields } from '../fieldRegistry.js';
import { goldenProof } from './proofs.js';

const ENDPOINTS = goldenProof('registry-applied-fields');
const BACKEND = 'apps/conformance/src/tests/envoyGateway/backend.ts: EnvoyGatewayBackend';
const SETTINGS = 'apps/conformance/src/tests/envoyGateway/backend.ts: EgtsBackendSettings';
const AUTO_SNI =
  "apps/conformance/src/__tests__/backendTlsAutoSni.integration.test.ts: sends each endpoint's hostname as SNI and checks the certificate names it";
const TLS_IR =
  'packages/gatewayapi-translator/src/__tests__/backend.test.ts: spec.tls becomes the upstream TLS';

export const backendFields: KindFields = {
  applied: {
    'spec.endpoints.fqdn.hostname': ENDPOINTS,
    'spec.endpoints.fqdn.port': ENDPOINTS,
    'spec.endpoints.ip.address': ENDPOINTS,
    'spec.endpoints.ip.port': ENDPOINTS,
    'spec.endpoints.hostname':
      'apps/conformance/src/tests/envoyGateway/httpRouteFilter.ts: HTTPRouteRewriteHostHeader',
    'spec.endpoints.unix.path': SETTINGS,
    'spec.endpoints.zone':
      'apps/conformance/src/__tests__/backendTrafficZoneAware.integration.test.ts: weighs the zones a Backend gives its endpoints',
    'spec.appProtocols': BACKEND,
    'spec.fallback': SETTINGS,
    'spec.tls.caCertificateRefs': SETTINGS,
    'spec.tls.sni': SETTINGS,
    'spec.tls.insecureSkipVerify': SETTINGS,
    'spec.tls.clientCertificateRef': TLS_IR,
    'spec.tls.wellKnownCACertificates': TLS_IR,
    'spec.tls.minVersion': TLS_IR,
    'spec.tls.maxVersion': TLS_IR,
    'spec.tls.ciphers': SETTINGS,
    'spec.tls.ecdhCurves': SETTINGS,
    'spec.tls.signatureAlgorithms': SETTINGS,
    'spec.tls.alpnProtocols': SETTINGS,
    'spec.tls.autoSNIFromEndpointHostname': AUTO_SNI,
    // DynamicResolver: by Host on HTTP/gRPC routes (EgtsDynamicResolver), by SNI on Passthrough
    // TLSRoutes (EgtsTLSDynamicResolver).
    'spec.type': 'apps/conformance/src/tests/envoyGateway/backend.ts: EgtsDynamicResolver',
  },
  notApplied: ['spec.tls.fingerprints'],
  // WebSocket over TLS and TLS versions below 1.2 are not offered.
  notAppliedIn: (spec) => [
    ...(((spec.appProtocols as string[] | undefined) ?? []).includes('gateway.envoyproxy.io/wss')
      ? ['spec.appProtocols']
      : []),
    ...(['minVersion', 'maxVersion'] as const).flatMap((field) => {
      const v = (spec.tls as Record<string, unknown> | undefined)?.[field];
      return v === undefined || v === '1.2' || v === '1.3' ? [] : [`spec.tls.${field}`];
    }),
  ],
};
