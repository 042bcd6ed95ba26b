// GATEWAY-HTTP extended, BackendTLSPolicy: Envoy originates TLS to the backend, validating its
// certificate against the policy's CA and hostname (conformance/tests/backendtlspolicy*.go).
import { accepted, type ConformanceTest, gw, infra } from '../conformanceTest.js';

const tlsBackend = { backend: 'tls-backend', namespace: infra };
/** Envoy answers an upstream TLS handshake failure with 502 or 503. */
const upstreamTlsFailure = { status: [502, 503] };

export const backendTlsPolicyTests: ConformanceTest[] = [
  {
    name: 'BackendTLSPolicy',
    description:
      'TLS to the backend validated by CA and hostname: the right ones answer, a wrong hostname or CA fails',
    features: ['Gateway', 'HTTPRoute', 'BackendTLSPolicy'],
    manifests: ['backendtlspolicy.yaml'],
    statuses: [
      ...accepted(gw('same-namespace'), ['backendtlspolicy']),
      ...accepted(gw('same-namespace-with-https-listener'), ['backendtlspolicy-reencrypt']),
    ],
    requests: [
      { request: { host: 'abc.example.com', path: '/backendtlspolicy' }, ...tlsBackend },
      {
        request: { host: 'abc.example.com', path: '/backendtlspolicy-reconcile-test' },
        ...tlsBackend,
      },
      {
        request: { host: 'abc.example.com', path: '/backendtlspolicy-host-mismatch' },
        ...upstreamTlsFailure,
      },
      {
        request: { host: 'abc.example.com', path: '/backendtlspolicy-cert-mismatch' },
        ...upstreamTlsFailure,
      },
      {
        gateway: gw('same-namespace-with-https-listener'),
        request: { scheme: 'https', host: 'https-listener.org', path: '/backendtlspolicy' },
        ...tlsBackend,
      },
    ],
  },
];
