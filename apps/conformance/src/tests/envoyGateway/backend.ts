// Envoy Gateway's Backend e2e tests (test/e2e/tests: httproute_with_backend.go) re-expressed: the
// same manifests through egts and real Envoy. The suite's cluster DNS names reach the local
// stand-ins (Cluster.objects); the IP case creates its Backend at run time, as the Go test does.
// And egts's own: a Backend's own TLS (CA and SNI, client certificate, insecureSkipVerify),
// WebSocket and Unix socket endpoints, and a fallback Backend that takes no traffic while the
// primary is healthy.
import { once } from 'node:events';
import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer as createTlsServer, type PeerCertificate } from 'node:tls';
import {
  accepted,
  type ConformanceTest,
  gw,
  infra,
  type KubeObject,
  type StatusExpectation,
} from '../../conformanceTest.js';
import { selfSigned } from '../../internal/certificates.js';

const sameNs = gw('same-namespace');

/** The suite's BackendMustBeAccepted. */
export const backendAccepted = (name: string): StatusExpectation => ({
  kind: 'Backend',
  namespace: infra,
  name,
  conditions: [{ type: 'Accepted', status: 'True' }],
});

const ok = (path: string, backend = 'infra-backend-v1') => ({
  request: { path },
  backend,
  namespace: infra,
});

const backend: ConformanceTest = {
  name: 'EnvoyGatewayBackend',
  description: 'Routes with a backend ref to a backend',
  features: ['Backend'],
  manifests: [
    'httproute-to-backend-fqdn.yaml',
    'httproute-to-backend-ip.yaml',
    'httproute-to-backend-fqdn-http2.yaml',
    'httproute-to-backend-fqdn-tls.yaml',
  ],
  // CreateBackend(backend-ip, <the Service's address>, 8080): the address is known at run time.
  objects: [
    {
      apiVersion: 'gateway.envoyproxy.io/v1alpha1',
      kind: 'Backend',
      metadata: { name: 'backend-ip', namespace: infra },
      spec: { endpoints: [{ ip: { address: '127.0.0.1', port: 1 } }] },
    },
  ],
  statuses: [
    ...accepted(sameNs, [
      'httproute-to-backend-fqdn',
      'httproute-to-backend-fqdn-http2',
      'httproute-to-fqdn-backend-tls',
    ]),
    backendAccepted('backend-fqdn'),
    backendAccepted('backend-fqdn-http2'),
    backendAccepted('backend-fqdn-tls'),
  ],
  requests: [
    ok('/backend-fqdn'),
    ok('/backend-fqdn-http2'),
    ok('/backend-fqdn-tls', 'tls-backend-2'),
  ],
  steps: async (harness) => {
    const service = harness.endpoint(infra, 'infra-backend-v1');
    await harness.update('Backend', infra, 'backend-ip', (o) => {
      o.spec = { endpoints: [{ ip: { address: service.address, port: service.port } }] };
    });
    await harness.expectStatuses([
      ...accepted(sameNs, ['httproute-to-backend-ip']),
      backendAccepted('backend-ip'),
    ]);
    await harness.expectRequests([ok('/backend-ip')]);
  },
};

const grpcEcho = {
  method: 'Echo' as const,
  backend: 'grpc-infra-backend-v1',
  namespace: infra,
};

const grpcBackendFqdn: ConformanceTest = {
  name: 'GRPCRouteBackendFQDNTest',
  description: 'GRPCRoutes with a backend ref to a FQDN Backend',
  features: ['Backend'],
  manifests: ['grpcroute-to-backend-fqdn.yaml'],
  statuses: [...accepted(sameNs, ['exact-matching'], 'GRPCRoute'), backendAccepted('backend-fqdn')],
  grpcRequests: [grpcEcho],
};

const grpcBackendIp: ConformanceTest = {
  name: 'GRPCRouteBackendIPTest',
  description: 'GRPCRoutes with a backend ref to an IP Backend',
  features: ['Backend'],
  manifests: ['grpcroute-to-backend-ip.yaml'],
  objects: [
    {
      apiVersion: 'gateway.envoyproxy.io/v1alpha1',
      kind: 'Backend',
      metadata: { name: 'backend-ip', namespace: infra },
      spec: { endpoints: [{ ip: { address: '127.0.0.1', port: 1 } }] },
    },
  ],
  steps: async (harness) => {
    // CreateBackend(backend-ip, <the Service's address>, 8080), once the address is known.
    const service = harness.endpoint(infra, 'grpc-infra-backend-v1');
    await harness.update('Backend', infra, 'backend-ip', (o) => {
      o.spec = { endpoints: [{ ip: { address: service.address, port: service.port } }] };
    });
    await harness.expectStatuses([
      ...accepted(sameNs, ['exact-matching'], 'GRPCRoute'),
      backendAccepted('backend-ip'),
    ]);
    await harness.expectGrpc([grpcEcho]);
  },
};

