// Envoy Gateway's Backend e2e tests for TCP, UDP and TLS passthrough routes re-expressed
// (test/e2e/tests: tcproute_with_backend.go, udproute_with_backend.go, tlsroute_with_backend.go):
// the same manifests through egts and real Envoy. The Go tests create the IP Backends at run time
// from a Service's cluster IP; here the address is the local server standing in for that Service
// port (TestHarness.serviceAddress). The UDP tests' CoreDNS pod is a DNS stand-in reading the same
// Corefile (internal/dnsServer.ts), queried over raw UDP through the Gateway as miekg/dns does.
import { accepted, type ConformanceTest, gw, infra } from '../../conformanceTest.js';
import { dnsQuery } from '../../internal/dnsServer.js';
import { backendAccepted } from './backend.js';

const tcpGateway = gw('tcp-backend-gateway');

/** A Backend whose address a step sets at run time (the Go tests' CreateBackend). */
const placeholderBackend = (name: string) => ({
  apiVersion: 'gateway.envoyproxy.io/v1alpha1',
  kind: 'Backend',
  metadata: { name, namespace: infra },
  spec: { endpoints: [{ ip: { address: '127.0.0.1', port: 1 } }] },
});

const viaTcp = (port: number) => ({
  gateway: tcpGateway,
  port,
  request: { path: '/' },
  backend: 'infra-backend-v1',
  namespace: infra,
});

const tcpRouteBackend: ConformanceTest = {
  name: 'TCPRouteBackend',
  description: 'TCPRoute with a backend ref',
  features: ['Backend'],
  manifests: ['tcproute-to-backend.yaml'],
  objects: [placeholderBackend('backend-ip')],
  // FQDN: the listener on 8090 proxies to the FQDN Backend.
  statuses: [
    ...accepted(tcpGateway, ['tcp-backend-fqdn'], 'TCPRoute'),
    backendAccepted('backend-fqdn'),
  ],
  requests: [viaTcp(8090)],
  steps: async (harness) => {
    // IP: CreateBackend(backend-ip, <infra-backend-v1's cluster IP>, 8080).
    const service = harness.serviceAddress(infra, 'infra-backend-v1', 8080);
    await harness.update('Backend', infra, 'backend-ip', (o) => {
      o.spec = { endpoints: [{ ip: { address: service.address, port: service.port } }] };
    });
    await harness.expectStatuses([
      ...accepted(tcpGateway, ['tcp-backend-ip'], 'TCPRoute'),
      backendAccepted('backend-ip'),
    ]);
    await harness.expectRequests([viaTcp(8080)]);
  },
};

const udpGateway = gw('udp-gateway');
const DOMAIN = 'foo.bar.com';

/** testUDPRouteWithBackend: the route and Backend accepted, then a DNS answer through Envoy. */
const expectDnsThroughGateway = async (
  harness: Parameters<NonNullable<ConformanceTest['steps']>>[0],
  backend: string,
) => {
  await harness.expectStatuses([
    ...accepted(udpGateway, ['udp-coredns'], 'UDPRoute'),
    backendAccepted(backend),
  ]);
  const port = harness.gatewayPort(udpGateway, 5300);
  await harness.eventually(`a DNS answer for ${DOMAIN} through the UDP listener`, async () => {
    const reply = await dnsQuery(port, `${DOMAIN}.`);
    if (reply instanceof Error) return reply.message;
    if (reply.rcode !== 'NOERROR') return `rcode ${reply.rcode}`;
    // CoreDNS whoami: the address and port the query came from, here Envoy's upstream socket.
    const whoami = (reply.additionals ?? []).find((r) => r.type === 'A');
    return whoami?.name === DOMAIN && whoami.data === '127.0.0.1'
      ? undefined
      : `no whoami record: ${JSON.stringify(reply.additionals)}`;
  });
};

const udpRouteBackendFqdn: ConformanceTest = {
  name: 'UDPRouteBackendFQDNTest',
  description: 'UDPRoutes with a backend ref to a FQDN Backend',
  features: ['Backend'],
  manifests: ['udproute-to-backend-fqdn.yaml'],
  steps: (harness) => expectDnsThroughGateway(harness, 'backend-fqdn'),
};

const udpRouteBackendIp: ConformanceTest = {
  name: 'UDPRouteBackendIP',
  description: 'UDPRoutes with a backend ref to an IP Backend',
  features: ['Backend'],
  manifests: ['udproute-to-backend-ip.yaml'],
  objects: [placeholderBackend('backend-ip')],
  steps: async (harness) => {
    // CreateBackend(backend-ip, <coredns's cluster IP>, 53).
    const service = harness.serviceAddress(infra, 'coredns', 53);
    await harness.update('Backend', infra, 'backend-ip', (o) => {
      o.spec = { endpoints: [{ ip: { address: service.address, port: service.port } }] };
    });
    await expectDnsThroughGateway(harness, 'backend-ip');
  },
};

const tlsRouteBackendIp: ConformanceTest = {
  name: 'TLSRouteBackendIP',
  description: 'TLSRoutes with a backend ref to a Backend',
  features: ['Backend'],
  manifests: ['tlsroute-to-backend-ip.yaml'],
  objects: [placeholderBackend('backend-tls-ip')],
  steps: async (harness) => {
    // CreateBackend(backend-tls-ip, <tls-backend-2-clusterip's cluster IP>, 443).
    const service = harness.serviceAddress(infra, 'tls-backend-2-clusterip', 443);
    await harness.update('Backend', infra, 'backend-tls-ip', (o) => {
      o.spec = { endpoints: [{ ip: { address: service.address, port: service.port } }] };
    });
    await harness.expectStatuses([
      ...accepted(gw('same-namespace'), ['tlsroute-to-backend-ip'], 'TLSRoute'),
      backendAccepted('backend-tls-ip'),
    ]);
    // testTLSRouteWithBackend: example.com over the passthrough listener, answered by
    // tls-backend-2 with the certificate it serves.
    await harness.expectRequests([
      {
        port: 443,
        request: { scheme: 'https', host: 'example.com', serverName: 'example.com', path: '/' },
        backend: 'tls-backend-2',
        namespace: infra,
      },
    ]);
  },
};

export const backendL4Tests = (): ConformanceTest[] => [
  tcpRouteBackend,
  udpRouteBackendFqdn,
  udpRouteBackendIp,
  tlsRouteBackendIp,
];
