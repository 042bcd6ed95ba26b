// Resources that arrive with a status already set. Gateway API: RouteParentStatus and
// PolicyAncestorStatus entries belong to the controller named in them ("implementations MUST NOT
// modify entries of other controllers", GEP-1364 / GEP-713); a controller rebuilds listener
// statuses from spec.listeners (ListenerStatus: "one per unique listener"), and Kubernetes
// conditions merge by type (meta.SetStatusCondition).
import { describe, expect, it } from 'vitest';
import { conds, statusesOf } from './translateYaml.js';

const GATEWAY = `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw, namespace: default }
spec:
  gatewayClassName: envoy-gateway-class
  listeners: [{ name: http, protocol: HTTP, port: 80 }]
status:
  conditions:
  - { type: Accepted, status: "False", reason: Invalid, message: stale }
  - { type: ResolvedRefs, status: "False", reason: InvalidClientCertificateRef, message: stale }
  - { type: example.com/Audited, status: "True", reason: Audited, message: another writer }
  listeners:
  - name: removed
    attachedRoutes: 3
    supportedKinds: [{ kind: HTTPRoute }]
    conditions: [{ type: Accepted, status: "True", reason: Accepted, message: stale }]
  - name: http
    attachedRoutes: 7
    supportedKinds: [{ kind: HTTPRoute }]
    conditions: [{ type: Programmed, status: "False", reason: Invalid, message: stale }]
`;

const ROUTE = `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: route, namespace: default }
spec:
  parentRefs: [{ name: gw }]
  rules: [{ backendRefs: [{ name: service-1, port: 8080 }] }]
status:
  parents:
  - parentRef: { name: gw }
    controllerName: gateway.envoyproxy.io/gatewayclass-controller
    conditions:
    - { type: Accepted, status: "False", reason: NoMatchingParent, message: stale }
    - { type: PartiallyInvalid, status: "True", reason: UnsupportedValue, message: stale }
  - parentRef: { name: removed-gateway }
    controllerName: gateway.envoyproxy.io/gatewayclass-controller
    conditions: [{ type: Accepted, status: "True", reason: Accepted, message: stale }]
  - parentRef: { name: other-gateway }
    controllerName: example.com/other-controller
    conditions: [{ type: Accepted, status: "True", reason: Accepted, message: theirs }]
`;

describe('a status the resource arrives with', () => {
  const status = statusesOf(`${GATEWAY}---${ROUTE}`);

  it('replaces our route parents, drops our stale ones, keeps other controllers\u2019', () => {
    const parents = status('HTTPRoute', 'route').parents;
    expect(parents.map((p) => `${p.controllerName}:${p.parentRef.name}`)).toEqual([
      'example.com/other-controller:other-gateway',
      'gateway.envoyproxy.io/gatewayclass-controller:gw',
    ]);
    expect(conds(parents[0]?.conditions)).toEqual({ Accepted: 'True/Accepted' });
    const ours = conds(parents[1]?.conditions);
    expect(ours.Accepted).toBe('True/Accepted');
    expect(ours.PartiallyInvalid).toBeUndefined();
  });

  it('rebuilds listener statuses from the spec', () => {
    const listeners = status('Gateway', 'gw').listeners;
    expect(listeners.map((l) => [l.name, l.attachedRoutes])).toEqual([['http', 1]]);
    expect(conds(listeners[0]?.conditions).Programmed).toBe('True/Programmed');
  });

  it('replaces the Gateway conditions we own and keeps other types', () => {
    const c = conds(status('Gateway', 'gw').conditions);
    expect(c.Accepted).toBe('True/Accepted');
    expect(c.ResolvedRefs).not.toBe('False/InvalidClientCertificateRef');
    expect(c['example.com/Audited']).toBe('True/Audited');
  });
});

describe('a status that breaks the schema', () => {
  it('never costs the resource its spec (a status is output, kept as given)', () => {
    const status = statusesOf(`
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw, namespace: default }
spec:
  gatewayClassName: envoy-gateway-class
  listeners: [{ name: http, protocol: HTTP, port: 80 }]
status:
  listeners:
  - name: http
    conditions: [{ type: Programmed, status: "True", reason: Programmed, message: no timestamp }]
`);
    expect(conds(status('Gateway', 'gw').conditions).Accepted).toBe('True/Accepted');
  });
});
