// Zone-aware routing as Kubernetes proxies get it, through real Envoy: the fleet's local cluster
// is its proxy Service's endpoints by zone (TranslateOptions.proxyLocality, Envoy Gateway's
// ProxyInfraCluster), here one proxy in zone-a and three in zone-b, and the proxy is in zone-a.
// The upstream has three endpoints in zone-a and one in zone-b: 75% of the upstream is local
// against 25% of the fleet, so Envoy keeps every request in zone-a. (A fleet all in zone-a, as a
// host-mode proxy alone is, keeps 75% local: backendTrafficZoneAware.integration.test.ts.)
import type { Server } from 'node:http';
import { loadResourcesFromText } from '@egts/api';
import { type EnvoyHandle, startEnvoy } from '@egts/envoy-binary';
import { translate } from '@egts/gatewayapi-translator';
import { bootstrapToJson, translateBootstrap } from '@egts/xds-translator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../internal/freePort.js';
import {
  backendOf,
  closeAll,
  gatewayManifests,
  get,
  ok,
  policy,
  route,
  startBackend,
} from './backendTrafficFixture.js';

const NS = 'envoy-gateway-system';
const UPSTREAM: Record<string, [string, string]> = {
  'local-1': ['127.0.0.1', 'zone-a'],
  'local-2': ['127.0.0.2', 'zone-a'],
  'local-3': ['127.0.0.3', 'zone-a'],
  'nonlocal-1': ['127.0.0.4', 'zone-b'],
};
/** The proxy fleet's pods: never connected to, only their zones count. */
const FLEET: [string, string][] = [
  ['10.9.0.1', 'zone-a'],
  ['10.9.0.2', 'zone-b'],
  ['10.9.0.3', 'zone-b'],
  ['10.9.0.4', 'zone-b'],
];

const endpoints = (list: [string, string][]) =>
  list
    .map(([a, zone]) => `{addresses: [${a}], zone: ${zone}, conditions: {ready: true}}`)
    .join(', ');

const manifests = (port: number, backendPort: number) => `${gatewayManifests(port)}---
apiVersion: v1
kind: Service
metadata:
  name: envoy-default-gw-12345678
  namespace: ${NS}
  labels:
    app.kubernetes.io/component: proxy
    gateway.envoyproxy.io/owning-gateway-name: gw
    gateway.envoyproxy.io/owning-gateway-namespace: default
spec: {ports: [{name: http-80, port: 80, targetPort: 10080}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: envoy-gw-1, namespace: ${NS}, labels: {kubernetes.io/service-name: envoy-default-gw-12345678}}
addressType: IPv4
endpoints: [${endpoints(FLEET)}]
ports: [{name: http-80, port: 10080}]
---
apiVersion: v1
kind: Service
metadata: {name: app, namespace: default}
spec: {ports: [{name: http, port: ${backendPort}}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: app-1, namespace: default, labels: {kubernetes.io/service-name: app}}
addressType: IPv4
endpoints: [${endpoints(Object.values(UPSTREAM))}]
ports: [{name: http, port: ${backendPort}}]
${route('app', 'app', backendPort)}${policy(
  'app',
  '  loadBalancer:\n    type: RoundRobin\n    zoneAware:\n      preferLocal:\n        minEndpointsThreshold: 1\n',
)}`;

const REQUESTS = 100;

describe('[envoy] zone-aware routing with the fleet as local cluster', () => {
  const servers: Server[] = [];
  let envoy: EnvoyHandle | undefined;
  let port = 0;
  let localCluster: unknown;

  beforeAll(async () => {
    const backendPort = await freePort();
    port = await freePort();
    for (const [name, [address]] of Object.entries(UPSTREAM))
      servers.push(await startBackend(name, address, backendPort, ok));
    const { resources } = loadResourcesFromText(manifests(port, backendPort), 'zones.yaml');
    const ir = translate(resources, { proxyLocality: { serviceNamespace: NS } }).xdsIR[0];
    if (ir === undefined) throw new Error('no xDS IR');
    localCluster = ir.localCluster;
    const adminPort = await freePort();
    envoy = startEnvoy({
      config: bootstrapToJson(translateBootstrap(ir, { zone: 'zone-a', adminPort })) as object,
      logLevel: 'warn',
    });
    await envoy.ready(60_000);
  }, 120_000);

  afterAll(async () => {
    await envoy?.stop();
    await closeAll(servers);
  });

  it('takes the local cluster from the proxy Service endpoints by zone', () => {
    expect(localCluster).toEqual({
      endpoints: FLEET.map(([host, zone]) => ({ host, port: 10080, ready: true, zone })),
    });
  });

  it('keeps every request local when the fleet is thinner in its zone than the upstream', async () => {
    let local = 0;
    for (let i = 0; i < REQUESTS; i++) {
      const reply = await get(port, '/app');
      expect(reply.status).toBe(200);
      if (UPSTREAM[backendOf(reply) ?? '']?.[1] === 'zone-a') local += 1;
    }
    expect(local).toBe(REQUESTS);
  });
});
