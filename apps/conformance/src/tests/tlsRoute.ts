// GATEWAY-TLS: TLSRoute attachment and reference checks and TLS listener kinds
// (conformance/tests/tlsroute-*.go), and TLS traffic: an HTTPS request with the route's hostname
// as SNI, passed through to (or terminated in front of) the echo backend that must answer.
import {
  accepted,
  type ConformanceTest,
  gw,
  type HttpExpectation,
  infra,
  type StatusExpectation,
} from '../conformanceTest.js';

const G = 'Gateway';
const T = 'TLSRoute';

const tlsRoute = (
  name: string,
  gateway: string,
  type: string,
  status: 'True' | 'False',
  reason?: string,
  sectionName?: string,
): StatusExpectation => ({
  kind: 'TLSRoute',
  namespace: infra,
  name,
  parents: [
    {
      gateway: gw(gateway),
      ...(sectionName ? { sectionName } : {}),
      conditions: [{ type, status, ...(reason ? { reason } : {}) }],
    },
  ],
});

const notAccepted = (name: string): StatusExpectation => ({
  kind: 'TLSRoute',
  namespace: infra,
  name,
  notAccepted: true,
});

const zeroRoutes = (gateway: string, listener: string): StatusExpectation => ({
  kind: 'Gateway',
  namespace: infra,
  name: gateway,
  listeners: [{ name: listener, attachedRoutes: 0 }],
});

/** An HTTPS request to `gateway` with `host` as SNI and Host, answered by `backend`. */
const tlsRequest = (
  gateway: string,
  host: string,
  backend: string,
  port = 443,
): HttpExpectation => ({
  gateway: gw(gateway),
  port,
  request: { scheme: 'https', host, serverName: host, path: '/' },
  backend,
  namespace: infra,
});

const x = (n: number) =>
  [
    'gw-tlsroute-exact-hostname-x-1',
    'gw-tlsroute-more-specific-wc-hostname-x-2',
    'gw-tlsroute-less-specific-wc-hostname-x-3',
    'gw-tlsroute-empty-hostname-x-4',
  ][n - 1]!;

