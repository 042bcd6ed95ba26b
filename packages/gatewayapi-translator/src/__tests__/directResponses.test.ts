// Custom response bodies Envoy Gateway must be able to serve: an HTTPRouteFilter directResponse
// (on an HTTPRoute or a GRPCRoute rule, via ExtensionRef) or a BackendTrafficPolicy
// responseOverride whose body is a valueRef needs that ConfigMap, in the referrer's namespace,
// holding data. Otherwise the filter is invalid and so is its rule (Accepted=False
// UnsupportedValue, GEP-1364), and the policy is not accepted (Accepted=False Invalid).
import { loadResourcesFromText } from '@egts/api';
import { describe, expect, it } from 'vitest';
import { translate } from '../index.js';
import { BASE, conds, statusesOf } from './translateYaml.js';

const GATEWAY = `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw, namespace: default }
spec:
  gatewayClassName: envoy-gateway-class
  listeners: [{ name: http, protocol: HTTP, port: 80 }]
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: HTTPRouteFilter
metadata: { name: answer, namespace: default }
spec:
  directResponse:
    statusCode: 503
    body: { type: ValueRef, valueRef: { group: "", kind: ConfigMap, name: body } }
`;
const CONFIG_MAP = `---
apiVersion: v1
kind: ConfigMap
metadata: { name: body, namespace: default }
data: { response.body: unavailable }
`;
const filter = `filters: [{ type: ExtensionRef, extensionRef: { group: gateway.envoyproxy.io, kind: HTTPRouteFilter, name: answer } }]`;
const ROUTES = `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: http, namespace: default }
spec:
  parentRefs: [{ name: gw }]
  rules: [{ ${filter} }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: { name: grpc, namespace: default }
spec:
  parentRefs: [{ name: gw }]
  rules: [{ ${filter} }]
`;

describe('direct response bodies', () => {
  it('a valueRef to a missing ConfigMap makes the rule invalid, on HTTP and gRPC routes', () => {
    const status = statusesOf(GATEWAY + ROUTES);
    for (const [kind, name] of [
      ['HTTPRoute', 'http'],
      ['GRPCRoute', 'grpc'],
    ] as const)
      expect(conds(status(kind, name).parents[0]?.conditions).Accepted).toBe(
        'False/UnsupportedValue',
      );
  });

  it('names the missing ConfigMap, and not once it exists', () => {
    const message = (yaml: string) =>
      statusesOf(yaml)('GRPCRoute', 'grpc').parents[0]?.conditions.find(
        (c) => c.type === 'Accepted',
      )?.message ?? '';
    expect(message(GATEWAY + ROUTES)).toContain('ConfigMap default/body not found');
    expect(message(GATEWAY + ROUTES + CONFIG_MAP)).not.toContain('ConfigMap default/body');
  });

  it('a BackendTrafficPolicy response override with a missing valueRef is not accepted', () => {
    const status = statusesOf(`${GATEWAY}---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: { name: overrides, namespace: default }
spec:
  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: gw }]
  responseOverride:
  - match: { statusCodes: [{ type: Value, value: 500 }] }
    response: { body: { type: ValueRef, valueRef: { group: "", kind: ConfigMap, name: missing } } }
`);
    expect(
      conds(status('BackendTrafficPolicy', 'overrides').ancestors[0]?.conditions).Accepted,
    ).toBe('False/Invalid');
  });

  it('serves a body with command operators as a format string (Envoy substitutes them)', () => {
    const withOperator = GATEWAY.replace(
      'body: { type: ValueRef, valueRef: { group: "", kind: ConfigMap, name: body } }',
      'body: { type: Inline, inline: "%REQ(:METHOD)% not found" }',
    );
    const yaml = `${BASE}---\n${withOperator}${ROUTES}`;
    const { resources } = loadResourcesFromText(yaml, 'test.yaml', { lenient: true });
    const result = translate(resources, { now: new Date('2030-01-01T00:00:00Z') });
    const parent = statusesOf(withOperator + ROUTES)('HTTPRoute', 'http').parents[0];
    expect(conds(parent?.conditions).Accepted).toBe('True/Accepted');
    const routes = result.xdsIR[0]?.http[0]?.routes ?? [];
    expect(routes.map((r) => r.directResponse)).toContainEqual({
      statusCode: 503,
      body: '%REQ(:METHOD)% not found',
      formatted: true,
    });
  });
});
