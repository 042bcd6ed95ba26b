// EnvoyProxy `routingType: Service` through real Envoy: every route of the Gateway reaches its
// Service at the cluster IP and Service port (kube-proxy's job in a cluster) instead of the
// EndpointSlice endpoints, unless a BackendTrafficPolicy says `routingType: Endpoint` (the
// policy's routingType wins, as in Envoy Gateway). The cluster IP is 127.0.0.3 and the endpoint
// 127.0.0.1, each with its own local backend on the Service port, so the backend that answers
// shows where Envoy sent the request.
import type { Server } from 'node:http';
import { loadResourcesFromText } from '@egts/api';
import { type EnvoyHandle, startEnvoy } from '@egts/envoy-binary';
import { translate } from '@egts/gatewayapi-translator';
import { bootstrapToJson, translateBootstrap } from '@egts/xds-translator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../internal/freePort.js';
import {
  acceptedReasons,
  backendOf,
  closeAll,
  get,
  ok,
  policy,
  route,
  startBackend,
} from './backendTrafficFixture.js';

const CLUSTER_IP = '127.0.0.3';

const manifests = (port: number, backendPort: number) => `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyProxy
metadata: {name: service-routing, namespace: default}
spec: {routingType: Service}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: eg
  infrastructure: {parametersRef: {group: gateway.envoyproxy.io, kind: EnvoyProxy, name: service-routing}}
  listeners: [{name: http, protocol: HTTP, port: ${port}}]
---
apiVersion: v1
kind: Service
metadata: {name: svc, namespace: default}
spec: {clusterIP: ${CLUSTER_IP}, ports: [{name: http, port: ${backendPort}}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: svc-1, namespace: default, labels: {kubernetes.io/service-name: svc}}
addressType: IPv4
endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
ports: [{name: http, port: ${backendPort}}]
${route('service', 'svc', backendPort)}${route('endpoints', 'svc', backendPort)}${policy(
  'endpoints',
  `  routingType: Endpoint
`,
)}`;

describe('[envoy] EnvoyProxy routingType', () => {
  const servers: Server[] = [];
  let envoy: EnvoyHandle | undefined;
  let port = 0;
  let statuses: ReturnType<typeof acceptedReasons> = [];

  beforeAll(async () => {
    const backendPort = await freePort();
    port = await freePort();
    servers.push(
      await startBackend('endpoint', '127.0.0.1', backendPort, ok),
      await startBackend('cluster-ip', CLUSTER_IP, backendPort, ok),
    );
    const { resources, problems } = loadResourcesFromText(
      manifests(port, backendPort),
      'routing.yaml',
    );
    expect(problems).toEqual([]);
    const result = translate(resources);
    statuses = acceptedReasons(result.statuses);
    const ir = result.xdsIR[0];
    if (ir === undefined) throw new Error('no xDS IR');
    envoy = startEnvoy({
      config: bootstrapToJson(translateBootstrap(ir)) as object,
      logLevel: 'warn',
    });
    await envoy.ready(60_000);
  }, 120_000);

  afterAll(async () => {
    await envoy?.stop();
    await closeAll(servers);
  });

  it("sends a Gateway's routes to the cluster IP, and a policy's routingType Endpoint wins", async () => {
    expect(statuses).toContainEqual({
      kind: 'BackendTrafficPolicy',
      name: 'endpoints',
      accepted: 'Accepted',
    });
    for (let i = 0; i < 5; i++) {
      expect(backendOf(await get(port, '/service'))).toBe('cluster-ip');
      expect(backendOf(await get(port, '/endpoints'))).toBe('endpoint');
    }
  });
});
