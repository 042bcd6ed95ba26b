// Envoy Gateway's ClientTrafficPolicy e2e tests (test/e2e/tests: client_timeout.go,
// disable_xff_append.go, listener_health_check.go, host_normalization.go, ...) re-expressed: the
// same manifests (testdata/), the same requests and answers, through egts and real Envoy. Tests
// that read a Prometheus or Loki of the cluster, or need settings egts does not apply yet, are
// skipped with the reason; egts's own integration test covers what they would show.
import { connect as netConnect, type Socket } from 'node:net';
import {
  accepted,
  type ConformanceTest,
  gw,
  infra,
  type StatusExpectation,
} from '../../conformanceTest.js';
import { findQuicPython, http3Get } from '../../internal/http3Client.js';
import { dialTls, type TlsDialOptions } from '../../internal/tlsDial.js';

const sameNs = gw('same-namespace');
const v1 = { backend: 'infra-backend-v1', namespace: infra } as const;

const policy = (name: string, gateway = sameNs): StatusExpectation => ({
  kind: 'ClientTrafficPolicy',
  namespace: infra,
  name,
  ancestors: [{ gateway, conditions: [{ type: 'Accepted', status: 'True' }] }],
});

const clientTimeout: ConformanceTest = {
  name: 'ClientTimeout',
  description: 'Test that the ClientTrafficPolicy API implementation supports client timeout',
  features: ['ClientTrafficPolicy'],
  manifests: ['client-timeout.yaml'],
  statuses: [...accepted(sameNs, ['http-client-timeout']), policy('client-timeout')],
  // The route's BackendTrafficPolicy delays it 100 ms: the 50 ms request timeout answers 504.
  requests: [{ request: { path: '/client-timeout' }, status: 504 }],
};

const disableXffAppend: ConformanceTest = {
  name: 'DisableXFFAppend',
  description: 'X-Forwarded-For is not appended when disableXForwardedForAppend is set',
  features: ['ClientTrafficPolicy'],
  manifests: ['disable-xff-append.yaml'],
  statuses: [
    ...accepted(sameNs, ['http-with-disable-xff-append']),
    policy('disable-xff-append-ctp'),
  ],
  requests: [
    {
      request: { path: '/disable-xff-append', headers: { 'X-Forwarded-For': '1.2.3.4' } },
      backendRequest: { headers: { 'X-Forwarded-For': '1.2.3.4' } },
      backend: 'infra-backend-v1',
      namespace: infra,
    },
  ],
};

const listenerHealthCheck: ConformanceTest = {
  name: 'ListenerHealthCheck',
  description: 'Envoy answers the listener health check path itself',
  features: ['ClientTrafficPolicy'],
  manifests: ['listener-health-check.yaml'],
  statuses: [...accepted(sameNs, ['http-with-health-check']), policy('health-check-ctp')],
  // Answered by Envoy, not by a backend: only the status is compared.
  requests: [{ request: { path: '/ready' }, status: 200 }],
};

const hostNormalization: ConformanceTest = {
  name: 'HostNormalization',
  description: 'A trailing dot in the host is stripped before routing',
  features: ['ClientTrafficPolicy'],
  manifests: ['host-normalization.yaml'],
  statuses: [
    ...accepted(sameNs, ['http-host-normalization']),
    policy('strip-trailing-host-dot-ctp'),
  ],
  requests: [
    {
      request: { host: 'host-normalization.example.com', path: '/host-normalization' },
      backend: 'infra-backend-v1',
      namespace: infra,
    },
    {
      request: { host: 'host-normalization.example.com.', path: '/host-normalization' },
      backendRequest: { host: 'host-normalization.example.com', path: '/host-normalization' },
      backend: 'infra-backend-v1',
      namespace: infra,
    },
  ],
};

