// BackendTrafficPolicy bad input and merging: a setting Envoy would reject is Invalid naming the
// field, its route answers 500 and a neighbour keeps its settings; a route policy with mergeType
// is merged onto its Gateway's (objects key by key, null removes, lists replaced).
import { loadResourcesFromText } from '@egts/api';
import type { HTTPRouteIR } from '@egts/ir';
import { describe, expect, it } from 'vitest';
import { translate } from '../index.js';

const base = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec: {gatewayClassName: eg, listeners: [{name: http, protocol: HTTP, port: 80}]}
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
`;

const policy = (name: string, kind: string, target: string, spec: string) => `---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: {name: ${name}, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: ${kind}, name: ${target}}]
${spec}`;

const run = (text: string) => {
  const result = translate(loadResourcesFromText(text, 'btp.yaml').resources);
  const routes = result.xdsIR[0]?.http[0]?.routes ?? [];
  const route = (name: string) =>
    routes.find((r) => r.source.name === name) as HTTPRouteIR | undefined;
  const accepted = (name: string) => {
    const status = result.statuses.find(
      (s) => s.kind === 'BackendTrafficPolicy' && s.metadata.name === name,
    )?.status as
      | {
          ancestors: {
            conditions: { type: string; status: string; reason: string; message: string }[];
          }[];
        }
      | undefined;
    return status?.ancestors[0]?.conditions.find((c) => c.type === 'Accepted');
  };
  return { route, accepted };
};

describe('BackendTrafficPolicy', () => {
  it('reports a Maglev table size that is not prime, and its route answers 500', () => {
    const { route, accepted } = run(
      base +
        policy('gw', 'Gateway', 'gw', '  loadBalancer: {type: RoundRobin}\n') +
        policy(
          'bad',
          'HTTPRoute',
          'a',
          '  loadBalancer: {type: ConsistentHash, consistentHash: {type: SourceIP, tableSize: 1000}}\n',
        ),
    );
    expect(accepted('bad')?.reason).toBe('Invalid');
    expect(accepted('bad')?.message).toContain('loadBalancer.consistentHash.tableSize');
    expect(route('a')?.directResponse).toEqual({ statusCode: 500 });
    expect(route('b')?.destination?.loadBalancer).toEqual({ type: 'RoundRobin' });
  });

  it.each([
    [
      'a retry budget over 100%',
      '  circuitBreaker: {retryBudget: {percent: {numerator: 150, denominator: 100}}}\n',
      'circuitBreaker.retryBudget.percent',
    ],
    [
      'a health check body with GET',
      '  healthCheck: {active: {type: HTTP, http: {path: /, requestBody: {type: Text, text: x}}}}\n',
      'healthCheck.active.http.requestBody',
    ],
    [
      'a fault percentage over 100',
      '  faultInjection: {abort: {httpStatus: 503, percentage: 120}}\n',
      'faultInjection.abort.percentage',
    ],
    [
      'a response header regex RE2 rejects',
      '  responseOverride: [{match: {responseHeaders: [{name: x, value: {type: RegularExpression, value: "(?=a)"}}]}, response: {statusCode: 500}}]\n',
      'responseOverride[0].match.responseHeaders',
    ],
  ])('reports %s naming the field, and only its route answers 500', (_case, spec, field) => {
    const { route, accepted } = run(
      base +
        policy('bad', 'HTTPRoute', 'a', spec) +
        policy('ok', 'HTTPRoute', 'b', '  faultInjection: {abort: {httpStatus: 418}}\n'),
    );
    expect(accepted('bad')?.reason).toBe('Invalid');
    expect(accepted('bad')?.message).toContain(field);
    expect(route('a')?.directResponse).toEqual({ statusCode: 500 });
    expect(route('b')?.faultInjection?.abort?.httpStatus).toBe(418);
  });

  it.each([
    [
      'a cost on the route-wide local rule',
      '{limit: {requests: 5, unit: Hour}, cost: {request: {from: Number, number: 2}}}',
      'spec.rateLimit.local.rules.cost',
    ],
  ])('does not accept %s, naming the field', (_case, rules, field) => {
    const { accepted } = run(
      base +
        policy('p', 'HTTPRoute', 'a', `  rateLimit: {type: Local, local: {rules: [${rules}]}}\n`),
    );
    expect(accepted('p')?.status).toBe('False');
    expect(accepted('p')?.message).toContain(field);
  });

  it.each([
    [
      'zone settings under consistent hashing (Maglev has no locality config)',
      '{type: ConsistentHash, consistentHash: {type: SourceIP}, zoneAware: {weightedZones: [{zone: a, weight: 2}]}}',
      'spec.loadBalancer.zoneAware',
    ],
    [
      'preferLocal under BackendUtilization (wrr_locality never prefers the local zone)',
      '{type: BackendUtilization, zoneAware: {preferLocal: {minEndpointsThreshold: 1}}}',
      'spec.loadBalancer.zoneAware.preferLocal',
    ],
  ])('does not accept %s, naming the field', (_case, loadBalancer, field) => {
    const { accepted } = run(
      base + policy('p', 'HTTPRoute', 'a', `  loadBalancer: ${loadBalancer}\n`),
    );
    expect(accepted('p')?.status).toBe('False');
    expect(accepted('p')?.message).toContain(field);
  });

  it('merges a route policy onto its Gateway policy with mergeType', () => {
    const { route } = run(
      base +
        policy(
          'gw',
          'Gateway',
          'gw',
          '  loadBalancer: {type: RoundRobin}\n  circuitBreaker: {maxConnections: 5, maxPendingRequests: 6}\n  retry: {numRetries: 4}\n',
        ) +
        policy(
          'route',
          'HTTPRoute',
          'a',
          '  mergeType: JSONMerge\n  circuitBreaker: {maxConnections: 9, maxPendingRequests: null}\n',
        ),
    );
    const a = route('a');
    expect(a?.destination?.loadBalancer).toEqual({ type: 'RoundRobin' });
    // The loader fills in the CRD's defaults (1024) where the policy sets nothing; null removed
    // the Gateway's 6.
    expect(a?.destination?.circuitBreaker?.maxConnections).toBe(9);
    expect(a?.destination?.circuitBreaker?.maxPendingRequests).not.toBe(6);
    expect(a?.retry?.attempts).toBe(4);
    expect(route('b')?.destination?.circuitBreaker).toMatchObject({
      maxConnections: 5,
      maxPendingRequests: 6,
    });
  });

  it('without mergeType the route policy replaces the Gateway policy', () => {
    const { route } = run(
      base +
        policy('gw', 'Gateway', 'gw', '  loadBalancer: {type: RoundRobin}\n') +
        policy('route', 'HTTPRoute', 'a', '  retry: {numRetries: 1}\n'),
    );
    expect(route('a')?.destination?.loadBalancer).toBeUndefined();
    expect(route('a')?.retry?.attempts).toBe(1);
  });
});
