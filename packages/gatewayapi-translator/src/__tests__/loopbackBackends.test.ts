// A Backend naming this host (127.0.0.1, ::1, localhost) is refused where proxies run in a cluster,
// since it would reach the proxy itself, and served in host mode, where the proxies run beside the
// user's backends (Envoy Gateway's standalone quickstart routes to a Backend at 127.0.0.1:3000).
import { loadResourcesFromText } from '@egts/api';
import { describe, expect, it } from 'vitest';
import { translate } from '../index.js';

const input = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {namespace: default, name: gw}
spec: {gatewayClassName: eg, listeners: [{name: http, protocol: HTTP, port: 80}]}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: {namespace: default, name: local}
spec: {endpoints: [{ip: {address: 127.0.0.1, port: 3000}}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {namespace: default, name: r}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{group: gateway.envoyproxy.io, kind: Backend, name: local, port: 3000}]}]
`;
const { resources } = loadResourcesFromText(input, 'loopback.yaml');
const now = new Date('2030-01-01T00:00:00Z');

const backendAccepted = (result: ReturnType<typeof translate>) => {
  const status = result.statuses.find((s) => s.kind === 'Backend');
  const conditions = (status?.status as { conditions?: { type: string; status: string }[] })
    ?.conditions;
  return conditions?.find((c) => c.type === 'Accepted')?.status;
};
const endpoints = (result: ReturnType<typeof translate>) =>
  JSON.stringify(result.xdsIR[0]?.http[0]?.routes[0]?.destination ?? {});

describe('Backends naming this host', () => {
  it('are refused by default', () => {
    const result = translate(resources, { now });
    expect(backendAccepted(result)).not.toBe('True');
    expect(endpoints(result)).not.toContain('127.0.0.1');
  });

  it('are served when the proxies run on this host', () => {
    const result = translate(resources, { now, allowLoopbackBackends: true });
    expect(backendAccepted(result)).toBe('True');
    expect(endpoints(result)).toContain('127.0.0.1');
  });
});
