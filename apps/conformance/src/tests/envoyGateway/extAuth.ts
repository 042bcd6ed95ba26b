// Envoy Gateway's ext_authz e2e tests over gRPC and with a timeout (ext_auth_grpc_service.go,
// ext_auth_timeout.go) re-expressed: the same manifests and requests, the envoy-ext-auth server
// played by internal/extAuthServer.ts (HTTP, and gRPC over TLS with the mounted certificate).
import {
  accepted,
  type ConformanceTest,
  gw,
  type HttpExpectation,
  infra,
  type KubeObject,
  type StatusExpectation,
} from '../../conformanceTest.js';

const sameNs = gw('same-namespace');

const policyAccepted = (...names: string[]): StatusExpectation[] =>
  names.map((name) => ({
    kind: 'SecurityPolicy' as const,
    namespace: infra,
    name,
    ancestors: [{ gateway: sameNs, conditions: [{ type: 'Accepted', status: 'True' as const }] }],
  }));

const www = (
  path: string,
  headers: Record<string, string>,
  status: number,
  backendHeaders?: Record<string, string>,
): HttpExpectation => ({
  request: { host: 'www.example.com', path, headers },
  status,
  ...(status === 200 ? { backend: 'infra-backend-v1', namespace: infra } : {}),
  ...(backendHeaders
    ? { backendRequest: { host: 'www.example.com', path, headers: backendHeaders } }
    : {}),
});

const grpcExtAuth: ConformanceTest = {
  name: 'GRPCExtAuth',
  description: 'External authorization over gRPC (TLS by BackendTLSPolicy), with route metadata',
  features: ['SecurityPolicy', 'ExtAuth'],
  manifests: ['ext-auth-service.yaml', 'ext-auth-grpc-securitypolicy.yaml'],
  statuses: [
    ...accepted(sameNs, ['http-with-ext-auth', 'http-without-ext-auth']),
    ...policyAccepted('ext-auth-test'),
  ],
  requests: [
    www('/grpc', { Authorization: 'Bearer token1' }, 200, {
      'x-current-user': 'user1',
      'x-eg-route-name': 'http-with-ext-auth',
      'x-eg-route-annotation-foo': 'bar',
    }),
    www('/grpc', {}, 403),
    www('/grpc', { Authorization: 'Bearer invalid-token' }, 403),
    www('/public', {}, 200),
  ],
};

const extAuthTimeout: ConformanceTest = {
  name: 'ExtAuthTimeout',
  description: 'An authorization service slower than the timeout denies (HTTP and gRPC)',
  features: ['SecurityPolicy', 'ExtAuth'],
  manifests: [
    'ext-auth-service-with-delay.yaml',
    'ext-auth-grpc-timeout-securitypolicy.yaml',
    'ext-auth-http-timeout-securitypolicy.yaml',
  ],
  statuses: [
    ...accepted(sameNs, ['http-with-http-ext-auth', 'http-with-grpc-ext-auth']),
    ...policyAccepted('grpc-ext-auth', 'http-ext-auth'),
  ],
  requests: [
    www('/grpc', { Authorization: 'Bearer token1' }, 403),
    www('/http', { Authorization: 'Bearer token1' }, 403),
  ],
};

const policy = (name: string, extAuth: Record<string, unknown>): KubeObject => ({
  apiVersion: 'gateway.envoyproxy.io/v1alpha1',
  kind: 'SecurityPolicy',
  metadata: { name, namespace: infra },
  spec: {
    targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name }],
    extAuth: {
      ...extAuth,
      grpc: { backendRefs: [{ name: 'grpc-ext-auth', namespace: infra, port: 9002 }] },
    },
  },
});

const route = (name: string, path: string): KubeObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name, namespace: infra },
  spec: {
    parentRefs: [{ name: 'same-namespace' }],
    hostnames: ['www.example.com'],
    rules: [
      {
        matches: [{ path: { type: 'PathPrefix', value: path } }],
        backendRefs: [{ name: 'infra-backend-v1', port: 8080 }],
      },
    ],
  },
});