const headerSettings: ConformanceTest = {
  name: 'HeaderSettings',
  description: 'Modify headers before regular processing',
  features: ['ClientTrafficPolicy'],
  manifests: ['header-settings.yaml'],
  statuses: [
    ...accepted(sameNs, [
      'http-with-early-headers',
      'http-with-late-headers',
      'http-with-multi-value-headers',
    ]),
    policy('early-header-modifier-ctp'),
  ],
  requests: [
    {
      request: {
        path: '/early-header',
        headers: {
          'early-added-header': 'client',
          'early-set-header': 'client',
          'early-removed-header': 'client',
          'early-removed-regex-header': 'client',
        },
      },
      // Early changes run before the route's, which then add "late".
      backendRequest: {
        headers: {
          'early-added-header': 'client,early,late',
          'early-set-header': 'early,late',
          'early-removed-header': 'late',
          'early-removed-regex-header': 'late',
        },
      },
      ...v1,
    },
    {
      request: {
        path: '/late-header',
        // The suite's BackendSetResponseHeaders: echo-basic answers with these headers.
        headers: {
          'X-Echo-Set-Header':
            'late-added-header:backend,late-set-header:backend,late-removed-header:backend,late-removed-regex-header:backend,late-add-if-absent-existing:backend',
        },
      },
      responseHeaders: {
        'late-added-header': 'backend,filter,late',
        'late-set-header': 'late',
        'late-add-if-absent-header': 'late-default',
        'late-add-if-absent-existing': 'backend,filter',
      },
      absentResponseHeaders: ['late-removed-header', 'late-removed-regex-header'],
      ...v1,
    },
    {
      request: { path: '/multi-value-header', headers: { 'custom-request-header': 'foo' } },
      backendRequest: { headers: { 'custom-request-header': 'foo,bar,baz' } },
      responseHeaders: { 'Cache-Control': 'private,no-store', 'custom-response-header': 'one,two' },
      ...v1,
    },
  ],
};

const connectionLimitGateway = gw('connection-limit-gateway');

/** Envoy's connection_limit filter counts the connections it closed (limited_connections). */
const limitedConnections = (prometheus: string): number =>
  prometheus
    .split('\n')
    .filter((line) => line.startsWith('envoy_connection_limit_limited_connections{'))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);

const connectionLimit: ConformanceTest = {
  name: 'ConnectionLimit',
  description: 'Connections over the ClientTrafficPolicy connection limit are closed',
  features: ['ClientTrafficPolicy'],
  manifests: ['connection-limit.yaml'],
  statuses: [
    ...accepted(connectionLimitGateway, ['http-with-connection-limit']),
    policy('connection-limit-ctp', connectionLimitGateway),
  ],
  requests: [{ gateway: connectionLimitGateway, request: { path: '/' }, ...v1 }],
  // As the suite: open more connections than the limit (3), then read Envoy's counter (the suite
  // reads it from the cluster's Prometheus; here from the proxy's own /stats/prometheus).
  steps: async (harness) => {
    const port = harness.gatewayPort(connectionLimitGateway, 80);
    const sockets: Socket[] = [];
    try {
      for (let i = 0; i < 6; i++) {
        const socket = netConnect({ host: '127.0.0.1', port });
        socket.on('error', () => {});
        sockets.push(socket);
      }
      await harness.eventually('envoy_connection_limit_limited_connections > 0', async () => {
        const limited = limitedConnections(await harness.envoyStats(connectionLimitGateway));
        return limited > 0 ? undefined : 'no connection was limited';
      });
    } finally {
      for (const socket of sockets) socket.destroy();
    }
  },
};

/** Fails with `label` unless the handshake's outcome is `ok` (and, when given, its version). */
const expectHandshake = async (
  label: string,
  options: TlsDialOptions,
  ok: boolean,
  check?: (result: Awaited<ReturnType<typeof dialTls>>) => string | undefined,
): Promise<void> => {
  const result = await dialTls(options);
  if (result.ok !== ok)
    throw new Error(
      `${label}: handshake ${result.ok ? 'succeeded' : `failed (${result.error})`}, want ${ok ? 'success' : 'failure'}`,
    );
  const problem = result.ok && check ? check(result) : undefined;
  if (problem) throw new Error(`${label}: ${problem}`);
};

const listenerSet = gw('listener-set-http');
const listenerGateway = gw('listener-gateway');

