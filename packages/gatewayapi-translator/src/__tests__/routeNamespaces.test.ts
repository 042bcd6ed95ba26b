// A listener allows a route by the route's namespace (Gateway API AllowedRoutes.namespaces: Same,
// All, Selector on the Namespace's labels). Envoy Gateway's translator also refuses a route whose
// Namespace object it was not given; egts does not (attachRoute.ts says why): a file that lists
// some Namespaces for a selector must not detach the routes of the others.
import { describe, expect, it } from 'vitest';
import { conds, statusesOf } from './translateYaml.js';

const input = (namespaces: string) => `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw, namespace: team }
spec:
  gatewayClassName: envoy-gateway-class
  listeners: [{ name: http, protocol: HTTP, port: 80, allowedRoutes: { namespaces: { from: Same } } }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: route, namespace: team }
spec:
  parentRefs: [{ name: gw }]
  rules: [{ matches: [{ path: { type: PathPrefix, value: / } }] }]
${namespaces}`;

const accepted = (yaml: string) =>
  conds(statusesOf(yaml)('HTTPRoute', 'route', 'team').parents[0]?.conditions).Accepted;

describe('the namespace of a route', () => {
  it('listed: the listener judges it (from: Same)', () => {
    const yaml = input(`---
apiVersion: v1
kind: Namespace
metadata: { name: team }`);
    expect(accepted(yaml)).toBe('True/Accepted');
  });

  it('Namespaces listed but not the route one: still judged by the listener alone', () => {
    const yaml = input(`---
apiVersion: v1
kind: Namespace
metadata: { name: other }`);
    expect(accepted(yaml)).toBe('True/Accepted');
  });

  it('no Namespace listed at all: every namespace is taken to exist', () => {
    expect(accepted(input(''))).toBe('True/Accepted');
  });
});
