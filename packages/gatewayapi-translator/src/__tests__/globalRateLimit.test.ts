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

const run = (rateLimitService?: RateLimitServiceOptions, extra = '') => {
  const result = translate(loadResourcesFromText(base + extra, 'global.yaml').resources, {
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

  it("append a StrategicMerge route policy's rules to the Gateway policy's, each shared rule keeping its own counter", () => {
    const routePolicy = (mergeType: string) => `---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: {name: on-a, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: a}]
  mergeType: ${mergeType}
  rateLimit:
    type: Global
    global:
      rules:
      - clientSelectors: [{headers: [{name: x-org, value: acme}]}]
        limit: {requests: 4, unit: Day}
        cost: {request: {from: Number, number: 2}, response: {from: Metadata, metadata: {namespace: io.example, key: usage}}}
`;
    const merged = run(SERVICE, routePolicy('StrategicMerge'));
    const rules = merged.route('http', 'a').globalRateLimit?.rules ?? [];
    expect(rules.map((r) => r.descriptorKey)).toEqual([
      'default/gw/http/httproute/default/a/rule/0/match/0/*/rule/0',
      'default/limits/rule/1',
      'default/gw/http/httproute/default/a/rule/0/match/0/*/rule/2',
    ]);
    expect(rules[2]).toMatchObject({
      limit: { requests: 4, unit: 'Day' },
      cost: {
        request: { number: 2 },
        response: { metadata: { namespace: 'io.example', key: 'usage' } },
      },
    });
    // Route b has no policy of its own: the Gateway's shared rule counts it with route a.
    expect(merged.route('http', 'b').globalRateLimit?.rules[1]?.descriptorKey).toBe(
      'default/limits/rule/1',
    );
    // JSONMerge is RFC 7386: the route policy's list replaces the Gateway policy's.
    const replaced = run(SERVICE, routePolicy('JSONMerge'));
    expect(replaced.route('http', 'a').globalRateLimit?.rules.map((r) => r.limit)).toEqual([
      { requests: 4, unit: 'Day' },
    ]);
  });
});
