// Envoy Gateway's ClientTrafficPolicy e2e tests (test/e2e/tests: client_timeout.go,
// disable_xff_append.go, listener_health_check.go, host_normalization.go, ...) re-expressed: the
// same manifests (testdata/), the same requests and answers, through egts and real Envoy. What a
// test reads from the cluster's Prometheus is read from the proxy's own admin /stats; the
// TLS listener tests are in clientTrafficTls.ts.
import { connect as netConnect, type Socket } from 'node:net';
import {
  accepted,
  type ConformanceTest,
  gw,
  infra,
  type StatusExpectation,
} from '../../conformanceTest.js';
import {
  clientMtlsClusterTrustBundle,
  jaFingerprint,
  preserveRouteOrder,
} from './clientFingerprint.js';
import { clientMtls, http3, listenerSetClientTrafficPolicy } from './clientTrafficTls.js';

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
        // Envoy's connection_limit filter counts the connections it closed.
        const counters = await harness.stats(
          'connection_limit\\..*\\.limited_connections',
          connectionLimitGateway,
        );
        const limited = Object.values(counters).reduce((sum, n) => sum + n, 0);
        return limited > 0 ? undefined : 'no connection was limited';
      });
    } finally {
      for (const socket of sockets) socket.destroy();
    }
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
  jaFingerprint,
  preserveRouteOrder,
  clientMtlsClusterTrustBundle,
];
