// EnvoyProxy `mergeBackends`: routes reaching the same backend share one cluster when all of
// them would build the same cluster from it; otherwise none shares (Envoy Gateway's "demerge").
import { loadResourcesFromText } from '@egts/api';
import type { DestinationSetting, XdsIR } from '@egts/ir';
import { describe, expect, it } from 'vitest';
import { createTranslator, translate } from '../index.js';

const manifests = (mergeBackends: string, extra = '') => `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec:
  controllerName: gateway.envoyproxy.io/gatewayclass-controller
  parametersRef: {group: gateway.envoyproxy.io, kind: EnvoyProxy, name: proxy, namespace: default}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyProxy
metadata: {name: proxy, namespace: default}
spec: {${mergeBackends}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec: {gatewayClassName: eg, listeners: [{name: http, protocol: HTTP, port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: shared, namespace: default, labels: {merge: "yes"}}
spec: {ports: [{name: http, port: 8080}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: shared-1, namespace: default, labels: {kubernetes.io/service-name: shared}}
addressType: IPv4
endpoints: [{addresses: [10.0.0.1], conditions: {ready: true}}]
ports: [{name: http, port: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: other, namespace: default}
spec: {ports: [{name: http, port: 8080}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: other-1, namespace: default, labels: {kubernetes.io/service-name: other}}
addressType: IPv4
endpoints: [{addresses: [10.0.0.2], conditions: {ready: true}}]
ports: [{name: http, port: 8080}]
${['a', 'b']
  .map(
    (name) => `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /${name}}}]
    backendRefs: [{name: shared, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /${name}/split}}]
    backendRefs: [{name: shared, port: 8080, weight: 3}, {name: other, port: 8080}]
`,
  )
  .join('')}${extra}`;

const btp = (route: string, spec: string) => `---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: {name: btp-${route}, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: ${route}}]
  ${spec}
`;

const irOf = (text: string): XdsIR => {
  const { resources } = loadResourcesFromText(text, 'merge.yaml');
  const ir = translate(resources).xdsIR[0];
  if (ir === undefined) throw new Error('no xDS IR');
  return ir;
};

/** Each route's settings: route path -> cluster of each backend (undefined: not shared). */
const clusters = (ir: XdsIR) =>
  Object.fromEntries(
    ir.http[0]!.routes.map((r) => [
      r.pathMatch?.value,
      (r.destination?.settings ?? []).map((s: DestinationSetting) => s.cluster),
    ]),
  );

const SHARED = 'backend/service/default/shared/8080';
const OTHER = 'backend/service/default/other/8080';

describe('EnvoyProxy mergeBackends', () => {
  it('gives every route reaching a backend the one cluster named after it', () => {
    expect(clusters(irOf(manifests('mergeBackends: {}')))).toEqual({
      '/a': [SHARED],
      '/a/split': [SHARED, OTHER],
      '/b': [SHARED],
      '/b/split': [SHARED, OTHER],
    });
  });

  it('leaves clusters per route rule without it', () => {
    const ir = irOf(manifests(''));
    expect(ir.mergeBackends).toBeUndefined();
    expect(Object.values(clusters(ir)).flat()).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('shares no cluster of a backend whose routes would build different ones', () => {
    // Route b's circuit breaker is on its clusters: neither backend is shared (both are b's).
    const ir = irOf(
      manifests('mergeBackends: {}', btp('b', 'circuitBreaker: {maxConnections: 7}')),
    );
    expect(
      Object.values(clusters(ir))
        .flat()
        .every((c) => c === undefined),
    ).toBe(true);
  });

  it('keeps sharing what settings that stay on the route do not touch', () => {
    const ir = irOf(manifests('mergeBackends: {}', btp('b', 'retry: {numRetries: 3}')));
    expect(clusters(ir)['/b']).toEqual([SHARED]);
  });

  it('merges only the backends its selector picks', () => {
    const ir = irOf(manifests('mergeBackends: {selector: {matchLabels: {merge: "yes"}}}'));
    expect(clusters(ir)['/a/split']).toEqual([SHARED, undefined]);
  });

  it('does not split consistently hashed routes over shared clusters', () => {
    const hashed = btp(
      'a',
      'loadBalancer: {type: ConsistentHash, consistentHash: {type: SourceIP}}',
    );
    const ir = irOf(manifests('mergeBackends: {}', hashed));
    // Route a's single backend is hashed in its own cluster either way; its split is not merged,
    // and its clusters differ from b's (a load balancer of their own), so none is shared.
    expect(clusters(ir)['/a/split']).toEqual([undefined, undefined]);
    expect(clusters(ir)['/b']).toEqual([undefined]);
  });

  it('decides again on the whole fleet after an incremental update', () => {
    const translator = createTranslator();
    const load = (text: string) => loadResourcesFromText(text, 'merge.yaml').resources;
    const first = load(manifests('mergeBackends: {}'));
    translator.update(first);
    // A policy on route b alone: spliced in, yet route a's clusters stop being shared too.
    const next = load(
      manifests('mergeBackends: {}', btp('b', 'circuitBreaker: {maxConnections: 7}')),
    );
    const update = translator.update({
      ...first,
      backendTrafficPolicies: next.backendTrafficPolicies,
    });
    expect(update.path).toBe('spliced');
    const ir = [...update.xdsIR.values()][0]!;
    expect(
      Object.values(clusters(ir))
        .flat()
        .every((c) => c === undefined),
    ).toBe(true);
    expect(ir).toEqual(
      translate({ ...first, backendTrafficPolicies: next.backendTrafficPolicies }).xdsIR[0],
    );
  });
});