/** egts's own: which headers the gRPC service is sent, and context extensions. */
const grpcExtAuthOptions: ConformanceTest = {
  name: 'EgtsGRPCExtAuthHeadersContext',
  description: 'headersToExtAuth limits what the gRPC service sees; contextExtensions reach it',
  features: ['SecurityPolicy', 'ExtAuth'],
  manifests: ['ext-auth-service.yaml'],
  objects: [
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'BackendTLSPolicy',
      metadata: { name: 'egts-grpc-ext-auth-btls', namespace: infra },
      spec: {
        targetRefs: [{ group: '', kind: 'Service', name: 'grpc-ext-auth', sectionName: 'grpc' }],
        validation: {
          caCertificateRefs: [{ name: 'envoy-ext-auth-ca', group: '', kind: 'ConfigMap' }],
          hostname: 'grpc-ext-auth',
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'egts-ext-auth-context', namespace: infra },
      data: { tenant: 'from-configmap' },
    },
    route('egts-grpc-headers-listed', '/egts-grpc-listed'),
    route('egts-grpc-headers-other', '/egts-grpc-other'),
    policy('egts-grpc-headers-listed', {
      headersToExtAuth: ['authorization'],
      contextExtensions: [
        { name: 'team', type: 'Value', value: 'egts' },
        {
          name: 'tenant',
          type: 'ValueRef',
          valueRef: { group: '', kind: 'ConfigMap', name: 'egts-ext-auth-context', key: 'tenant' },
        },
      ],
    }),
    // The service is not sent Authorization, so it cannot allow the request.
    policy('egts-grpc-headers-other', { headersToExtAuth: ['x-other'] }),
  ],
  statuses: policyAccepted('egts-grpc-headers-listed', 'egts-grpc-headers-other'),
  requests: [
    www('/egts-grpc-listed', { Authorization: 'Bearer token1' }, 200, {
      'x-current-user': 'user1',
      'x-ext-auth-context-team': 'egts',
      'x-ext-auth-context-tenant': 'from-configmap',
    }),
    www('/egts-grpc-other', { Authorization: 'Bearer token1' }, 403),
  ],
};

/** An HTTP ext_authz policy on `name`, its service given by `backendRefs`. */
const httpPolicy = (name: string, http: Record<string, unknown>): KubeObject => ({
  apiVersion: 'gateway.envoyproxy.io/v1alpha1',
  kind: 'SecurityPolicy',
  metadata: { name, namespace: infra },
  spec: {
    targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name }],
    extAuth: { http },
  },
});

const RETRIED_CHECKS = 20;

/**
 * egts's own: `pathOverride` sends every check to one path; `backendSettings.retry` retries a
 * check whose connection failed, so a service with one dead endpoint of two (taken in turn:
 * `loadBalancer` RoundRobin) still answers every check (without retries half would fail: 403).
 */
const httpExtAuthPathRetry: ConformanceTest = {
  name: 'EgtsHTTPExtAuthPathOverrideRetry',
  description: 'HTTP ext_authz pathOverride, and retries of a check over backendSettings',
  features: ['SecurityPolicy', 'ExtAuth'],
  manifests: ['ext-auth-service.yaml'],
  objects: [
    route('egts-ext-auth-path', '/egts-ext-auth-path'),
    route('egts-ext-auth-retry', '/egts-ext-auth-retry'),
    httpPolicy('egts-ext-auth-path', {
      backendRefs: [{ name: 'envoy-ext-auth', port: 8080 }],
      pathOverride: '/check',
      headersToBackend: ['x-ext-auth-req-path'],
    }),
    {
      apiVersion: 'gateway.envoyproxy.io/v1alpha1',
      kind: 'Backend',
      metadata: { name: 'egts-ext-auth-half-dead', namespace: infra },
      spec: {
        endpoints: [
          { fqdn: { hostname: 'envoy-ext-auth.gateway-conformance-infra', port: 8080 } },
          // Nothing listens on the discard port: connections are refused. An FQDN too: Envoy
          // Gateway refuses FQDN and IP endpoints mixed in one backendRef.
          { fqdn: { hostname: 'localhost', port: 9 } },
        ],
      },
    },
    httpPolicy('egts-ext-auth-retry', {
      backendRefs: [
        {
          group: 'gateway.envoyproxy.io',
          kind: 'Backend',
          name: 'egts-ext-auth-half-dead',
          port: 8080,
        },
      ],
      backendSettings: {
        // Round robin: a retry goes to the other endpoint, so one retry always suffices.
        loadBalancer: { type: 'RoundRobin' },
        retry: {
          numRetries: 3,
          retryOn: { triggers: ['connect-failure'] },
          // Envoy's default back-off for these retries starts at 1 s.
          perRetry: { backOff: { baseInterval: '50ms', maxInterval: '100ms' } },
        },
      },
    }),
  ],
  statuses: policyAccepted('egts-ext-auth-path', 'egts-ext-auth-retry'),
  requests: [
    www('/egts-ext-auth-path/a', { Authorization: 'Bearer token1' }, 200, {
      'x-ext-auth-req-path': '/check',
    }),
    www('/egts-ext-auth-retry', { Authorization: 'Bearer token1' }, 200),
  ],
  steps: async (harness) => {
    const check = www('/egts-ext-auth-retry', { Authorization: 'Bearer token1' }, 200);
    const statuses: (number | string)[] = [];
    for (let i = 0; i < RETRIED_CHECKS; i += 1) {
      const result = await harness.send(check);
      statuses.push(result instanceof Error ? result.message : result.status);
    }
    if (statuses.some((status) => status !== 200))
      throw new Error(`checks through a half-dead service: ${statuses.join(' ')}, want all 200`);
  },
};

export const extAuthTests = (): ConformanceTest[] => [
  grpcExtAuth,
  extAuthTimeout,
  grpcExtAuthOptions,
  httpExtAuthPathRetry,
];
