// Envoy Gateway's SecurityPolicyListenerSet e2e test (test/e2e/tests/securitypolicy_listenerset.go)
// re-expressed: SecurityPolicies targeting a Gateway, ListenerSets (also from another namespace
// through a ReferenceGrant) and routes attached through ListenerSets, with their per-ancestor
// statuses (Accepted, Overridden, Merged), shown by CORS preflights through egts and real Envoy.
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
  type: 'Accepted' | 'Overridden' | 'Merged',
  sectionName?: string,
  policyNamespace = infra,
): StatusExpectation => ({
  kind: 'SecurityPolicy',
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

const preflightRequest = (path: string, origin: string, method: string, headers: string) => ({
  path,
  method: 'OPTIONS',
  headers: {
    Origin: origin,
    'access-control-request-method': method,
    'access-control-request-headers': headers,
  },
});

/** The suite's expectCORSPreflight: the policy's CORS answers for `origin`. */
const corsPreflight = (
  gateway: GatewayRef,
  port: number,
  path: string,
  origin: string,
  method: string,
  headers: string,
): HttpExpectation => ({
  gateway,
  port,
  request: preflightRequest(path, origin, method, headers),
  status: 200,
  validResponseHeaders: {
    'access-control-allow-origin': [origin],
    'access-control-allow-methods': [method],
    'access-control-allow-headers': [headers],
  },
});

/** The suite's expectNoCORSPreflight: no CORS policy allows `origin` there. */
const noCorsPreflight = (
  gateway: GatewayRef,
  port: number,
  path: string,
  origin: string,
  method: string,
  headers: string,
): HttpExpectation => ({
  gateway,
  port,
  request: preflightRequest(path, origin, method, headers),
  status: 200,
  absentResponseHeaders: ['access-control-allow-origin'],
});

const lsGateway = gw('sp-listenerset-policy');
const routeGateway = gw('sp-route-policy-gateway');
const mergeGateway = gw('sp-merge-policy-gateway');
const crossGateway = gw('sp-cross-policy-gateway');

export const securityPolicyListenerSet: ConformanceTest = {
  name: 'SecurityPolicyListenerSet',
  description:
    'SecurityPolicy targeting ListenerSets, cross-namespace targeting ListenerSets, ListenerSet-attached routes, and ListenerSet merge parents',
  features: ['SecurityPolicy', 'CORS'],
  manifests: ['securitypolicy-listenerset.yaml'],
  statuses: [
    ...accepted(lsGateway, ['sp-listenerset-gateway-route']),
    // The Gateway's policy is overridden on the ListenerSet's listener by the set's own.
    onAncestor('sp-listenerset-gateway', lsGateway, 'Accepted'),
    onAncestor('sp-listenerset-gateway', lsGateway, 'Overridden'),
    onAncestor('sp-listenerset-policy', gw('sp-listenerset-policy-ls'), 'Accepted'),
    onAncestor('sp-route-policy', gw('sp-route-policy-ls'), 'Accepted', 'route-http'),
    onAncestor('sp-merge-listenerset', gw('sp-merge-policy-ls'), 'Accepted'),
    onAncestor('sp-merge-listenerset', gw('sp-merge-policy-ls'), 'Merged'),
    onAncestor('sp-merge-route', gw('sp-merge-policy-ls'), 'Merged', 'merge-http'),
    onAncestor(
      'sp-cross-listenerset',
      gw('sp-cross-policy-ls'),
      'Accepted',
      undefined,
      'sp-cross-ns',
    ),
  ],
  requests: [
    corsPreflight(
      lsGateway,
      18180,
      '/gateway-policy',
      'https://gateway.example.com',
      'GET',
      'x-gateway-header',
    ),
    corsPreflight(
      lsGateway,
      18181,
      '/listenerset-policy',
      'https://listenerset.example.com',
      'POST',
      'x-listenerset-header',
    ),
    noCorsPreflight(
      lsGateway,
      18180,
      '/gateway-policy',
      'https://listenerset.example.com',
      'POST',
      'x-listenerset-header',
    ),
    corsPreflight(
      routeGateway,
      18183,
      '/route-policy',
      'https://route.example.com',
      'PUT',
      'x-route-header',
    ),
    corsPreflight(
      mergeGateway,
      18185,
      '/merge-policy',
      'https://merge-listenerset.example.com',
      'PATCH',
      'x-merge-header',
    ),
    corsPreflight(
      crossGateway,
      18187,
      '/cross-policy',
      'https://cross-listenerset.example.com',
      'DELETE',
      'x-cross-header',
    ),
  ],
};
