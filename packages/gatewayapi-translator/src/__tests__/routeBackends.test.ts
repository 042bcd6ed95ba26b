// Route conditions about the backends a rule sends to. GEP-1364: ResolvedRefs is about references
// (kind, permission, existence, port); a backend that resolved but has no endpoints is reported by
// Envoy Gateway's BackendsAvailable=False/EndpointsNotFound and leaves ResolvedRefs True. The
// backends a rule sends to include RequestMirror's (HTTPRoute filters, GEP-3171). A backendRef of
// weight 0 receives no traffic (BackendRef.weight), so only the reference itself is judged.
import { describe, expect, it } from 'vitest';
import { conds, statusesOf } from './translateYaml.js';

const GATEWAY = `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw, namespace: default }
spec:
  gatewayClassName: envoy-gateway-class
  listeners: [{ name: http, protocol: HTTP, port: 80 }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: service-1-a, namespace: default, labels: { kubernetes.io/service-name: service-1 } }
addressType: IPv4
ports: [{ port: 8080, protocol: TCP }]
endpoints: [{ addresses: [10.0.0.1], conditions: { ready: true } }]
---
apiVersion: v1
kind: Service
metadata: { name: empty, namespace: default }
spec: { ports: [{ port: 8080, protocol: TCP }] }
`;

const route = (rule: string) => `${GATEWAY}---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: route, namespace: default }
spec:
  parentRefs: [{ name: gw }]
  rules:
  - ${rule}
`;

const parentConditions = (yaml: string) =>
  conds(statusesOf(yaml)('HTTPRoute', 'route').parents[0]?.conditions);

describe('backends of a route rule', () => {
  it('a mirror backend without endpoints: BackendsAvailable=False, references resolved', () => {
    const c = parentConditions(
      route(`backendRefs: [{ name: service-1, port: 8080 }]
    filters:
    - type: RequestMirror
      requestMirror: { backendRef: { name: empty, port: 8080 } }`),
    );
    expect(c).toMatchObject({
      Accepted: 'True/Accepted',
      ResolvedRefs: 'True/ResolvedRefs',
      BackendsAvailable: 'False/EndpointsNotFound',
    });
  });

  it('a backend of weight 0 is not judged by its endpoints', () => {
    const c = parentConditions(
      route(
        'backendRefs: [{ name: service-1, port: 8080 }, { name: empty, port: 8080, weight: 0 }]',
      ),
    );
    expect(c.BackendsAvailable).toBeUndefined();
    expect(c.ResolvedRefs).toBe('True/ResolvedRefs');
  });

  it('a Backend mixing a Unix socket with IP endpoints: UnsupportedAddressType', () => {
    const c = parentConditions(`${route(
      'backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: mixed, port: 3000 }]',
    )}---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: { name: mixed, namespace: default }
spec:
  endpoints:
  - ip: { address: 10.0.0.2, port: 3000 }
  - unix: { path: /var/run/app.sock }
`);
    expect(c.ResolvedRefs).toBe('False/UnsupportedAddressType');
  });

  it('an ExternalName Service: ResolvedRefs=False/UnsupportedValue (Gateway API SHOULD NOT)', () => {
    const c = parentConditions(`${route('backendRefs: [{ name: external, port: 8080 }]')}---
apiVersion: v1
kind: Service
metadata: { name: external, namespace: default }
spec:
  type: ExternalName
  externalName: foo.example.com
  ports: [{ port: 8080, protocol: TCP }]
`);
    expect(c.Accepted).toBe('True/Accepted');
    expect(c.ResolvedRefs).toBe('False/UnsupportedValue');
  });

  it('an ExternalName Service as a SecurityPolicy extAuth backend: the policy is Invalid', () => {
    const statuses = statusesOf(`${GATEWAY}---
apiVersion: v1
kind: Service
metadata: { name: external, namespace: default }
spec:
  type: ExternalName
  externalName: auth.example.com
  ports: [{ port: 9000, protocol: TCP }]
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: { name: auth, namespace: default }
spec:
  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: gw }]
  extAuth:
    http:
      backendRefs: [{ name: external, port: 9000 }]
`);
    const accepted = statuses('SecurityPolicy', 'auth').ancestors[0]?.conditions.find(
      (c) => c.type === 'Accepted',
    );
    expect(accepted).toMatchObject({ status: 'False', reason: 'Invalid' });
    expect(accepted?.message).toContain('ExternalName');
  });

  it('an ExternalName Service with endpoints given (file provider DNS slices): resolved', () => {
    const c = parentConditions(`${route('backendRefs: [{ name: external, port: 8080 }]')}---
apiVersion: v1
kind: Service
metadata: { name: external, namespace: default }
spec:
  type: ExternalName
  externalName: foo.example.com
  ports: [{ port: 8080, protocol: TCP }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: external-dns, namespace: default, labels: { kubernetes.io/service-name: external } }
addressType: FQDN
ports: [{ port: 8080, protocol: TCP }]
endpoints: [{ addresses: [foo.example.com], conditions: { ready: true } }]
`);
    expect(c.ResolvedRefs).toBe('True/ResolvedRefs');
  });
});
