// Envoy Gateway's RouteRulesOverlap warning, from Gateway API's HTTPRouteRule precedence: when
// matches of different routes tie on a listener and hostname, "precedence MUST be given to the
// oldest Route", so the others receive nothing there. Matches that differ in any criterion (here
// only a query parameter) select different requests and do not overlap.
import { describe, expect, it } from 'vitest';
import { conds, statusesOf } from './translateYaml.js';

const GATEWAY = `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw, namespace: default }
spec:
  gatewayClassName: envoy-gateway-class
  listeners: [{ name: http, protocol: HTTP, port: 80 }]
`;

const route = (name: string, match: string) => `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: ${name}, namespace: default }
spec:
  parentRefs: [{ name: gw }]
  hostnames: [example.com]
  rules: [{ matches: [${match}], backendRefs: [{ name: service-1, port: 8080 }] }]
`;

const overlapOf = (yaml: string, name: string) =>
  conds(statusesOf(yaml)('HTTPRoute', name).parents[0]?.conditions).RouteRulesOverlap;

describe('RouteRulesOverlap', () => {
  it('marks every route whose matches tie with another route, which stay Accepted', () => {
    const yaml =
      GATEWAY +
      route('a', '{ path: { value: /app/ }, headers: [{ name: X-Env, value: prod }] }') +
      route('b', '{ path: { value: /app }, headers: [{ name: x-env, value: prod }] }');
    expect(overlapOf(yaml, 'a')).toBe('True/RouteRulesOverlap');
    expect(overlapOf(yaml, 'b')).toBe('True/RouteRulesOverlap');
    expect(conds(statusesOf(yaml)('HTTPRoute', 'b').parents[0]?.conditions).Accepted).toBe(
      'True/Accepted',
    );
  });

  it('does not mark routes whose matches differ only in query parameters', () => {
    const yaml =
      GATEWAY +
      route('a', '{ path: { value: /app }, queryParams: [{ name: v, value: "1" }] }') +
      route('b', '{ path: { value: /app }, queryParams: [{ name: v, value: "2" }] }');
    expect(overlapOf(yaml, 'a')).toBeUndefined();
    expect(overlapOf(yaml, 'b')).toBeUndefined();
  });
});
