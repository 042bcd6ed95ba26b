// GATEWAY-TLS: TLSRoute attachment and reference checks and TLS listener kinds
// (conformance/tests/tlsroute-*.go). Tests that send traffic are in notYetExpressed.ts.
import { type ConformanceTest, gw, infra, type StatusExpectation } from '../conformanceTest.js';

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

export const tlsRouteTests: ConformanceTest[] = [
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