/** A TLS connection for example.com through the Gateway's Passthrough listener, answered by tls-backend-2. */
const passthrough = {
  port: 443,
  request: { scheme: 'https' as const, host: 'example.com', serverName: 'example.com', path: '/' },
  backend: 'tls-backend-2',
  namespace: infra,
};

const tlsRouteBackendFqdn: ConformanceTest = {
  name: 'TLSRouteBackendFQDN',
  description: 'TLSRoutes with a backend ref to a Backend',
  features: ['Backend'],
  manifests: ['tlsroute-to-backend-fqdn.yaml'],
  statuses: [
    ...accepted(sameNs, ['tlsroute-to-backend-fqdn'], 'TLSRoute'),
    backendAccepted('backend-fqdn'),
  ],
  requests: [passthrough],
};

const egBackend = (name: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'gateway.envoyproxy.io/v1alpha1',
  kind: 'Backend',
  metadata: { name, namespace: infra },
  spec,
});

const backendRule = (path: string, ...backends: string[]) => ({
  matches: [{ path: { type: 'PathPrefix', value: path } }],
  backendRefs: backends.map((name) => ({ group: 'gateway.envoyproxy.io', kind: 'Backend', name })),
});

const fqdn = (service: string, port: number) => ({
  fqdn: { hostname: `${service}.${infra}.svc.cluster.local`, port },
});

/** A Unix socket path short enough for sun_path (108 bytes). */
const socketPath = join(tmpdir(), `egts-backend-${process.pid}.sock`);
const SOCKET_ANSWER = 'answered over a Unix domain socket';

const egtsBackendSettings: ConformanceTest = {
  name: 'EgtsBackendSettings',
  description:
    "a Backend's own TLS (CA and SNI, client certificate, insecureSkipVerify), WebSocket, Unix socket and fallback (egts)",
  features: ['Backend'],
  manifests: [],
  objects: [
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'egts-backend-settings', namespace: infra },
      spec: {
        parentRefs: [{ name: 'same-namespace' }],
        rules: [
          backendRule('/tls-ca', 'egts-tls-ca'),
          backendRule('/tls-insecure', 'egts-tls-insecure'),
          backendRule('/tls-params', 'egts-tls-params'),
          backendRule('/unix', 'egts-unix'),
          backendRule('/ws', 'egts-ws'),
          backendRule('/fallback', 'egts-primary', 'egts-fallback'),
        ],
      },
    },
    egBackend('egts-tls-ca', {
      endpoints: [fqdn('tls-backend-2', 443)],
      tls: {
        sni: 'example.com',
        caCertificateRefs: [
          { group: '', kind: 'ConfigMap', name: 'backend-tls-checks-certificate' },
        ],
        clientCertificateRef: { name: 'tls-checks-client-certificate' },
      },
    }),
    egBackend('egts-tls-insecure', {
      endpoints: [fqdn('tls-backend-2', 443)],
      tls: { insecureSkipVerify: true },
    }),
    // TLS 1.2 with one cipher suite, one key exchange group and the signature algorithms named.
    egBackend('egts-tls-params', {
      endpoints: [fqdn('tls-backend-2', 443)],
      tls: {
        insecureSkipVerify: true,
        maxVersion: '1.2',
        ciphers: ['ECDHE-RSA-AES256-GCM-SHA384'],
        ecdhCurves: ['X25519'],
        signatureAlgorithms: ['rsa_pss_rsae_sha256', 'rsa_pkcs1_sha256'],
        alpnProtocols: ['http/1.1'],
      },
    }),
    egBackend('egts-unix', { endpoints: [{ unix: { path: socketPath } }] }),
    egBackend('egts-ws', {
      appProtocols: ['gateway.envoyproxy.io/ws'],
      endpoints: [fqdn('infra-backend-v1', 8080)],
    }),
    egBackend('egts-primary', { endpoints: [fqdn('infra-backend-v1', 8080)] }),
    egBackend('egts-fallback', { fallback: true, endpoints: [fqdn('infra-backend-v2', 8080)] }),
  ],
  statuses: [
    ...accepted(sameNs, ['egts-backend-settings']),
    ...[
      'egts-tls-ca',
      'egts-tls-insecure',
      'egts-tls-params',
      'egts-unix',
      'egts-ws',
      'egts-primary',
    ].map(backendAccepted),
  ],
  requests: [
    {
      ...ok('/tls-ca', 'tls-backend-2'),
      // tls-backend-2 asks for no client certificate: the one configured is offered, not checked.
      backendRequest: { sni: 'example.com' },
    },
    ok('/tls-insecure', 'tls-backend-2'),
    {
      ...ok('/tls-params', 'tls-backend-2'),
      backendRequest: { cipherSuite: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384' },
    },
    // The fallback takes nothing while the primary is healthy (consecutive answers, all v1).
    ok('/fallback'),
  ],
  steps: async (harness) => {
    // The Unix socket's server starts now; Envoy connects on the first request.
    rmSync(socketPath, { force: true });
    const server = createServer((_req, res) => res.end(SOCKET_ANSWER));
    server.listen(socketPath);
    await once(server, 'listening');
    try {
      await harness.expectRequests([
        { request: { path: '/unix' }, status: 200, responseBody: SOCKET_ANSWER },
      ]);
    } finally {
      server.close();
      rmSync(socketPath, { force: true });
    }
    // echo-basic's /ws over a Backend listing the WebSocket protocol: a message comes back.
    await harness.eventually('WebSocket /ws to a Backend', async () => {
      const ws = await harness.openWebSocket(sameNs, 80, '/ws', 'ws://gateway/egts-backend-ws');
      try {
        ws.send('over a Backend');
        const reply = await ws.receive();
        return reply.payload.toString() === 'over a Backend'
          ? undefined
          : `reply ${JSON.stringify(reply.payload.toString())}`;
      } finally {
        ws.close();
      }
    });
  },
};

