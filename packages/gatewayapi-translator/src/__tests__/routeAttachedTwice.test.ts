// A route whose parentRefs name one listener twice (the Gateway, and the Gateway with the
// listener's sectionName) is accepted on both parents, and served once there: the IR names each
// route of a listener once, which the xDS translator relies on to group a listener's routes
// without a set of names (@egts/ir HTTPListener.routes).
import { loadResourcesFromText } from '@egts/api';
import { describe, expect, it } from 'vitest';
import { translate } from '../index.js';
import { BASE } from './translateYaml.js';

const YAML = `${BASE}---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw, namespace: default }
spec:
  gatewayClassName: envoy-gateway-class
  listeners: [{ name: http, protocol: HTTP, port: 80 }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: twice, namespace: default }
spec:
  parentRefs: [{ name: gw }, { name: gw, sectionName: http }]
  hostnames: [a.example.com, b.example.com]
  rules: [{ backendRefs: [{ name: service-1, port: 8080 }] }]
`;

describe('a route attached twice to one listener', () => {
  it('is accepted on both parents and its IR routes appear once', () => {
    const { resources } = loadResourcesFromText(YAML, 'test.yaml', { lenient: true });
    const { xdsIR, statuses } = translate(resources);
    const route = statuses.find((s) => s.kind === 'HTTPRoute');
    const { parents } = (route?.status ?? { parents: [] }) as {
      parents: { conditions: { type: string; status: string }[] }[];
    };
    expect(parents).toHaveLength(2);
    for (const parent of parents)
      expect(parent.conditions.find((c) => c.type === 'Accepted')?.status).toBe('True');
    expect(xdsIR[0]?.http[0]?.routes.map((r) => r.name)).toEqual([
      'httproute/default/twice/rule/0/match/0/a.example.com',
      'httproute/default/twice/rule/0/match/0/b.example.com',
    ]);
  });
});
