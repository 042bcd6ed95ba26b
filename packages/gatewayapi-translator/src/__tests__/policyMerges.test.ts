// Envoy Gateway's policy merging (mergeType): a route policy merges into the Gateway policy above
// it. An invalid broader policy (Accepted=False/Invalid) is merged with nothing: the route policy
// replaces it where both apply, so the Gateway policy is Overridden, not Merged, and the failed
// merge is reported on the route policy, per listener its route attaches to. A route attached to
// a whole Gateway or ListenerSet (no sectionName) merges per listener: Merged is said on the
// parent's entry per listener (sectionName) that a broader policy covers.
import { describe, expect, it } from 'vitest';
import { conds, statusesOf } from './translateYaml.js';

const input = (gatewayPolicyBody: string) => `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw, namespace: default }
spec:
  gatewayClassName: envoy-gateway-class
  listeners: [{ name: http, protocol: HTTP, port: 80 }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: route, namespace: default }
spec:
  parentRefs: [{ name: gw }]
  rules: [{ matches: [{ path: { type: PathPrefix, value: / } }] }]
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: { name: for-gateway, namespace: default }
spec:
  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: gw }]
${gatewayPolicyBody}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: { name: for-route, namespace: default }
spec:
  targetRefs: [{ group: gateway.networking.k8s.io, kind: HTTPRoute, name: route }]
  mergeType: StrategicMerge
  timeout: { http: { requestTimeout: 5s } }
`;

const INVALID = `  responseOverride:
  - match: { statusCodes: [{ type: Value, value: 503 }] }
    response: { body: { type: ValueRef, valueRef: { group: '', kind: ConfigMap, name: missing } } }`;
const VALID = '  timeout: { http: { connectionIdleTimeout: 10s } }';

describe('merging into a broader policy', () => {
  it('a valid Gateway policy: Merged on both, per listener for a route attached to the whole Gateway', () => {
    const status = statusesOf(input(VALID));
    const route = status('BackendTrafficPolicy', 'for-route').ancestors;
    expect(route).toHaveLength(2);
    const whole = route.find((a) => a.ancestorRef.sectionName === undefined);
    expect(conds(whole?.conditions)).toEqual({ Accepted: 'True/Accepted' });
    const http = route.find((a) => a.ancestorRef.sectionName === 'http');
    expect(conds(http?.conditions)).toEqual({ Merged: 'True/Merged' });
    expect(
      conds(status('BackendTrafficPolicy', 'for-gateway').ancestors[0]?.conditions).Merged,
    ).toBe('True/Merged');
  });

  it('an invalid Gateway policy: Overridden, and the route policy reports the failed merge', () => {
    const status = statusesOf(input(INVALID));
    const gateway = conds(status('BackendTrafficPolicy', 'for-gateway').ancestors[0]?.conditions);
    expect(gateway).toMatchObject({ Accepted: 'False/Invalid', Overridden: 'True/Overridden' });
    expect(gateway.Merged).toBeUndefined();
    const route = status('BackendTrafficPolicy', 'for-route').ancestors;
    const byListener = route.find((a) => a.ancestorRef.sectionName === 'http');
    expect(conds(byListener?.conditions).Accepted).toBe('False/Invalid');
    const whole = route.find((a) => a.ancestorRef.sectionName === undefined);
    expect(conds(whole?.conditions).Accepted).toBe('True/Accepted');
  });
});

describe('merging through a whole ListenerSet', () => {
  it('Merged on an entry per listener a broader policy covers, not on the whole set', () => {
    const status = statusesOf(`
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw, namespace: default }
spec:
  gatewayClassName: envoy-gateway-class
  allowedListeners: { namespaces: { from: All } }
  listeners: [{ name: http, protocol: HTTP, port: 80 }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: { name: extra, namespace: default }
spec:
  parentRef: { name: gw }
  listeners:
  - { name: one, protocol: HTTP, port: 8081 }
  - { name: two, protocol: HTTP, port: 8082 }
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: route, namespace: default }
spec:
  parentRefs: [{ group: gateway.networking.k8s.io, kind: ListenerSet, name: extra }]
  rules: [{ matches: [{ path: { type: PathPrefix, value: / } }] }]
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: { name: for-one, namespace: default }
spec:
  targetRefs: [{ group: gateway.networking.k8s.io, kind: ListenerSet, name: extra, sectionName: one }]
  timeout: { http: { connectionIdleTimeout: 10s } }
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: { name: for-route, namespace: default }
spec:
  targetRefs: [{ group: gateway.networking.k8s.io, kind: HTTPRoute, name: route }]
  mergeType: StrategicMerge
  timeout: { http: { requestTimeout: 5s } }
`);
    const ancestors = status('BackendTrafficPolicy', 'for-route').ancestors;
    const whole = ancestors.find((a) => a.ancestorRef.sectionName === undefined);
    expect(conds(whole?.conditions)).toEqual({ Accepted: 'True/Accepted' });
    const one = ancestors.find((a) => a.ancestorRef.sectionName === 'one');
    expect(one?.ancestorRef.kind).toBe('ListenerSet');
    expect(conds(one?.conditions).Merged).toBe('True/Merged');
    expect(ancestors.find((a) => a.ancestorRef.sectionName === 'two')).toBeUndefined();
  });
});
