// GATEWAY-HTTP: HTTPRoutes that must not attach, or attach with unresolved backends (500s)
// (conformance/tests/httproute-invalid-*.go).
import {
  accepted,
  type ConformanceTest,
  gw,
  infra,
  routeCondition,
  type StatusExpectation,
  webBackend,
} from '../conformanceTest.js';

const sameNs = gw('same-namespace');

/** The suite's GatewayMustHaveZeroRoutes for the base `same-namespace` Gateway. */
const sameNsZeroRoutes: StatusExpectation = {
  kind: 'Gateway',
  ...sameNs,
  listeners: [{ name: 'http', attachedRoutes: 0 }],
};

const notAccepted = (name: string, namespace = infra): StatusExpectation => ({
  kind: 'HTTPRoute',
  namespace,
  name,
  notAccepted: true,
});

export const httpRouteInvalid: ConformanceTest[] = [
  {
    name: 'HTTPRouteInvalidNonExistentBackendRef',
    description:
      'A backendRef to a missing Service: ResolvedRefs False (BackendNotFound), answers 500',
    features: ['Gateway', 'HTTPRoute'],
    manifests: ['httproute-invalid-nonexistent-backendref.yaml'],
    statuses: [
      ...accepted(sameNs, ['invalid-nonexistent-backend-ref']),
      routeCondition(
        'invalid-nonexistent-backend-ref',
        sameNs,
        'ResolvedRefs',
        'False',
        'BackendNotFound',
      ),
    ],
    requests: [{ request: { path: '/' }, status: 500 }],
  },
  {
    name: 'HTTPRouteInvalidBackendRefUnknownKind',
    description: 'A backendRef of an unknown kind: ResolvedRefs False (InvalidKind), answers 500',
    features: ['Gateway', 'HTTPRoute'],
    manifests: ['httproute-invalid-backendref-unknown-kind.yaml'],
    statuses: [
      ...accepted(sameNs, ['invalid-backend-ref-unknown-kind']),
      routeCondition(
        'invalid-backend-ref-unknown-kind',
        sameNs,
        'ResolvedRefs',
        'False',
        'InvalidKind',
      ),
    ],
    requests: [{ request: { path: '/' }, status: 500 }],
  },
  {
    name: 'HTTPRouteInvalidCrossNamespaceBackendRef',
    description:
      'A cross-namespace backendRef without a ReferenceGrant: RefNotPermitted, answers 500',
    features: ['Gateway', 'HTTPRoute', 'ReferenceGrant'],
    manifests: ['httproute-invalid-cross-namespace-backend-ref.yaml'],
    statuses: [
      ...accepted(sameNs, ['invalid-cross-namespace-backend-ref']),
      routeCondition(
        'invalid-cross-namespace-backend-ref',
        sameNs,
        'ResolvedRefs',
        'False',
        'RefNotPermitted',
      ),
    ],
    requests: [{ request: { path: '/' }, status: 500 }],
  },
  {
    name: 'HTTPRouteInvalidReferenceGrant',
    description: 'ReferenceGrants that do not match (namespace, from, to) grant nothing: 500',
    features: ['Gateway', 'HTTPRoute', 'ReferenceGrant'],
    manifests: ['httproute-invalid-reference-grant.yaml'],
    statuses: [
      ...accepted(sameNs, ['reference-grant']),
      routeCondition('reference-grant', sameNs, 'ResolvedRefs', 'False', 'RefNotPermitted'),
    ],
    requests: [{ request: { path: '/' }, status: 500 }],
  },
  {
    name: 'HTTPRouteInvalidCrossNamespaceParentRef',
    description:
      'An HTTPRoute may not attach to a Gateway whose listeners do not allow its namespace',
    features: ['Gateway', 'HTTPRoute'],
    manifests: ['httproute-invalid-cross-namespace-parent-ref.yaml'],
    statuses: [
      routeCondition(
        'invalid-cross-namespace-parent-ref',
        sameNs,
        'ResolvedRefs',
        'True',
        undefined,
        webBackend,
      ),
      routeCondition(
        'invalid-cross-namespace-parent-ref',
        sameNs,
        'Accepted',
        'False',
        'NotAllowedByListeners',
        webBackend,
      ),
      notAccepted('invalid-cross-namespace-parent-ref', webBackend),
      sameNsZeroRoutes,
    ],
  },
  {
    name: 'HTTPRouteInvalidParentRefNotMatchingSectionName',
    description: 'A parentRef naming a missing listener: Accepted False (NoMatchingParent)',
    features: ['Gateway', 'HTTPRoute'],
    manifests: ['httproute-invalid-parentref-not-matching-section-name.yaml'],
    statuses: [
      routeCondition(
        'httproute-listener-not-matching-section-name',
        sameNs,
        'Accepted',
        'False',
        'NoMatchingParent',
      ),
      notAccepted('httproute-listener-not-matching-section-name'),
      sameNsZeroRoutes,
    ],
  },
  {
    name: 'HTTPRouteInvalidParentRefNotMatchingListenerPort',
    description: 'A parentRef port no listener has: Accepted False (NoMatchingParent)',
    features: ['Gateway', 'HTTPRoute', 'HTTPRouteParentRefPort'],
    manifests: ['httproute-invalid-parentref-not-matching-listener-port.yaml'],
    statuses: [
      routeCondition(
        'httproute-listener-not-matching-route-port',
        sameNs,
        'Accepted',
        'False',
        'NoMatchingParent',
      ),
      notAccepted('httproute-listener-not-matching-route-port'),
      sameNsZeroRoutes,
    ],
  },
  {
    name: 'HTTPRouteInvalidParentRefSectionNameNotMatchingPort',
    description:
      'A parentRef whose sectionName and port name different listeners: NoMatchingParent',
    features: ['Gateway', 'HTTPRoute', 'HTTPRouteParentRefPort'],
    manifests: ['httproute-invalid-parentref-section-name-not-matching-port.yaml'],
    statuses: [
      routeCondition(
        'httproute-listener-section-name-not-matching-port',
        gw('gateway-with-one-not-matching-port-and-section-name-route'),
        'Accepted',
        'False',
        'NoMatchingParent',
      ),
      notAccepted('httproute-listener-section-name-not-matching-port'),
      {
        kind: 'Gateway',
        ...gw('gateway-with-one-not-matching-port-and-section-name-route'),
        listeners: [{ name: 'http', attachedRoutes: 0 }],
      },
    ],
  },
];
