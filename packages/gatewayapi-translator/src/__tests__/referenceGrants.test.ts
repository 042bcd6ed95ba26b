// ReferenceGrant (GEP-709) on TLSRoute backends: a backendRef into another namespace resolves
// only when a grant there names the TLSRoute kind as `from`; a grant for another route kind does
// not count, and a refused ref is ResolvedRefs=False/RefNotPermitted (the route stays Accepted).
import { describe, expect, it } from 'vitest';
import { conds, statusesOf } from './translateYaml.js';

const BASE = `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw, namespace: default }
spec:
  gatewayClassName: envoy-gateway-class
  listeners: [{ name: tls, protocol: TLS, port: 443, tls: { mode: Passthrough } }]
---
apiVersion: v1
kind: Service
metadata: { name: svc, namespace: other }
spec: { ports: [{ port: 8443, protocol: TCP }] }
---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TLSRoute
metadata: { name: route, namespace: default }
spec:
  parentRefs: [{ name: gw }]
  hostnames: [foo.example.com]
  rules: [{ backendRefs: [{ name: svc, namespace: other, port: 8443 }] }]
`;

const grantFrom = (kind: string) => `---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: { name: grant, namespace: other }
spec:
  from: [{ group: gateway.networking.k8s.io, kind: ${kind}, namespace: default }]
  to: [{ group: "", kind: Service }]
`;

const tlsRoute = (yaml: string) =>
  conds(statusesOf(yaml)('TLSRoute', 'route').parents[0]?.conditions);

describe('ReferenceGrants on TLSRoute backends', () => {
  it('refuses a cross-namespace backend without a grant', () => {
    expect(tlsRoute(BASE)).toMatchObject({
      Accepted: 'True/Accepted',
      ResolvedRefs: 'False/RefNotPermitted',
    });
  });
  it('refuses it when the grant is for another route kind', () => {
    expect(tlsRoute(BASE + grantFrom('HTTPRoute')).ResolvedRefs).toBe('False/RefNotPermitted');
  });
  it('resolves it with a grant from TLSRoute', () => {
    expect(tlsRoute(BASE + grantFrom('TLSRoute')).ResolvedRefs).toBe('True/ResolvedRefs');
  });
});
