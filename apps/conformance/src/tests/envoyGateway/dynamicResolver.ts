// Envoy Gateway's DynamicResolver Backend e2e tests re-expressed
// (test/e2e/tests: httproute_with_dynamic_resolver_backend.go,
// dynamic_resolver_original_host_header.go): the same manifests through egts and real Envoy, whose
// dynamic forward proxy resolves the Services' cluster DNS names through the harness's cluster DNS
// (internal/clusterDns.ts: a cluster IP per Service, forwarding its ports to the stand-in pod).
// Not re-expressed: the sub-tests that reach httpbin.org and gateway.envoyproxy.io (internet).
import { accepted, type ConformanceTest, gw, infra } from '../../conformanceTest.js';
import { clusterDnsUnavailable } from '../../internal/clusterDns.js';
import type { HttpExpectation } from '../../internal/httpExpectation.js';
import { backendAccepted } from './backend.js';

const sameNs = gw('same-namespace');
const FOO = `test-service-foo.${infra}.svc.cluster.local`;
const BAR = `test-service-bar.${infra}.svc.cluster.local`;
const unavailable = clusterDnsUnavailable();

/** A request through the dynamic resolver that infra-backend-v1 (behind both Services) answers. */
const answered = (
  path: string,
  host: string,
  backendHost = host,
  headers?: Record<string, string>,
): HttpExpectation => ({
  request: { host, path, ...(headers ? { headers } : {}) },
  backendRequest: { host: backendHost, path },
  backend: 'infra-backend-v1',
  namespace: infra,
});

const refused = (
  path: string,
  host: string,
  headers?: Record<string, string>,
): HttpExpectation => ({
  request: { host, path, ...(headers ? { headers } : {}) },
  status: 403,
});

const dynamicResolverBackend: ConformanceTest = {
  name: 'DynamicResolverBackend',
  ...(unavailable ? { skip: unavailable } : {}),
  description: 'Routes with a backend ref to a dynamic resolver backend',
  features: ['Backend'],
  manifests: ['httproute-with-dynamic-resolver-backend.yaml'],
  statuses: [
    ...accepted(sameNs, [
      'httproute-with-dynamic-resolver-backend',
      'httproute-with-dynamic-resolver-backend-with-app-protocol',
    ]),
    backendAccepted('backend-dynamic-resolver'),
    backendAccepted('backend-dynamic-resolver-with-app-protocol'),
  ],
  requests: [
    // route to service foo, bar
    answered('/', FOO),
    answered('/', BAR),
    // route to loopback address should be blocked
    refused('/', '127.0.0.1'),
    // host rewrite to header with the default DNS cache, the custom one (BackendTrafficPolicy
    // dns), and to a literal name
    answered('/host-rewrite-default-dns-cache', 'non-existent-host', FOO, {
      'x-dynamic-host-header-1': FOO,
    }),
    answered('/host-rewrite-custom-dns-cache', 'non-existent-host', BAR, {
      'x-dynamic-host-header-2': BAR,
    }),
    answered('/host-rewrite-literal-name', 'non-existent-host', FOO),
    // host rewrites to loopback (at a port, at the default port) and to a host a SecurityPolicy
    // forbids are blocked
    refused('/host-rewrite-default-dns-cache', 'non-existent-host', {
      'x-dynamic-host-header-1': '127.0.0.1:19002',
    }),
    refused('/host-rewrite-custom-dns-cache', 'non-existent-host', {
      'x-dynamic-host-header-2': 'localhost',
    }),
    refused('/host-rewrite-custom-dns-cache', 'non-existent-host', {
      'x-dynamic-host-header-2': 'forbidden.com',
    }),
  ],
};