const OFFLINE =
  "the dynamic forward proxy must resolve cluster DNS names of Services (test-service-*.gateway-conformance-infra.svc.cluster.local, on the Service's port 80 or 443) with Envoy's own DNS cache; the harness maps these names for Backends and routes but gives Envoy's resolver no cluster DNS yet (DynamicResolverBackend also reaches httpbin.org and gateway.envoyproxy.io); EgtsDynamicResolver checks the dynamic forward proxy";

const dynamicResolverSkipped = (name: string, why = OFFLINE): ConformanceTest => ({
  name,
  description: 'Routes with a backend ref to a Backend',
  features: ['Backend'],
  manifests: [],
  skip: why,
});

/** A host the dynamic forward proxy may reach (127.0.0.2 is not in the loopback deny list). */
const DYNAMIC_HOST = '127.0.0.2';

const egtsDynamicResolver: ConformanceTest = {
  name: 'EgtsDynamicResolver',
  description:
    'a DynamicResolver Backend forwards to the host the request names, and refuses loopback hosts (egts)',
  features: ['Backend'],
  manifests: [],
  objects: [
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'egts-dynamic-resolver', namespace: infra },
      spec: {
        parentRefs: [{ name: 'same-namespace' }],
        rules: [backendRule('/dynamic', 'egts-dynamic-resolver')],
      },
    },
    egBackend('egts-dynamic-resolver', { type: 'DynamicResolver' }),
  ],
  statuses: [
    ...accepted(sameNs, ['egts-dynamic-resolver']),
    backendAccepted('egts-dynamic-resolver'),
  ],
  steps: async (harness) => {
    // A server no Backend names: only the request's Host leads there.
    const server = createServer((req, res) => res.end(`dynamic ${req.headers.host ?? ''}`));
    server.listen(0, DYNAMIC_HOST);
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    try {
      const host = `${DYNAMIC_HOST}:${port}`;
      await harness.expectRequests([
        { request: { path: '/dynamic', host }, status: 200, responseBody: `dynamic ${host}` },
        // Envoy Gateway's "route to loopback address should be blocked".
        { request: { path: '/dynamic', host: '127.0.0.1' }, status: 403 },
        { request: { path: '/dynamic', host: `localhost:${port}` }, status: 403 },
      ]);
    } finally {
      server.close();
    }
  },
};

/** This machine's name: a host the DNS cache resolves (/etc/hosts) that is no loopback name. */
const SNI_HOST = hostname();

