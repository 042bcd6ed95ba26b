// Route-only changes: only the Gateways the changed routes name are translated again, and the
// result (xDS served, IR, statuses) equals a full translation of the same input.
import { describe, expect, it } from 'vitest';
import { load } from './pipelineHarness.js';
import { base, follow, route } from './routeSteps.js';

describe('route-only changes', () => {
  it('re-translate only the Gateways a route names, as a full translation would', () => {
    const { spliced } = follow([
      // edit r1 (on a)
      {
        text: base + route('r1', ['a'], '/uno') + route('r2', ['b'], '/two'),
        touched: ['default/a'],
      },
      // add r3 on a and c
      {
        text:
          base +
          route('r1', ['a'], '/uno') +
          route('r2', ['b'], '/two') +
          route('r3', ['a', 'c'], '/three'),
        touched: ['default/a', 'default/c'],
      },
      // move r2 from b to c
      {
        text:
          base +
          route('r1', ['a'], '/uno') +
          route('r2', ['c'], '/two') +
          route('r3', ['a', 'c'], '/three'),
        touched: ['default/b', 'default/c'],
      },
      // a route with a missing backend (ResolvedRefs=False), then delete r3
      {
        text: base + route('r1', ['a'], '/uno', 'nope') + route('r2', ['c'], '/two'),
        touched: ['default/a', 'default/c'],
      },
      // a route naming a Gateway that does not exist
      {
        text:
          base +
          route('r1', ['a'], '/uno', 'nope') +
          route('r2', ['c'], '/two') +
          route('r4', ['zz'], '/four'),
        touched: [],
      },
    ]);
    expect(spliced, 'HTTPRoute changes are spliced in').toBe(5);
  });

  it('translate only the Gateway of a changed TCPRoute, with policies they cannot see', () => {
    const tcp = `---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: t, namespace: default}
spec: {gatewayClassName: eg, listeners: [{name: tcp, protocol: TCP, port: 9000}]}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: {name: p, namespace: default}
spec: {targetRefs: [{group: gateway.networking.k8s.io, kind: TCPRoute, name: t1}]}
`;
    const tcpRoute = (port: number) => `---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata: {name: t1, namespace: default}
spec: {parentRefs: [{name: t}], rules: [{backendRefs: [{name: app, port: ${port}}]}]}
`;
    const { spliced } = follow(
      [
        { text: base + tcp + route('r1', ['a'], '/one') + tcpRoute(8081), touched: ['default/t'] },
        { text: base + tcp + route('r1', ['a'], '/one') + tcpRoute(8080), touched: ['default/t'] },
      ],
      load(base + tcp + route('r1', ['a'], '/one') + tcpRoute(8080)),
    );
    expect(spliced).toBe(0);
  });

  it('with policies, splice route changes and compute the policy statuses again when they see them', () => {
    const policies = `---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: {name: p, namespace: default}
spec: {targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: r1}]}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: {name: g, namespace: default}
spec: {targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: b}]}
`;
    const { spliced, statuses } = follow(
      [
        // r1 moves to b, where its policy overrides b's: policy statuses computed again
        { text: base + route('r1', ['b'], '/one') + policies, touched: ['default/a', 'default/b'] },
        // only its path: policy statuses kept
        { text: base + route('r1', ['b'], '/x') + policies, touched: ['default/b'] },
        // r2 added, then r1 deleted
        {
          text: base + route('r1', ['b'], '/x') + route('r2', ['a'], '/two') + policies,
          touched: ['default/a'],
        },
        { text: base + route('r2', ['a'], '/two') + policies, touched: ['default/b'] },
      ],
      load(base + route('r1', ['a'], '/one') + policies),
    );
    expect(spliced).toBe(4);
    expect(JSON.stringify(statuses[1]!.find((s) => s.metadata.name === 'g'))).toContain(
      'Overridden',
    );
  });
});
