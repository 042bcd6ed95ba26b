// GATEWAY-GRPC: GRPCRoute method, header and hostname matching and weights through real Envoy to
// the GrpcEcho backends (conformance/tests/grpcroute-*.go). Unmatched calls get UNIMPLEMENTED.
import {
  accepted,
  type ConformanceTest,
  type GrpcExpectation,
  gw,
  infra,
  type StatusExpectation,
} from '../conformanceTest.js';

const G = 'Gateway';
const R = 'GRPCRoute';
const sameNs = gw('same-namespace');
const UNIMPLEMENTED = 12;
const v1 = { backend: 'grpc-infra-backend-v1', namespace: infra };
const v2 = { backend: 'grpc-infra-backend-v2', namespace: infra };
const v3 = { backend: 'grpc-infra-backend-v3', namespace: infra };
const echo = (
  metadata: Record<string, string>,
  expected: Partial<GrpcExpectation>,
): GrpcExpectation => ({
  method: 'Echo',
  metadata,
  ...expected,
});
const resolved = (route: string, gateway = sameNs): StatusExpectation => ({
  kind: 'GRPCRoute',
  namespace: infra,
  name: route,
  parents: [{ gateway, conditions: [{ type: 'ResolvedRefs', status: 'True' }] }],
});

const hostnames = gw('grpcroute-listener-hostname-matching');
const at = (authority: string, expected: Partial<GrpcExpectation>): GrpcExpectation => ({
  gateway: hostnames,
  method: 'Echo',
  authority,
  ...expected,
});

export const grpcRouteTests: ConformanceTest[] = [
  {
    name: 'GRPCExactMethodMatching',
    description: 'Exact service/method matches pick the backend; other methods are unimplemented',
    features: [G, R],
    manifests: ['grpcroute-exact-method-matching.yaml'],
    statuses: [...accepted(sameNs, ['exact-matching'], 'GRPCRoute'), resolved('exact-matching')],
    grpcRequests: [
      { method: 'Echo', ...v1 },
      { method: 'EchoTwo', ...v2 },
      { method: 'EchoThree', code: UNIMPLEMENTED },
    ],
  },
  {
    name: 'GRPCRouteHeaderMatching',
    description: 'Metadata matches (ANDed within a match, ORed across matches) pick the backend',
    features: [G, R],
    manifests: ['grpcroute-header-matching.yaml'],
    statuses: [
      ...accepted(sameNs, ['grpc-header-matching'], 'GRPCRoute'),
      resolved('grpc-header-matching'),
    ],
    grpcRequests: [
      echo({ version: 'one' }, v1),
      echo({ version: 'two' }, v2),
      echo({ version: 'two', color: 'orange' }, v1),
      echo({ version: 'two', color: 'blue' }, v2),
      echo({ color: 'orange' }, { code: UNIMPLEMENTED }),
      echo({ 'some-other-header': 'one' }, { code: UNIMPLEMENTED }),
      echo({ color: 'blue' }, v1),
      echo({ color: 'green' }, v1),
      echo({ color: 'red' }, v2),
      echo({ color: 'yellow' }, v2),
      echo({ color: 'purple' }, { code: UNIMPLEMENTED }),
    ],
  },
  {
    name: 'GRPCRouteListenerHostnameMatching',
    description:
      'Listener hostnames on one port select the GRPCRoutes attached to them, by :authority',
    features: [G, R],
    manifests: ['grpcroute-listener-hostname-matching.yaml'],
    statuses: accepted(hostnames, ['backend-v1', 'backend-v2', 'backend-v3'], 'GRPCRoute'),
    grpcRequests: [
      at('bar.com', v1),
      at('foo.bar.com', v2),
      at('baz.bar.com', v3),
      at('boo.bar.com', v3),
      at('multiple.prefixes.bar.com', v3),
      at('multiple.prefixes.foo.com', v3),
      at('foo.com', { code: UNIMPLEMENTED }),
      at('no.matching.host', { code: UNIMPLEMENTED }),
    ],
  },
  {
    name: 'GRPCRouteWeight',
    description: 'GRPCRoute backends weighted 70/30/0 get that share of calls',
    features: [G, R],
    manifests: ['grpcroute-weight.yaml'],
    statuses: accepted(sameNs, ['weighted-backends'], 'GRPCRoute'),
    steps: async (harness) => {
      await harness.expectGrpc([{ method: 'Echo' }]);
      const samples = 200;
      const counts = new Map<string, number>();
      const backends = ['grpc-infra-backend-v1', 'grpc-infra-backend-v2', 'grpc-infra-backend-v3'];
      for (let i = 0; i < samples; i++) {
        const result = await harness.sendGrpc({ method: 'Echo' });
        const pod = result.assertions?.context.pod ?? `status ${result.code}`;
        const backend = backends.find((b) => pod.startsWith(`${b}-`)) ?? pod;
        counts.set(backend, (counts.get(backend) ?? 0) + 1);
      }
      const share = (b: string) => (counts.get(b) ?? 0) / samples;
      const others = [...counts.keys()].filter((b) => !backends.includes(b));
      if (others.length > 0) throw new Error(`answers from ${others.join(', ')}`);
      if (
        Math.abs(share(backends[0]!) - 0.7) > 0.1 ||
        Math.abs(share(backends[1]!) - 0.3) > 0.1 ||
        share(backends[2]!) > 0
      )
        throw new Error(
          `shares ${backends.map((b) => `${b} ${(share(b) * 100).toFixed(0)}%`).join(', ')}, want 70/30/0`,
        );
    },
  },
];

grpcRouteTests.push({
  name: 'GRPCRouteNamedRule',
  description: 'Named and unnamed GRPCRoute rules both route',
  features: [G, R, 'GRPCRouteNamedRouteRule'],
  manifests: ['grpcroute-named-rule.yaml'],
  provisional: true,
  statuses: [...accepted(sameNs, ['grpc-named-rules'], 'GRPCRoute'), resolved('grpc-named-rules')],
  grpcRequests: [
    { method: 'Echo', ...v1 },
    { method: 'EchoTwo', ...v2 },
  ],
});