/** The certificate a TLS client gets for `serverName` through Envoy, or why it got none. */
const peerCertificate = (port: number, serverName: string): Promise<PeerCertificate | Error> =>
  new Promise((resolve) => {
    const socket = connect({
      host: '127.0.0.1',
      port,
      servername: serverName,
      rejectUnauthorized: false,
    });
    socket.setTimeout(10_000, () => socket.destroy(new Error('timed out')));
    socket.once('secureConnect', () => {
      resolve(socket.getPeerCertificate());
      socket.end();
    });
    socket.once('error', (error) => resolve(error));
    socket.once('close', () => resolve(new Error('closed before the handshake')));
  });

/** Whether this process may listen on port 443 (root, or unprivileged ports starting low enough). */
const mayListenOn443 = (): boolean => {
  if (process.getuid?.() === 0) return true;
  try {
    const start = readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8');
    return Number(start.trim()) <= 443;
  } catch {
    return false;
  }
};

const egtsTlsDynamicResolver: ConformanceTest = {
  name: 'EgtsTLSDynamicResolver',
  ...(mayListenOn443()
    ? {}
    : {
        skip: 'the SNI dynamic forward proxy connects to port 443 (SNI carries no port), where this unprivileged process cannot listen',
      }),
  description:
    'a Passthrough TLSRoute to a DynamicResolver Backend forwards to the host its SNI names, on port 443, and refuses loopback names (egts)',
  features: ['Backend'],
  manifests: [],
  objects: [
    {
      apiVersion: 'gateway.networking.k8s.io/v1alpha2',
      kind: 'TLSRoute',
      metadata: { name: 'egts-tls-dynamic-resolver', namespace: infra },
      spec: {
        parentRefs: [{ name: 'same-namespace', sectionName: 'tls' }],
        hostnames: [SNI_HOST, 'localhost'],
        rules: [
          {
            backendRefs: [
              {
                group: 'gateway.envoyproxy.io',
                kind: 'Backend',
                name: 'egts-tls-dynamic-resolver',
              },
            ],
          },
        ],
      },
    },
    egBackend('egts-tls-dynamic-resolver', { type: 'DynamicResolver' }),
  ],
  statuses: [
    ...accepted(sameNs, ['egts-tls-dynamic-resolver'], 'TLSRoute'),
    backendAccepted('egts-tls-dynamic-resolver'),
  ],
  steps: async (harness) => {
    // A TLS server no Backend names, on 443 (SNI carries no port): only the SNI leads there.
    const certificate = selfSigned([SNI_HOST]);
    const server = createTlsServer(certificate, (socket) => socket.end());
    server.listen(443, '0.0.0.0');
    await once(server, 'listening');
    try {
      const port = harness.gatewayPort(sameNs, 443);
      await harness.eventually('the backend completes the handshake through Envoy', async () => {
        const peer = await peerCertificate(port, SNI_HOST);
        if (peer instanceof Error) return `${SNI_HOST}: ${peer.message}`;
        return peer.subject?.CN === SNI_HOST ? undefined : `certificate for ${peer.subject?.CN}`;
      });
      // Envoy Gateway's loopback guard: a loopback SNI is refused before any handshake.
      await harness.eventually('a loopback SNI is refused', async () => {
        const peer = await peerCertificate(port, 'localhost');
        return peer instanceof Error ? undefined : 'localhost was forwarded';
      });
    } finally {
      server.close();
    }
  },
};

export const backendTests = (): ConformanceTest[] => [
  backend,
  egtsBackendSettings,
  grpcBackendFqdn,
  grpcBackendIp,
  tlsRouteBackendFqdn,
  dynamicResolverSkipped('DynamicResolverBackend'),
  dynamicResolverSkipped('DynamicResolverBackendWithTLS'),
  dynamicResolverSkipped(
    'DynamicResolverBackendWithClusterTrustBundle',
    'ClusterTrustBundle (certificates.k8s.io/v1beta1) is a Kubernetes API the offline harness does not serve, and the test resolves cluster DNS names',
  ),
  dynamicResolverSkipped('DynamicResolverOriginalHostHeader'),
  dynamicResolverSkipped(
    'TLSRouteDynamicResolverBackend',
    'its SNI is a cluster DNS name (tls-dfp-backend.gateway-conformance-infra.svc.cluster.local) the dynamic forward proxy resolves, which an offline run cannot; EgtsTLSDynamicResolver checks forwarding by SNI',
  ),
  egtsDynamicResolver,
  egtsTlsDynamicResolver,
];