export const tlsRouteTests: ConformanceTest[] = [
  {
    name: 'TLSRouteSimpleSameNamespace',
    description: 'A TLSRoute passes TLS for its hostname through to the backend',
    features: [G, T],
    manifests: ['tlsroute-simple-same-namespace.yaml'],
    statuses: accepted(gw('gateway-tlsroute'), ['gateway-conformance-infra-test'], 'TLSRoute'),
    requests: [tlsRequest('gateway-tlsroute', 'abc.example.com', 'tcp-backend')],
  },
  {
    name: 'TLSRouteHostnameIntersection',
    description: 'TLSRoutes serve the intersection of their hostnames with the listener hostname',
    features: [G, T],
    manifests: ['tlsroute-hostname-intersection.yaml'],
    statuses: [
      ...accepted(gw(x(1)), ['tlsroute-more-specific-wc-hostname-x-1'], 'TLSRoute'),
      ...accepted(
        gw(x(2)),
        ['tlsroute-exact-hostname-x-2', 'tlsroute-less-specific-wc-hostname-x-2'],
        'TLSRoute',
      ),
      ...accepted(
        gw(x(3)),
        ['tlsroute-exact-hostname-x-3', 'tlsroute-more-specific-wc-hostname-x-3'],
        'TLSRoute',
      ),
      ...accepted(
        gw(x(4)),
        ['tlsroute-exact-hostname-x-4', 'tlsroute-less-specific-wc-hostname-x-4'],
        'TLSRoute',
      ),
    ],
    requests: [
      tlsRequest(x(1), 'abc.example.com', 'tls-backend'),
      tlsRequest(x(2), 'abc.example.com', 'tls-backend'),
      tlsRequest(x(2), 'other.example.com', 'tls-backend-2'),
      tlsRequest(x(3), 'abc.example.com', 'tls-backend'),
      tlsRequest(x(3), 'other.example.com', 'tls-backend-2'),
      tlsRequest(x(4), 'abc.example.com', 'tls-backend'),
      tlsRequest(x(4), 'other.com', 'tls-backend-2'),
    ],
  },
  {
    name: 'TLSRouteTerminateSimpleSameNamespace',
    description: 'A Terminate TLS listener ends TLS and forwards the stream to the backend',
    features: [G, T, 'TLSRouteModeTerminate'],
    manifests: ['tlsroute-terminate-simple-same-namespace.yaml'],
    statuses: accepted(gw('gateway-tlsroute-terminate'), ['tlsroute-terminated-test'], 'TLSRoute'),
    requests: [tlsRequest('gateway-tlsroute-terminate', 'tls.example.com', 'tcp-backend', 8443)],
  },
  {
    name: 'TLSRouteMixedTerminationSameNamespace',
    description: 'Terminate and Passthrough TLS listeners on one port, told apart by SNI',
    features: [G, T, 'TLSRouteModeMixed'],
    manifests: ['tlsroute-mixed-termination-same-namespace.yaml'],
    provisional: true,
    statuses: accepted(
      gw('gateway-tlsroute-mixed-termination'),
      ['gateway-conformance-mixed-passthroughroute', 'gateway-conformance-mixed-terminateroute'],
      'TLSRoute',
    ),
    requests: [
      tlsRequest('gateway-tlsroute-mixed-termination', 'abc.example.com', 'tcp-backend', 8883),
      tlsRequest('gateway-tlsroute-mixed-termination', 'tls.example.com', 'tcp-backend', 8883),
    ],
  },
  {
    name: 'TLSRouteInvalidBackendRefNonexistent',
    description: 'A TLSRoute to a missing Service: ResolvedRefs False (BackendNotFound)',
    features: [G, T],
    manifests: ['tlsroute-invalid-backendref-nonexistent.yaml'],
    statuses: [
      tlsRoute(
        'invalid-backend-ref-nonexistent',
        'gateway-tlsroute-invalid-backend-ref-nonexistent',
        'Accepted',
        'True',
      ),
      tlsRoute(
        'invalid-backend-ref-nonexistent',
        'gateway-tlsroute-invalid-backend-ref-nonexistent',
        'ResolvedRefs',
        'False',
        'BackendNotFound',
      ),
    ],
  },
  {
    name: 'TLSRouteInvalidBackendRefUnknownKind',
    description: 'A TLSRoute backendRef of an unknown kind: ResolvedRefs False (InvalidKind)',
    features: [G, T],
    manifests: ['tlsroute-invalid-backendref-unknown-kind.yaml'],
    statuses: [
      tlsRoute(
        'invalid-backend-ref-unknown-kind',
        'gateway-tlsroute-invalid-backend-ref-unknown-kind',
        'ResolvedRefs',
        'False',
        'InvalidKind',
      ),
    ],
  },
  {
    name: 'TLSRouteInvalidNoMatchingListenerHostname',
    description:
      'TLSRoutes whose hostnames match no listener: Accepted False (NoMatchingListenerHostname)',
    features: [G, T],
    manifests: ['tlsroute-invalid-no-matching-listener-hostname.yaml'],
    statuses: [
      tlsRoute(
        'tlsroute-hostname-mismatch-1',
        'gateway-tls-exact-hostname',
        'Accepted',
        'False',
        'NoMatchingListenerHostname',
      ),
      tlsRoute(
        'tlsroute-hostname-mismatch-2',
        'gateway-tls-wildcard-hostname',
        'Accepted',
        'False',
        'NoMatchingListenerHostname',
      ),
      notAccepted('tlsroute-hostname-mismatch-1'),
      notAccepted('tlsroute-hostname-mismatch-2'),
      zeroRoutes('gateway-tls-exact-hostname', 'tls'),
      zeroRoutes('gateway-tls-wildcard-hostname', 'tls'),
    ],
  },
  {
    name: 'TLSRouteInvalidNoMatchingListener',
    description:
      'TLSRoutes on Gateways without a TLS listener, or naming a missing listener, attach nowhere (reasons checked: NoMatchingParent for the missing section)',
    features: [G, 'HTTPRoute', T],
    manifests: ['tlsroute-invalid-no-matching-listener.yaml'],
    statuses: [
      tlsRoute(
        'tlsroute-not-allowed-protocol-http',
        'gateway-tlsroute-http-only',
        'Accepted',
        'False',
      ),
      tlsRoute(
        'tlsroute-not-allowed-protocol-https',
        'gateway-tlsroute-https-only',
        'Accepted',
        'False',
      ),
      tlsRoute(
        'tlsroute-no-matching-section-name',
        'gateway-tlsroute-tls-passthrough-only',
        'Accepted',
        'False',
        'NoMatchingParent',
      ),
      notAccepted('tlsroute-not-allowed-protocol-http'),
      notAccepted('tlsroute-not-allowed-protocol-https'),
      notAccepted('tlsroute-no-matching-section-name'),
      zeroRoutes('gateway-tlsroute-http-only', 'http'),
      zeroRoutes('gateway-tlsroute-https-only', 'https'),
      zeroRoutes('gateway-tlsroute-tls-passthrough-only', 'tls-passthrough'),
    ],
  },
  {
    name: 'TLSRouteInvalidReferenceGrant',
    description: 'ReferenceGrants that do not match grant a TLSRoute nothing: RefNotPermitted',
    features: [G, T, 'ReferenceGrant'],
    manifests: ['tlsroute-invalid-reference-grant.yaml'],
    statuses: [
      tlsRoute(
        'gateway-conformance-infra-test',
        'gateway-tlsroute-referencegrant',
        'Accepted',
        'True',
      ),
      tlsRoute(
        'gateway-conformance-infra-test',
        'gateway-tlsroute-referencegrant',
        'ResolvedRefs',
        'False',
        'RefNotPermitted',
      ),
    ],
  },
  {
    name: 'TLSRouteListenerPassthroughSupportedKinds',
    description:
      'A Passthrough TLS listener supports TLSRoute, and refuses TCPRoute (InvalidRouteKinds)',
    features: [G, T],
    manifests: ['tlsroute-listener-passthrough-supported-kinds.yaml'],
    statuses: [
      {
        kind: 'Gateway',
        namespace: infra,
        name: 'gateway-tlsroute-passthrough-supported-kind',
        listeners: [
          {
            name: 'tls-passthrough',
            supportedKinds: ['TLSRoute'],
            attachedRoutes: 0,
            conditions: [{ type: 'ResolvedRefs', status: 'False', reason: 'InvalidRouteKinds' }],
          },
        ],
      },
    ],
  },
  {
    name: 'TLSRouteListenerTerminateSupportedKinds',
    description: 'A Terminate TLS listener supports TLSRoute',
    features: [G, T, 'TLSRouteModeTerminate'],
    manifests: ['tlsroute-listener-terminate-supported-kinds.yaml'],
    statuses: [
      {
        kind: 'Gateway',
        namespace: infra,
        name: 'gateway-tlsroute-terminate-supported',
        listeners: [
          {
            name: 'tls-terminate',
            supportedKinds: ['TLSRoute'],
            attachedRoutes: 0,
            conditions: [
              { type: 'Accepted', status: 'True' },
              { type: 'ResolvedRefs', status: 'True' },
            ],
          },
        ],
      },
    ],
  },
];
