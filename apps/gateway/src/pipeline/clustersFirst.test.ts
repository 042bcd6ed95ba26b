import { loadResourcesFromText } from '@egts/api';
import { createSnapshotCache, type Snapshot, TypeUrl } from '@egts/xds-server';
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../admin/metrics.js';
import { createLogging } from '../logging.js';
import { createPipeline } from './createPipeline.js';
import type { ProviderSnapshot } from './ports.js';

const input = (prefix: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: v1
kind: Service
metadata: {name: app, namespace: default}
spec: {ports: [{name: http, port: 8080}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: app-1, namespace: default, labels: {kubernetes.io/service-name: app}}
addressType: IPv4
endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
ports: [{name: http, port: 8080}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: a, namespace: default}
spec:
  gatewayClassName: eg
  listeners: [{name: http, protocol: HTTP, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: default}
spec:
  parentRefs: [{name: a}]
  rules: [{matches: [{path: {type: PathPrefix, value: ${prefix}}}], backendRefs: [{name: app, port: 8080}]}]
`;

const describeSnapshot = (snapshot: Snapshot) => ({
  clusters: snapshot.resources(TypeUrl.Cluster).size,
  endpoints: snapshot.resources(TypeUrl.ClusterLoadAssignment).size,
  listeners: snapshot.pending(TypeUrl.Listener)
    ? 'pending'
    : snapshot.resources(TypeUrl.Listener).size,
  routes: snapshot.pending(TypeUrl.RouteConfiguration)
    ? 'pending'
    : snapshot.resources(TypeUrl.RouteConfiguration).size,
});

describe('clusters first', () => {
  it("sets a Gateway's clusters before its listeners and routes the first time only", async () => {
    const provider = new Subject<ProviderSnapshot>();
    const cache = createSnapshotCache();
    const sets: ReturnType<typeof describeSnapshot>[] = [];
    const original = cache.setSnapshot.bind(cache);
    cache.setSnapshot = (group, snapshot) => {
      if (group === 'default/a') sets.push(describeSnapshot(snapshot));
      original(group, snapshot);
    };
    const pipeline = createPipeline({
      provider: { resources$: provider },
      cache,
      logging: createLogging({ default: 'silent' }),
      metrics: createMetrics(),
      // No proxy connects here: the wait runs out.
      clustersFirst: { waitForProxyMs: 20 },
    });
    provider.next(loadResourcesFromText(input('/a'), 'test'));
    // The clusters go at once; the rest after the proxy had its chance to fetch them.
    expect(sets).toEqual([{ clusters: 1, endpoints: 1, listeners: 'pending', routes: 'pending' }]);
    await expect.poll(() => sets.length).toBe(2);
    expect(sets[1]).toEqual({ clusters: 1, endpoints: 1, listeners: 1, routes: 1 });

    // Served already: a change is one complete snapshot.
    provider.next(loadResourcesFromText(input('/b'), 'test'));
    await expect.poll(() => sets.length).toBe(3);
    expect(sets[2]).toEqual({ clusters: 1, endpoints: 1, listeners: 1, routes: 1 });
    pipeline.stop();
  });

  it('sets the complete snapshot at once for a proxy that holds its configuration (adopted)', async () => {
    const provider = new Subject<ProviderSnapshot>();
    const cache = createSnapshotCache();
    const sets: ReturnType<typeof describeSnapshot>[] = [];
    const original = cache.setSnapshot.bind(cache);
    cache.setSnapshot = (group, snapshot) => {
      if (group === 'default/a') sets.push(describeSnapshot(snapshot));
      original(group, snapshot);
    };
    const asked: string[] = [];
    const pipeline = createPipeline({
      provider: { resources$: provider },
      cache,
      logging: createLogging({ default: 'silent' }),
      metrics: createMetrics(),
      clustersFirst: {
        waitForProxyMs: 20,
        proxyHoldsConfig: (gateway) => {
          asked.push(gateway);
          return true;
        },
      },
    });
    provider.next(loadResourcesFromText(input('/a'), 'test'));
    await expect.poll(() => sets.length).toBe(1);
    expect(sets).toEqual([{ clusters: 1, endpoints: 1, listeners: 1, routes: 1 }]);
    expect(asked).toEqual(['default/a']);
    pipeline.stop();
  });
});
