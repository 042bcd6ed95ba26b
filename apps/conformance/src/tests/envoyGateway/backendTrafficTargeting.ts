// Envoy Gateway's BackendTrafficPolicy targeting e2e tests (test/e2e/tests:
// backendtrafficpolicy_section_merged.go, backendtrafficpolicy_cross_namespace.go,
// backendtrafficpolicy_listenerset.go, backend_traffic_policy_match_expression.go) re-expressed: which policy reaches which route through
// listeners, ListenerSets, ReferenceGrants and mergeType, shown by the status a fault or an
// override answers with, through egts and real Envoy.
import {
  accepted,
  type ConformanceTest,
  type GatewayRef,
  gw,
  type HttpExpectation,
  infra,
  type StatusExpectation,
} from '../../conformanceTest.js';

/** A policy's condition on one ancestor (a Gateway or ListenerSet, optionally one listener). */
const onAncestor = (
  name: string,
  ancestor: GatewayRef,
  sectionName?: string,
  type = 'Accepted',
  policyNamespace = infra,
): StatusExpectation => ({
  kind: 'BackendTrafficPolicy',
  namespace: policyNamespace,
  name,
  ancestors: [
    {
      gateway: ancestor,
      ...(sectionName ? { sectionName } : {}),
      conditions: [{ type, status: 'True' }],
    },
  ],
});

/** A request answered with `status` (a fault or override, not a backend). */
const answered = (
  gateway: GatewayRef,
  path: string,
  status: number,
  host?: string,
  port?: number,
): HttpExpectation => ({
  gateway,
  ...(port ? { port } : {}),
  request: { path, ...(host ? { host } : {}) },
  status,
});

const sectionGateway = gw('btp-section');

const merged: ConformanceTest = {
  name: 'BackendTrafficPolicyMerged',
  description: 'Test section level policy attach and merged parent policy for BackendTrafficPolicy',
  features: ['BackendTrafficPolicy'],
  manifests: ['backendtrafficpolicy-section-merged.yaml'],
  statuses: [
    ...accepted(sectionGateway, ['btp-section', 'btp-non-section']),
    onAncestor('btp-section-gateway', sectionGateway, 'listener-1'),
    onAncestor('btp-section-route', sectionGateway, 'listener-1'),
    onAncestor('btp-section-route-rule', sectionGateway, 'listener-1'),
    onAncestor('btp-non-section-route', sectionGateway, 'listener-2'),
  ],
  requests: [
    // rule-2's own policy (no mergeType): its fault (419), not the listener's override.
    answered(sectionGateway, '/bar', 419, 'listener1.merged.example.com'),
    // The route policy merged onto listener-1's: the fault's 418 becomes the override's 500.
    answered(sectionGateway, '/foo', 500, 'listener1.merged.example.com'),
    // listener-2 has no override: the fault's 420 comes through.
    answered(sectionGateway, '/foo', 420, 'listener2.merged.example.com'),
  ],
};

const GRANTED = 'btp-cross-ns-granted';
const DENIED = 'btp-cross-ns-denied';
const grantedGateway = gw('cross-namespace-btp', GRANTED);
const deniedGateway = gw('cross-namespace-btp', DENIED);

const crossNamespace: ConformanceTest = {
  name: 'BackendTrafficPolicyCrossNamespace',
  description: 'BackendTrafficPolicy targets routes in other namespaces through a ReferenceGrant',
  features: ['BackendTrafficPolicy'],
  manifests: ['backendtrafficpolicy-cross-namespace.yaml'],
  statuses: [
    ...accepted(grantedGateway, ['cross-namespace-btp'], 'HTTPRoute', GRANTED),
    ...accepted(deniedGateway, ['cross-namespace-btp'], 'HTTPRoute', DENIED),
    onAncestor('cross-namespace-btp-granted', grantedGateway),
  ],
  requests: [
    // The granted route gets the policy's fault; the denied one is not reached by its policy
    // and answers with its own direct response.
    answered(grantedGateway, '/', 418, 'granted.cross-namespace-btp.example.com'),
    answered(deniedGateway, '/', 200, 'denied.cross-namespace-btp.example.com'),
  ],
};

const lsGateway = gw('btp-listenerset-policy');
const routeGateway = gw('btp-route-policy-gateway');
const mergeGateway = gw('btp-merge-policy-gateway');

const listenerSet: ConformanceTest = {
  name: 'BackendTrafficPolicyListenerSet',
  description: 'BackendTrafficPolicy targeting Gateways, ListenerSets and routes through them',
  features: ['BackendTrafficPolicy'],
  manifests: ['backendtrafficpolicy-listenerset.yaml'],
  statuses: [
    // The Gateway's policy is overridden on the ListenerSet's listener by the set's own.
    onAncestor('btp-listenerset-gateway', lsGateway),
    onAncestor('btp-listenerset-gateway', lsGateway, undefined, 'Overridden'),
    onAncestor('btp-listenerset-policy', gw('btp-listenerset-policy-ls')),
    onAncestor('btp-route-policy', gw('btp-route-policy-ls'), 'route-http'),
    onAncestor('btp-merge-listenerset', gw('btp-merge-policy-ls')),
    onAncestor('btp-merge-route', gw('btp-merge-policy-ls'), 'merge-http', 'Merged'),
  ],
  requests: [
    answered(lsGateway, '/gateway-policy', 418, undefined, 18186),
    answered(lsGateway, '/listenerset-policy', 419, undefined, 18187),
    answered(routeGateway, '/route-policy', 420, undefined, 18189),
    // The route's fault (421) merged with the set's override of 421-422: 500.
    answered(mergeGateway, '/merge-policy', 500, undefined, 18191),
  ],
};

/** A policy selecting routes by a label expression (targetSelectors.matchExpressions). */
const matchExpression: ConformanceTest = {
  name: 'BackendTrafficPolicyMatchExpression',
  description: 'Use match expression to select one HTTPRoute',
  features: ['BackendTrafficPolicy'],
  manifests: ['backend-traffic-policy-match-expression.yaml'],
  statuses: [
    ...accepted(gw('same-namespace'), [
      'backend-traffic-match-expression-normal',
      'backend-traffic-match-expression-injected',
    ]),
    onAncestor('backend-traffic-match-expression', gw('same-namespace')),
  ],
  requests: [
    {
      request: { host: 'normal.example.com', path: '/' },
      backend: 'infra-backend-v1',
      namespace: infra,
    },
    answered(gw('same-namespace'), '/', 418, 'injected.example.com'),
  ],
};

export const backendTrafficTargetingTests = (): ConformanceTest[] => [
  merged,
  crossNamespace,
  listenerSet,
  matchExpression,
];