const listenerSetClientTrafficPolicy: ConformanceTest = {
  name: 'ListenerSetClientTrafficPolicy',
  description:
    'ClientTrafficPolicy targeting a ListenerSet enforces TLS minVersion on ListenerSet HTTPS listeners',
  features: ['ClientTrafficPolicy'],
  manifests: ['listenerset-base.yaml', 'listenerset-client-traffic-policy.yaml'],
  statuses: [policy('listenerset-ctp', listenerSet)],
  steps: async (harness) => {
    const port = harness.gatewayPort(listenerGateway, 18443);
    const base = { port, serverName: 'www.example.com' } as const;
    await harness.eventually('TLS to the ListenerSet listener', async () => {
      const result = await dialTls(base);
      return result.ok ? undefined : `handshake failed: ${result.error}`;
    });
    await expectHandshake(
      'tls 1.3 succeeds',
      { ...base, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' },
      true,
      (r) => (r.version === 'TLSv1.3' ? undefined : `negotiated ${r.version}`),
    );
    await expectHandshake(
      'tls 1.2 rejected by min version policy',
      { ...base, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' },
      false,
    );
  },
};

const mtlsGateway = gw('client-mtls-gateway');

const clientMtls: ConformanceTest = {
  name: 'ClientMTLS',
  description: 'Use Gateway with Client MTLS policy',
  features: ['ClientTrafficPolicy'],
  manifests: ['client-mtls.yaml'],
  statuses: [
    ...accepted(mtlsGateway, ['http-client-mtls', 'http-client-tls-settings']),
    policy('ctp-client-mtls', mtlsGateway),
    policy('ctp-client-tls-settings', mtlsGateway),
  ],
  requests: [
    {
      gateway: mtlsGateway,
      request: {
        scheme: 'https',
        host: 'mtls.example.com',
        path: '/client-mtls',
        clientCertificate: { namespace: infra, name: 'client-mtls-certificate' },
      },
      backendRequest: {
        headers: {
          'X-Forwarded-Client-Cert':
            'Hash=ac77d86dd638969a0a39b4e0743370e860d1b70da58b1b08ce950417b6386a8b;Subject="CN=mtls.example.com,OU=Gateway,O=EnvoyProxy,L=SomeCity,ST=VA,C=US"',
        },
      },
      ...v1,
    },
    {
      gateway: mtlsGateway,
      request: { scheme: 'https', host: 'tls-settings.example.com', path: '/client-tls-settings' },
      ...v1,
    },
  ],
  // "Client TLS Settings Enforced": versions 1.1-1.2, two ciphers, two curves, ALPN http/1.1, no
  // session tickets; the suite's dial helpers, with OpenSSL's names for Go's suites and curves.
  steps: async (harness) => {
    const base = {
      port: harness.gatewayPort(mtlsGateway, 443),
      serverName: 'tls-settings.example.com',
    } as const;
    const legacy = 'AES128-SHA:ECDHE-RSA-AES128-GCM-SHA256';
    const version = (v: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3', ok: boolean) =>
      expectHandshake(
        `version ${v}`,
        { ...base, minVersion: v, maxVersion: v, ciphers: legacy },
        ok,
        (r) => (r.version === v ? undefined : `negotiated ${r.version}`),
      );
    await version('TLSv1', false);
    await version('TLSv1.1', true);
    await version('TLSv1.2', true);
    await version('TLSv1.3', false);
    const tls12 = { ...base, maxVersion: 'TLSv1.2' } as const;
    // Go's client offers no RSA key exchange suites: a curve the server lacks fails the handshake.
    const ecdhe = { ...tls12, ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' } as const;
    await expectHandshake(
      'cipher ECDHE-RSA-AES128-GCM-SHA256',
      { ...tls12, ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' },
      true,
      (r) =>
        r.cipher === 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256' ? undefined : `cipher ${r.cipher}`,
    );
    await expectHandshake(
      'cipher ECDHE-RSA-AES256-GCM-SHA384',
      { ...tls12, ciphers: 'ECDHE-RSA-AES256-GCM-SHA384' },
      false,
    );
    await expectHandshake('curve P-256', { ...ecdhe, ecdhCurve: 'P-256' }, true);
    await expectHandshake('curve X25519', { ...ecdhe, ecdhCurve: 'X25519' }, true);
    await expectHandshake('curve P-521', { ...ecdhe, ecdhCurve: 'P-521' }, false);
    await expectHandshake('ALPN', { ...base, alpn: ['h2', 'http/1.1'] }, true, (r) =>
      r.alpn === 'http/1.1' ? undefined : `ALPN ${r.alpn}`,
    );
    await expectHandshake('no session ticket', base, true, (r) =>
      r.ticket ? 'the server sent a session ticket' : undefined,
    );
  },
};

const proxyProtocolGateway = gw('proxy-protocol-gtw');

const proxyProtocol: ConformanceTest = {
  name: 'ProxyProtocol',
  description: 'A listener requiring the PROXY protocol serves a peer that sends it',
  features: ['ClientTrafficPolicy'],
  manifests: ['proxy-protocol-with-tls.yaml'],
  statuses: [
    ...accepted(proxyProtocolGateway, ['proxy-protocol', 'http']),
    {
      kind: 'ClientTrafficPolicy',
      namespace: infra,
      name: 'enable-proxy-protocol-policy',
      ancestors: [
        { gateway: proxyProtocolGateway, conditions: [{ type: 'Accepted', status: 'True' }] },
      ],
    },
  ],
  // The http listener's route reaches the Gateway's own https listener through a Backend with
  // PROXY protocol v2 and TLS. The suite's Backend names the Gateway's Service; here the Gateway
  // is this host's Envoy, so the Backend is pointed at its local https port first (as the suite
  // points it at the Service in its Gateway-namespace mode).
  steps: async (harness) => {
    const port = harness.gatewayPort(proxyProtocolGateway, 443);
    await harness.update('Backend', infra, 'proxy-protocol-backend', (backend) => {
      (backend as { spec: Record<string, unknown> }).spec.endpoints = [
        { ip: { address: '127.0.0.1', port } },
      ];
    });
    await harness.expectRequests([
      { gateway: proxyProtocolGateway, request: { path: '/' }, ...v1 },
    ]);
  },
};

const preserveCase: ConformanceTest = {
  name: 'PreserveCase',
  description: 'HTTP/1 header names keep their case through Envoy',
  features: ['ClientTrafficPolicy'],
  manifests: ['preserve-case.yaml'],
  statuses: [...accepted(sameNs, ['preserve-case']), policy('preserve-case')],
  // The suite's casePreservingRoundTrip: the backend (a local stand-in of its preserve-case
  // image) answers with the request's header names as they reached it.
  steps: (harness) =>
    harness.eventually('SpEcIaL reaches the backend with its case', async () => {
      const result = await harness.send({
        request: { path: '/preserve?headers=ReSpOnSeHeAdEr', headers: { SpEcIaL: 'Header' } },
      });
      if (result instanceof Error) return result.message;
      if (result.status !== 200) return `status ${result.status}`;
      const seen = JSON.parse(result.body) as Record<string, string>;
      return 'SpEcIaL' in seen ? undefined : `case not preserved: ${result.body}`;
    }),
};

const http3Gateway = gw('http3-gtw');
const quicPython = findQuicPython();

const http3: ConformanceTest = {
  name: 'HTTP3',
  description: 'HTTP3 tests ensure that Envoy Gateway supports HTTP/3 features.',
  features: ['ClientTrafficPolicy'],
  manifests: ['http3.yaml'],
  statuses: [...accepted(http3Gateway, ['http3-route-foo']), policy('http3-ctp', http3Gateway)],
  // Over TCP the answer advertises HTTP/3 on the Gateway's port, as Envoy Gateway writes it.
  requests: [
    {
      gateway: http3Gateway,
      request: { scheme: 'https', host: 'foo.example.com', path: '/' },
      responseHeaders: { 'alt-svc': 'h3=":443"; ma=86400' },
      ...v1,
    },
  ],
  // The suite's QuicRoundTripper: a GET over HTTP/3 (QUIC on the same port, UDP) per hostname.
  steps: async (harness) => {
    const port = harness.gatewayPort(http3Gateway, 443);
    for (const host of ['foo.example.com', 'bar.example.com', 'www.awesome.org', 'api.awesome.org'])
      await harness.eventually(`HTTP/3 GET https://${host}/`, async () => {
        const result = await http3Get(quicPython as string, port, host, '/');
        return result.status === 200 ? undefined : `status ${result.status}`;
      });
  },
  ...(quicPython
    ? {}
    : { skip: 'no HTTP/3 client: aioquic is not installed (scripts/setup-quic.sh installs it)' }),
};

export const clientTrafficPolicyTests = (): ConformanceTest[] => [
  clientTimeout,
  disableXffAppend,
  listenerHealthCheck,
  hostNormalization,
  headerSettings,
  connectionLimit,
  listenerSetClientTrafficPolicy,
  clientMtls,
  proxyProtocol,
  preserveCase,
  http3,
];
