// What a proxy rejects is attributed by the stages that made it: every Envoy route, cluster and
// endpoint assignment served for a route names that route, anything else the fleet's Gateway, or
// its GatewayClass when an EnvoyProxy merges Gateways. No name is read for it.
import { RouteConfiguration, unpackAnyAs } from '@egts/envoy-api';
import { TypeUrl } from '@egts/xds-server';
import { describe, expect, it } from 'vitest';
import { load, setup } from './pipelineHarness.js';

const input = (merged: boolean) => `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec:
  controllerName: gateway.envoyproxy.io/gatewayclass-controller
  ${merged ? 'parametersRef: {group: gateway.envoyproxy.io, kind: EnvoyProxy, name: merge, namespace: default}' : ''}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyProxy
metadata: {name: merge, namespace: default}
spec: {mergeGateways: true}
---
apiVersion: v1
kind: Service
metadata: {name: app, namespace: default}
spec: {ports: [{name: http, port: 8080}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: a, namespace: default}
spec: {gatewayClassName: eg, listeners: [{name: http, protocol: HTTP, port: 80}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: default}
spec:
  parentRefs: [{name: a}]
  rules: [{backendRefs: [{name: app, port: 8080, weight: 1}, {name: app, port: 8080, weight: 2}]}]
`;

describe('Pipeline.sourceOf', () => {
  it('names the route behind its Envoy routes and clusters, and the Gateway behind the rest', () => {
    const { push, cache, pipeline } = setup();
    push(load(input(false)));
    const [group] = cache.groups();
    const snapshot = cache.getSnapshot(group!)!.snapshot;
    const web = { kind: 'HTTPRoute', namespace: 'default', name: 'web' };
    const routeNames = [...snapshot.resources(TypeUrl.RouteConfiguration).values()].flatMap((r) =>
      unpackAnyAs(RouteConfiguration, r.resource).virtualHosts.flatMap((host) =>
        host.routes.map((route) => route.name),
      ),
    );
    const clusters = [...snapshot.resources(TypeUrl.Cluster).keys()];
    const assignments = [...snapshot.resources(TypeUrl.ClusterLoadAssignment).keys()];
    expect(routeNames).toHaveLength(1);
    expect(clusters).toHaveLength(2);
    for (const name of [...routeNames, ...clusters, ...assignments])
      expect(pipeline.sourceOf(group!, name)).toEqual(web);
    const gateway = { kind: 'Gateway', namespace: 'default', name: 'a' };
    for (const listener of snapshot.resources(TypeUrl.Listener).keys())
      expect(pipeline.sourceOf(group!, listener)).toEqual(gateway);
    expect(pipeline.sourceOf(group!)).toEqual(gateway);
    expect(pipeline.sourceOf('no-such-fleet', routeNames[0])).toBeUndefined();
  });

  it('names the GatewayClass of merged Gateways', () => {
    const { push, cache, pipeline } = setup();
    push(load(input(true)));
    const [group] = cache.groups();
    expect(pipeline.sourceOf(group!)).toEqual({ kind: 'GatewayClass', name: 'eg' });
  });
});