const originalHostHeader: ConformanceTest = {
  name: 'DynamicResolverOriginalHostHeader',
  ...(unavailable ? { skip: unavailable } : {}),
  description:
    'Verify dynamic resolver host rewrites preserve the X-ENVOY-ORIGINAL-HOST request header when Envoy headers are enabled',
  features: ['Backend'],
  manifests: ['dynamic-resolver-original-host-header.yaml'],
  statuses: [
    ...accepted(sameNs, ['dynamic-resolver-original-host-header']),
    backendAccepted('backend-dynamic-resolver-original-host'),
    {
      kind: 'ClientTrafficPolicy',
      namespace: infra,
      name: 'dynamic-resolver-original-host-ctp',
      ancestors: [{ gateway: sameNs, conditions: [{ type: 'Accepted', status: 'True' }] }],
    },
  ],
  requests: [
    {
      request: { host: 'www.example.com', path: '/original-host' },
      backendRequest: {
        host: FOO,
        path: '/original-host',
        headers: { 'x-envoy-original-host': 'www.example.com' },
      },
      backend: 'infra-backend-v1',
      namespace: infra,
    },
  ],
};

const withTls: ConformanceTest = {
  name: 'DynamicResolverBackendWithTLS',
  ...(unavailable ? { skip: unavailable } : {}),
  description: 'Routes with a backend ref to a dynamic resolver backend',
  features: ['Backend'],
  manifests: [
    'httproute-with-dynamic-resolver-backend-with-tls.yaml',
    'httproute-with-dynamic-resolver-backend-with-tls-system-ca.yaml',
  ],
  statuses: [
    ...accepted(sameNs, [
      'httproute-with-dynamic-resolver-backend-tls',
      'httproute-with-dynamic-resolver-backend-tls-system-trust-store',
    ]),
    backendAccepted('backend-dynamic-resolver-tls'),
    backendAccepted('backend-dynamic-resolver-tls-system-trust-store'),
  ],
  // TLS: the Service's port 443, its certificate checked against the Backend's CA (ConfigMap).
  // The SystemCA sub-test's request goes to gateway.envoyproxy.io: internet, not re-expressed.
  requests: [
    {
      request: {
        host: `backend-dynamic-resolver-tls.${infra}.svc.cluster.local:443`,
        path: '/with-tls',
      },
      backend: 'backend-dynamic-resolver-tls',
      namespace: infra,
    },
  ],
};

const allNs = gw('all-namespaces');

const withClusterTrustBundle: ConformanceTest = {
  name: 'DynamicResolverBackendWithClusterTrustBundle',
  ...(unavailable ? { skip: unavailable } : {}),
  description: 'Routes with a backend ref to a dynamic resolver backend',
  features: ['Backend'],
  manifests: [
    'httproute-with-dynamic-resolver-backend-with-tls.yaml',
    'httproute-with-dynamic-resolver-backend-with-clustertrustbundle.yaml',
  ],
  statuses: [
    ...accepted(allNs, ['httproute-clustertrustbundle']),
    backendAccepted('backend-clustertrustbundle'),
  ],
  // The backend's certificate checked against the CA of a ClusterTrustBundle.
  requests: [
    {
      gateway: allNs,
      request: {
        host: `backend-dynamic-resolver-tls.${infra}.svc.cluster.local:443`,
        path: '/with-clustertrustbundle',
      },
      backend: 'backend-dynamic-resolver-tls',
      namespace: infra,
    },
  ],
};

const SNI = `tls-dfp-backend.${infra}.svc.cluster.local`;

const tlsRouteDynamicResolver: ConformanceTest = {
  name: 'TLSRouteDynamicResolverBackend',
  ...(unavailable ? { skip: unavailable } : {}),
  description: 'A TLSRoute with a dynamic resolver backend forwards based on the SNI',
  features: ['Backend'],
  manifests: ['tlsroute-with-dynamic-resolver-backend.yaml'],
  statuses: [
    ...accepted(sameNs, ['tlsroute-with-dynamic-resolver-backend'], 'TLSRoute'),
    backendAccepted('backend-dynamic-resolver'),
  ],
  // Passthrough: the SNI is resolved by the SNI dynamic forward proxy, and tls-dfp-backend's own
  // certificate answers the handshake.
  requests: [
    {
      port: 443,
      request: { scheme: 'https', host: SNI, serverName: SNI, path: '/' },
      backend: 'tls-dfp-backend',
      namespace: infra,
    },
  ],
};

export const dynamicResolverTests = (): ConformanceTest[] => [
  dynamicResolverBackend,
  withTls,
  withClusterTrustBundle,
  originalHostHeader,
  tlsRouteDynamicResolver,
];
