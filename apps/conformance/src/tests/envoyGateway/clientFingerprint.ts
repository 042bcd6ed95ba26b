// Envoy Gateway's e2e tests of the client profile added with #19b (ja_fingerprint.go,
// preserve_route_order.go, client_mtls.go's ClusterTrustBundle variant), re-expressed: the same
// manifests and requests through egts and real Envoy.
import {
  accepted,
  type ConformanceTest,
  gw,
  infra,
  type StatusExpectation,
} from '../../conformanceTest.js';
import { CONTROLLER_NAME } from '../../internal/harness.js';

const fingerprintGateway = gw('https-fingerprint-gw');

const policy = (name: string): StatusExpectation => ({
  kind: 'ClientTrafficPolicy',
  namespace: infra,
  name,
  ancestors: [{ gateway: fingerprintGateway, conditions: [{ type: 'Accepted', status: 'True' }] }],
});

/** The route answers with `%TLS_JA3_FINGERPRINT%` / `%TLS_JA4_FINGERPRINT%`; unset ones are left out. */
const expectFingerprints =
  (host: string, port: number, ja3: boolean, ja4: boolean) =>
  async (harness: Parameters<NonNullable<ConformanceTest['steps']>>[0]) =>
    harness.eventually(`fingerprints of ${host}:${port}`, async () => {
      const result = await harness.send({
        gateway: fingerprintGateway,
        port,
        request: { scheme: 'https', host, serverName: host, path: '/' },
      });
      if (result instanceof Error) return result.message;
      if (result.status !== 200) return `status ${result.status}`;
      const has = (name: string) => result.headers[name] !== undefined;
      if (has('ja3-fingerprint') !== ja3) return `ja3-fingerprint present: ${!ja3}`;
      if (has('ja4-fingerprint') !== ja4) return `ja4-fingerprint present: ${!ja4}`;
      return undefined;
    });

export const jaFingerprint: ConformanceTest = {
  name: 'JAFingerprint',
  description:
    'JAFingerprint tests ensure that Envoy Gateway supports TLS JAX fingerprint features.',
  features: ['ClientTrafficPolicy'],
  manifests: ['ja-fingerprint.yaml'],
  statuses: [
    ...accepted(fingerprintGateway, ['http-route-ja3-foo', 'http-route-ja3-and-ja4-bar']),
    policy('https-foo-ja3-ctp'),
    policy('https-bar-ja3-and-ja4-ctp'),
  ],
  steps: async (harness) => {
    // "Only JA3 header in response (foo.example.com)", then "JA3 and JA4 headers (bar.example.com)".
    await expectFingerprints('foo.example.com', 443, true, false)(harness);
    await expectFingerprints('bar.example.com', 444, true, true)(harness);
  },
};

/**
 * Some manifests name the class Envoy Gateway's e2e cluster has (`envoy-gateway`), not the
 * suite's placeholder: that class, for the same controller.
 */
const envoyGatewayClass = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'GatewayClass',
  metadata: { name: 'envoy-gateway' },
  spec: { controllerName: CONTROLLER_NAME },
};

const trustBundleGateway = gw('client-mtls-clustertrustbundle');

export const clientMtlsClusterTrustBundle: ConformanceTest = {
  name: 'ClientMTLSClusterTrustBundle',
  description: 'Use Gateway with Client MTLS policy',
  features: ['ClientTrafficPolicy'],
  manifests: ['client-mtls-trustbundle.yaml'],
  objects: [envoyGatewayClass],
  statuses: [
    ...accepted(trustBundleGateway, ['client-mtls-clustertrustbundle']),
    {
      kind: 'ClientTrafficPolicy',
      namespace: infra,
      name: 'ctp-client-mtls-clustertrustbundle',
      ancestors: [
        { gateway: trustBundleGateway, conditions: [{ type: 'Accepted', status: 'True' }] },
      ],
    },
  ],
  requests: [
    {
      gateway: trustBundleGateway,
      request: {
        scheme: 'https',
        host: 'www.example.com',
        path: '/cluster-trust-bundle',
        clientCertificate: { namespace: infra, name: 'client-example-com' },
      },
      backendRequest: {
        host: 'www.example.com',
        path: '/cluster-trust-bundle',
        headers: {
          'X-Forwarded-Client-Cert':
            'Hash=6d6abe782b02ce47420bda8d994ceff9acd53a0155861460f260192efefa6697;Subject="O=example organization,CN=client.example.com"',
        },
      },
      backend: 'infra-backend-v1',
      namespace: infra,
    },
  ],
};

const routeOrderGateway = gw('preserve-route-order-gateway');

export const preserveRouteOrder: ConformanceTest = {
  name: 'PreserveRouteOrder',
  description: 'Route order should be preserved',
  features: ['ClientTrafficPolicy', 'EnvoyProxy'],
  manifests: ['preserve-route-order.yaml'],
  objects: [envoyGatewayClass],
  statuses: [...accepted(routeOrderGateway, ['http-with-preserved-route-order'])],
  requests: [
    {
      gateway: routeOrderGateway,
      request: { path: '/specific/foo' },
      // The less specific rule is used: the user-defined order is preserved.
      backendRequest: { path: '/specific/foo', headers: { 'matched-rule-prefix': '/' } },
      backend: 'infra-backend-v1',
      namespace: infra,
    },
  ],
};
