// GATEWAY-HTTP core: simple routing, path and header matching (conformance/tests/httproute-*.go).
import { accepted, type ConformanceTest, gw, infra } from '../conformanceTest.js';

const sameNs = gw('same-namespace');
const v1 = { backend: 'infra-backend-v1', namespace: infra };
const v2 = { backend: 'infra-backend-v2', namespace: infra };
const v3 = { backend: 'infra-backend-v3', namespace: infra };

export const httpRouteBasics: ConformanceTest[] = [
  {
    name: 'HTTPRouteSimpleSameNamespace',
    description: 'An HTTPRoute in the Gateway namespace attaches and routes to a backend there',
    features: ['Gateway', 'HTTPRoute'],
    manifests: ['httproute-simple-same-namespace.yaml'],
    statuses: accepted(sameNs, ['gateway-conformance-infra-test']),
    requests: [{ request: { path: '/' }, ...v1 }],
  },
  {
    name: 'HTTPRouteMatching',
    description: 'Path prefix and header matches, ORed within a rule, pick the backend',
    features: ['Gateway', 'HTTPRoute'],
    manifests: ['httproute-matching.yaml'],
    statuses: accepted(sameNs, ['matching']),
    requests: [
      { request: { path: '/' }, ...v1 },
      { request: { path: '/example' }, ...v1 },
      { request: { path: '/', headers: { Version: 'one' } }, ...v1 },
      { request: { path: '/v2' }, ...v2 },
      { request: { path: '/v2/example' }, ...v2 },
      { request: { path: '/', headers: { Version: 'two' } }, ...v2 },
    ],
  },
  {
    name: 'HTTPExactPathMatching',
    description: 'Exact path matches route only that path',
    features: ['Gateway', 'HTTPRoute'],
    manifests: ['httproute-exact-path-matching.yaml'],
    statuses: accepted(sameNs, ['exact-matching']),
    requests: [
      { request: { path: '/one' }, ...v1 },
      { request: { path: '/two' }, ...v2 },
      { request: { path: '/' }, status: 404 },
      { request: { path: '/Two' }, status: 404 },
      { request: { path: '/one/example' }, status: 404 },
      { request: { path: '/two/' }, status: 404 },
    ],
  },
];

export { v3 as _v3 };
