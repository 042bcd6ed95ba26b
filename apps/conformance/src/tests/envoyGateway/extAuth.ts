// Envoy Gateway's ext_authz e2e tests over gRPC and with a timeout (ext_auth_grpc_service.go,
// ext_auth_timeout.go) re-expressed: the same manifests and requests, the envoy-ext-auth server
// played by internal/extAuthServer.ts (HTTP, and gRPC over TLS with the mounted certificate).
import {
  accepted,
  type ConformanceTest,
  gw,
  type HttpExpectation,
  infra,
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

export const extAuthTests = (): ConformanceTest[] => [grpcExtAuth, extAuthTimeout];
