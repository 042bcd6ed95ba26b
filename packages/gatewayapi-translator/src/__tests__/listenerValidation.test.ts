// Listener validation edge cases, from the Gateway API spec (Listener, AllowedRoutes,
// GatewayTLSConfig; GEP-1364 listener conditions) and Kubernetes label selector rules.
import { describe, expect, it } from 'vitest';
import { labelSelectorProblem } from '../internal/labelSelector.js';
import { conds, statusesOf } from './translateYaml.js';

const gatewayWith = (listener: string) => `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw, namespace: default }
spec:
  gatewayClassName: envoy-gateway-class
  listeners:
  - ${listener}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: route, namespace: default }
spec:
  parentRefs: [{ name: gw }]
  rules: [{ backendRefs: [{ name: service-1, port: 8080 }] }]
`;

describe('allowedRoutes.namespaces.selector', () => {
  it('refuses what Kubernetes would not parse (LabelSelectorAsSelector)', () => {
    expect(labelSelectorProblem({ matchLabels: { app: 'x' } })).toBeUndefined();
    expect(
      labelSelectorProblem({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }),
    ).toMatch(/at least one value/);
    expect(
      labelSelectorProblem({
        matchExpressions: [{ key: 'a', operator: 'Exists', values: ['b'] }],
      }),
    ).toMatch(/no values/);
    expect(
      labelSelectorProblem({ matchExpressions: [{ key: 'a', operator: 'Near' as 'In' }] }),
    ).toMatch(/not a valid label selector operator/);
    expect(labelSelectorProblem({ matchLabels: { 'bad key!': 'x' } })).toMatch(/key/);
    expect(labelSelectorProblem({ matchLabels: { 'example.com/app': '-x' } })).toMatch(/value/);
  });

  it('makes the listener invalid (Programmed=False Invalid) and attaches no route', () => {
    const status = statusesOf(
      gatewayWith(`name: http
    protocol: HTTP
    port: 80
    allowedRoutes:
      namespaces:
        from: Selector
        selector: { matchExpressions: [{ key: foo, operator: Exists, values: [bar] }] }`),
    );
    const listener = status('Gateway', 'gw').listeners[0];
    expect(conds(listener?.conditions).Programmed).toBe('False/Invalid');
    expect(listener?.attachedRoutes).toBe(0);
    expect(conds(status('HTTPRoute', 'route').parents[0]?.conditions).Accepted).toBe(
      'False/NotAllowedByListeners',
    );
  });
});
