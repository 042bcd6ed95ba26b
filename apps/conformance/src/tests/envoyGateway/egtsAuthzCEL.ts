// SecurityPolicy authorization rules with CEL beyond Envoy Gateway's AuthzWithCEL: Deny rules
// (CEL alone, and CEL with a header principal) ahead of an Allow, and a CEL expression that does
// not parse or that Envoy cannot build (the policy is refused and its route fails closed, its
// neighbours keep working), through egts and real Envoy.
import {
  type ConformanceTest,
  gw,
  type HttpExpectation,
  infra,
  type KubeObject,
} from '../../conformanceTest.js';

const route = (name: string): KubeObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name, namespace: infra },
  spec: {
    parentRefs: [{ name: 'same-namespace' }],
    rules: [
      {
        matches: [{ path: { type: 'PathPrefix', value: `/${name}` } }],
        backendRefs: [{ name: 'infra-backend-v1', port: 8080 }],
      },
    ],
  },
});

const policy = (name: string, authorization: Record<string, unknown>): KubeObject => ({
  apiVersion: 'gateway.envoyproxy.io/v1alpha1',
  kind: 'SecurityPolicy',
  metadata: { name, namespace: infra },
  spec: {
    targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name }],
    authorization,
  },
});

const policyStatus = (name: string, status: 'True' | 'False') => ({
  kind: 'SecurityPolicy' as const,
  namespace: infra,
  name,
  ancestors: [{ gateway: gw('same-namespace'), conditions: [{ type: 'Accepted', status }] }],
});

const send = (
  path: string,
  status: number,
  method = 'GET',
  headers: Record<string, string> = {},
): HttpExpectation => ({
  request: { path, method, headers },
  status,
  ...(status === 200 ? { backend: 'infra-backend-v1', namespace: infra } : {}),
});

export const authzCELDenyRules: ConformanceTest = {
  name: 'EgtsAuthzCELDenyRules',
  description: 'Deny rules with CEL come first; a CEL expression that does not parse fails closed',
  features: ['SecurityPolicy', 'Authorization'],
  manifests: [],
  objects: [
    route('egts-cel-deny'),
    route('egts-cel-invalid'),
    route('egts-cel-unbuildable'),
    policy('egts-cel-deny', {
      defaultAction: 'Allow',
      rules: [
        {
          name: 'no-team-b-deletes',
          action: 'Deny',
          principal: { headers: [{ name: 'x-team', values: ['team-b'] }] },
          cel: "request.method == 'DELETE'",
        },
        { name: 'no-secrets', action: 'Deny', cel: "request.path.endsWith('/secret')" },
        { name: 'vip', action: 'Allow', cel: "request.headers['x-vip'] == 'yes'" },
      ],
    }),
    policy('egts-cel-invalid', {
      defaultAction: 'Allow',
      rules: [{ name: 'broken', action: 'Deny', cel: "request.path.startsWith('/x'" }],
    }),
    // Parses, but Envoy has no lowerAscii (a string extension it does not enable): Envoy would
    // refuse the whole route configuration, so egts refuses the policy instead.
    policy('egts-cel-unbuildable', {
      defaultAction: 'Allow',
      rules: [{ name: 'lower', action: 'Deny', cel: "request.path.lowerAscii() == '/x'" }],
    }),
  ],
  statuses: [
    policyStatus('egts-cel-deny', 'True'),
    policyStatus('egts-cel-invalid', 'False'),
    policyStatus('egts-cel-unbuildable', 'False'),
  ],
  requests: [
    send('/egts-cel-deny', 200),
    send('/egts-cel-deny', 403, 'DELETE', { 'x-team': 'team-b' }),
    send('/egts-cel-deny', 200, 'DELETE', { 'x-team': 'team-a' }),
    send('/egts-cel-deny', 200, 'GET', { 'x-team': 'team-b' }),
    send('/egts-cel-deny/secret', 403),
    // The Deny comes before the Allow: the first matching rule decides.
    send('/egts-cel-deny/secret', 403, 'GET', { 'x-vip': 'yes' }),
    send('/egts-cel-invalid', 500),
    send('/egts-cel-unbuildable', 500),
  ],
};
