// GATEWAY-HTTP core: simple routing, path and header matching, hostnames and namespaces
// (conformance/tests/httproute-*.go in kubernetes-sigs/gateway-api).
import {
  accepted,
  appBackend,
  type ConformanceTest,
  gw,
  type HttpExpectation,
  infra,
  routeCondition,
  webBackend,
} from '../conformanceTest.js';

const sameNs = gw('same-namespace');
const v1 = { backend: 'infra-backend-v1', namespace: infra };
const v2 = { backend: 'infra-backend-v2', namespace: infra };
const v3 = { backend: 'infra-backend-v3', namespace: infra };
const notFound = { status: 404 };

const resolved = (route: string, gateway = sameNs, namespace = infra) =>
  routeCondition(route, gateway, 'ResolvedRefs', 'True', undefined, namespace);

/** Requests to `gateway` by host and path. */
const at =
  (gateway: ReturnType<typeof gw>) =>
  (host: string, path: string, expected: Partial<HttpExpectation>): HttpExpectation => ({
    gateway,
    request: { host, path },
    ...expected,
  });

const intersection = gw('httproute-hostname-intersection');
const intersectionAll = gw('httproute-hostname-intersection-all');
const hi = at(intersection);
const listenerHostnames = gw('httproute-listener-hostname-matching');
const lh = at(listenerHostnames);
const listenerConditions = [
  { type: 'Accepted', status: 'True' as const },
  { type: 'ResolvedRefs', status: 'True' as const },
];

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
    statuses: [...accepted(sameNs, ['matching']), resolved('matching')],
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
    statuses: [...accepted(sameNs, ['exact-matching']), resolved('exact-matching')],
    requests: [
      { request: { path: '/one' }, ...v1 },
      { request: { path: '/two' }, ...v2 },
      { request: { path: '/' }, ...notFound },
      { request: { path: '/Two' }, ...notFound },
      { request: { path: '/one/example' }, ...notFound },
      { request: { path: '/two/' }, ...notFound },
    ],
  },
  {
    name: 'HTTPRouteHeaderMatching',
    description: 'Header matches (ANDed within a match, ORed across matches) pick the backend',
    features: ['Gateway', 'HTTPRoute'],
    manifests: ['httproute-header-matching.yaml'],
    statuses: [...accepted(sameNs, ['header-matching']), resolved('header-matching')],
    requests: [
      { request: { path: '/', headers: { Version: 'one' } }, ...v1 },
      { request: { path: '/', headers: { Version: 'two' } }, ...v2 },
      { request: { path: '/', headers: { Version: 'two', Color: 'orange' } }, ...v1 },
      { request: { path: '/', headers: { Version: 'two', Color: 'blue' } }, ...v2 },
      { request: { path: '/', headers: { Color: 'orange' } }, ...notFound },
      { request: { path: '/', headers: { 'Some-Other-Header': 'one' } }, ...notFound },
      { request: { path: '/', headers: { Color: 'blue' } }, ...v1 },
      { request: { path: '/', headers: { Color: 'green' } }, ...v1 },
      { request: { path: '/', headers: { Color: 'red' } }, ...v2 },
      { request: { path: '/', headers: { Color: 'yellow' } }, ...v2 },
      { request: { path: '/', headers: { Color: 'purple' } }, ...notFound },
    ],
  },
  {
    name: 'HTTPRouteMatchingAcrossRoutes',
    description: 'Matches of two HTTPRoutes on one listener merge by precedence, per hostname',
    features: ['Gateway', 'HTTPRoute'],
    manifests: ['httproute-matching-across-routes.yaml'],
    statuses: accepted(sameNs, ['matching-part1', 'matching-part2']),
    requests: [
      { request: { host: 'example.com', path: '/' }, ...v1 },
      { request: { host: 'example.com', path: '/example' }, ...v1 },
      { request: { host: 'example.net', path: '/example' }, ...v1 },
      { request: { host: 'example.com', path: '/', headers: { Version: 'one' } }, ...v1 },
      { request: { host: 'example.com', path: '/v2' }, ...v2 },
      { request: { host: 'example.com', path: '/v2/example' }, ...v2 },
      { request: { host: 'example.com', path: '/', headers: { Version: 'two' } }, ...v2 },
      { request: { host: 'example.net', path: '/v2' }, ...v1 },
      { request: { host: 'example.net', path: '/', headers: { Version: 'two' } }, ...v1 },
      { request: { host: 'example.org', path: '/' }, ...notFound },
    ],
  },
  {
    name: 'HTTPRoutePathMatchOrder',
    description: 'Exact beats prefix, and the longest prefix wins',
    features: ['Gateway', 'HTTPRoute'],
    manifests: ['httproute-path-match-order.yaml'],
    statuses: accepted(sameNs, ['path-matching-order']),
    requests: [
      { request: { path: '/match/exact/one' }, ...v3 },
      { request: { path: '/match/exact' }, ...v2 },
      { request: { path: '/match' }, ...v1 },
      { request: { path: '/match/prefix/one/extra' }, ...v2 },
      { request: { path: '/match/prefix/' }, ...v1 },
      { request: { path: '/match/' }, ...v3 },
    ],
  },
  {
    name: 'HTTPRouteHostnameIntersection',
    description:
      'HTTPRoutes attach only to listeners whose hostnames intersect theirs, and serve only the intersection',
    features: ['Gateway', 'HTTPRoute'],
    manifests: ['httproute-hostname-intersection.yaml'],
    statuses: [
      ...accepted(intersection, [
        'specific-host-matches-listener-specific-host',
        'specific-host-matches-listener-wildcard-host',
        'wildcard-host-matches-listener-specific-host',
        'wildcard-host-matches-listener-wildcard-host',
      ]),
      resolved('specific-host-matches-listener-specific-host', intersection),
      resolved('wildcard-host-matches-listener-wildcard-host', intersection),
      routeCondition(
        'no-intersecting-hosts',
        intersection,
        'Accepted',
        'False',
        'NoMatchingListenerHostname',
      ),
      {
        kind: 'Gateway',
        ...intersection,
        listeners: [
          {
            name: 'listener-1',
            supportedKinds: ['HTTPRoute'],
            attachedRoutes: 2,
            conditions: listenerConditions,
          },
          {
            name: 'listener-2',
            supportedKinds: ['HTTPRoute'],
            attachedRoutes: 1,
            conditions: listenerConditions,
          },
          {
            name: 'listener-3',
            supportedKinds: ['HTTPRoute'],
            attachedRoutes: 1,
            conditions: listenerConditions,
          },
        ],
      },
      ...accepted(intersectionAll, ['httproute-hostname-intersection-all']),
    ],
    requests: [
      hi('very.specific.com', '/s1', v1),
      hi('very.specific.com:1234', '/s1', v1),
      hi('non.matching.com', '/s1', notFound),
      hi('foo.nonmatchingwildcard.io', '/s1', notFound),
      hi('foo.wildcard.io', '/s1', notFound),
      hi('very.specific.com', '/non-matching-prefix', notFound),
      hi('foo.wildcard.io', '/s2', v2),
      hi('bar.wildcard.io', '/s2', v2),
      hi('foo.bar.wildcard.io', '/s2', v2),
      hi('non.matching.com', '/s2', notFound),
      hi('wildcard.io', '/s2', notFound),
      hi('very.specific.com', '/s2', notFound),
      hi('foo.wildcard.io', '/non-matching-prefix', notFound),
      hi('very.specific.com', '/s3', v3),
      hi('non.matching.com', '/s3', notFound),
      hi('foo.specific.com', '/s3', notFound),
      hi('foo.wildcard.io', '/s3', notFound),
      hi('foo.anotherwildcard.io', '/s4', v1),
      hi('bar.anotherwildcard.io', '/s4', v1),
      hi('foo.bar.anotherwildcard.io', '/s4', v1),
      hi('anotherwildcard.io', '/s4', notFound),
      hi('foo.wildcard.io', '/s4', notFound),
      hi('very.specific.com', '/s4', notFound),
      hi('specific.but.wrong.com', '/s5', notFound),
      hi('wildcard.io', '/s5', notFound),
      ...['first.com', 'sub.first.com', 'second.com', 'sub.second.com'].map((host) =>
        at(intersectionAll)(host, '/', v2),
      ),
      at(intersectionAll)('third.com', '/', notFound),
      at(intersectionAll)('sub.third.com', '/', notFound),
    ],
  },
  {
    name: 'HTTPRouteListenerHostnameMatching',
    description:
      'Listener hostnames (exact and wildcard) on one port select the routes attached to them',
    features: ['Gateway', 'HTTPRoute'],
    manifests: ['httproute-listener-hostname-matching.yaml'],
    statuses: accepted(listenerHostnames, ['backend-v1', 'backend-v2', 'backend-v3']),
    requests: [
      lh('bar.com', '/', v1),
      lh('foo.bar.com', '/', v2),
      lh('baz.bar.com', '/', v3),
      lh('boo.bar.com', '/', v3),
      lh('multiple.prefixes.bar.com', '/', v3),
      lh('multiple.prefixes.foo.com', '/', v3),
      lh('foo.com', '/', notFound),
      lh('no.matching.host', '/', notFound),
    ],
  },
  {
    name: 'HTTPRouteCrossNamespace',
    description:
      'An HTTPRoute in another namespace attaches to a Gateway that allows its namespace',
    features: ['Gateway', 'HTTPRoute'],
    manifests: ['httproute-cross-namespace.yaml'],
    statuses: [
      ...accepted(gw('backend-namespaces'), ['cross-namespace'], 'HTTPRoute', webBackend),
      resolved('cross-namespace', gw('backend-namespaces'), webBackend),
    ],
    requests: [
      {
        gateway: gw('backend-namespaces'),
        request: { path: '/' },
        backend: 'web-backend',
        namespace: webBackend,
      },
    ],
  },
  {
    name: 'HTTPRouteReferenceGrant',
    description: 'A ReferenceGrant lets an HTTPRoute use a Service in another namespace',
    features: ['Gateway', 'HTTPRoute', 'ReferenceGrant'],
    manifests: ['httproute-reference-grant.yaml'],
    statuses: [...accepted(sameNs, ['reference-grant']), resolved('reference-grant')],
    requests: [{ request: { path: '/' }, backend: 'web-backend', namespace: webBackend }],
  },
  {
    name: 'HTTPRoutePartiallyInvalidViaInvalidReferenceGrant',
    description: 'A rule whose backend is not granted answers 500; the granted rule keeps serving',
    features: ['Gateway', 'HTTPRoute', 'ReferenceGrant'],
    manifests: ['httproute-partially-invalid-via-invalid-reference-grant.yaml'],
    statuses: [
      ...accepted(sameNs, ['invalid-reference-grant']),
      routeCondition('invalid-reference-grant', sameNs, 'ResolvedRefs', 'False', 'RefNotPermitted'),
    ],
    requests: [
      { request: { path: '/v2' }, status: 500 },
      { request: { path: '/' }, backend: 'app-backend-v1', namespace: appBackend },
    ],
  },
];
