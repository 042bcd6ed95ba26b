// BackendTrafficPolicy `rateLimit.global`: refused (Accepted False, Envoy Gateway's words) when the
// EnvoyGateway config enables no rate limit service; otherwise each route's rules get counters of
// their own per listener, shared rules one for every route, and the listeners the Gateway's domain.
import { loadResourcesFromText } from '@egts/api';
import type { HTTPRouteIR, XdsIR } from '@egts/ir';
import { describe, expect, it } from 'vitest';
import { type RateLimitServiceOptions, translate } from '../index.js';

const base = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: eg
  listeners: [{name: http, protocol: HTTP, port: 80}, {name: alt, protocol: HTTP, port: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: app, namespace: default}
spec: {ports: [{name: http, port: 8080}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: a, namespace: default}
spec: {parentRefs: [{name: gw}], rules: [{matches: [{path: {type: PathPrefix, value: /a}}], backendRefs: [{name: app, port: 8080}]}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: b, namespace: default}
spec: {parentRefs: [{name: gw}], rules: [{matches: [{path: {type: PathPrefix, value: /b}}], backendRefs: [{name: app, port: 8080}]}]}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: {name: limits, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: gw}]
  rateLimit:
    type: Global
    global:
      rules:
      - clientSelectors: [{headers: [{name: x-user-id, type: Distinct}]}]
        limit: {requests: 3, unit: Hour}
      - clientSelectors: [{sourceCIDR: {type: Exact, value: 10.0.0.0/8}}]
        limit: {requests: 5, unit: Minute}
        shared: true
        shadowMode: true
`;

const SERVICE: RateLimitServiceOptions = { host: '127.0.0.1', port: 8081, failClosed: true };

const run = (rateLimitService?: RateLimitServiceOptions) => {
  const result = translate(loadResourcesFromText(base, 'global.yaml').resources, {
    ...(rateLimitService ? { rateLimitService } : {}),
  });
  const ir = result.xdsIR[0] as XdsIR;
  const route = (listener: string, name: string) =>
    ir.http
      .find((l) => l.name === `default/gw/${listener}`)
      ?.routes.find((r) => r.source.name === name) as HTTPRouteIR;
  const status = result.statuses.find(
    (s) => s.kind === 'BackendTrafficPolicy' && s.metadata.name === 'limits',
  )?.status as {
    ancestors: {
      conditions: { type: string; status: string; reason: string; message: string }[];
    }[];
  };
  return {
    ir,
    route,
    accepted: status.ancestors[0]?.conditions.find((c) => c.type === 'Accepted'),
  };
};

describe('global rate limits', () => {
  it('are refused when the EnvoyGateway config enables no rate limit service, as Envoy Gateway does', () => {
    const { accepted, route } = run();
    expect(accepted).toMatchObject({
      status: 'False',
      reason: 'Invalid',
      message: 'Enable Ratelimit in the EnvoyGateway config to configure global rateLimit.',
    });
    // A policy Envoy Gateway rejects makes its routes answer 500.
    expect(route('http', 'a').directResponse).toEqual({ statusCode: 500 });
  });

  it('count each route apart on each listener, and shared rules once for every route', () => {
    const { accepted, ir, route } = run(SERVICE);
    expect(accepted?.status).toBe('True');
    const keys = (listener: string, name: string) =>
      route(listener, name).globalRateLimit?.rules.map((r) => r.descriptorKey);
    const a0 = keys('http', 'a');
    const b0 = keys('http', 'b');
    const a1 = keys('alt', 'a');
    expect(a0?.[0]).toBe('default/gw/http/httproute/default/a/rule/0/match/0/*/rule/0');
    expect(new Set([a0?.[0], b0?.[0], a1?.[0]]).size).toBe(3);
    // The shared rule: one key for both routes on both listeners.
    expect(a0?.[1]).toBe('default/limits/rule/1');
    expect(new Set([a0?.[1], b0?.[1], a1?.[1]])).toEqual(new Set(['default/limits/rule/1']));
    expect(route('http', 'a').globalRateLimit?.rules[0]).toMatchObject({
      headers: [{ name: 'x-user-id', type: 'Distinct' }],
      limit: { requests: 3, unit: 'Hour' },
      shared: false,
    });
    expect(route('http', 'a').globalRateLimit?.rules[1]).toMatchObject({
      sourceCIDR: { cidr: '10.0.0.0/8', distinct: false },
      limit: { requests: 5, unit: 'Minute' },
      shadowMode: true,
    });
    for (const listener of ir.http)
      expect(listener.rateLimitService).toEqual({
        domain: 'default/gw',
        host: '127.0.0.1',
        port: 8081,
        failClosed: true,
      });
  });
});
