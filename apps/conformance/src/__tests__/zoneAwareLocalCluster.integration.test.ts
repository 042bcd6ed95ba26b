// Zone-aware routing as Kubernetes proxies get it, through real Envoy: the fleet's local cluster
// is its proxy Service's endpoints by zone (TranslateOptions.proxyLocality, Envoy Gateway's
// ProxyInfraCluster), here one proxy in zone-a and three in zone-b, and the proxy is in zone-a.
// The upstream has three endpoints in zone-a and one in zone-b: 75% of the upstream is local
// against 25% of the fleet, so Envoy keeps every request in zone-a. (A fleet all in zone-a, as a
// host-mode proxy alone is, keeps 75% local: backendTrafficZoneAware.integration.test.ts.)
// Two proxies: one on the static bootstrap of the translation, one as a Kubernetes pod runs, on
// the infra-manager's bootstrap (local_cluster defined, its endpoints over EDS) fed by the egts
// xDS server, its zone given as the pod's `--service-zone`.
import type { Server } from 'node:http';
import { loadResourcesFromText } from '@egts/api';
import { type EnvoyHandle, startEnvoy } from '@egts/envoy-binary';
import { translate } from '@egts/gatewayapi-translator';
import { proxyBootstrap } from '@egts/infra-manager';
import {
  createSnapshot,
  createSnapshotCache,
  createXdsServer,
  type XdsServer,
} from '@egts/xds-server';
import { bootstrapToJson, translateBootstrap, translateXds } from '@egts/xds-translator';
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
  let pod: EnvoyHandle | undefined;
  let xds: XdsServer | undefined;
  let port = 0;
  let podPort = 0;
  let localCluster: unknown;

  beforeAll(async () => {
    const backendPort = await freePort();
    port = await freePort();
    podPort = await freePort();
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

    // The pod: the same Gateway on its own port, over ADS.
    const { resources: podResources } = loadResourcesFromText(
      manifests(podPort, backendPort),
      'zones-pod.yaml',
    );
    const podIr = translate(podResources, { proxyLocality: { serviceNamespace: NS } }).xdsIR[0];
    if (podIr === undefined) throw new Error('no xDS IR');
    const cache = createSnapshotCache();
    xds = createXdsServer(cache);
    const xdsPort = await xds.listen('127.0.0.1:0');
    cache.setSnapshot(podIr.name, createSnapshot(translateXds(podIr)));
    pod = startEnvoy({
      config: proxyBootstrap({
        proxyName: podIr.name,
        xds: { host: '127.0.0.1', port: xdsPort },
        localClusterOverXds: true,
      }),
      adminPort: await freePort(),
      args: ['--service-zone', 'zone-a'],
      logLevel: 'warn',
    });
    await pod.ready(60_000);
  }, 120_000);

  afterAll(async () => {
    await envoy?.stop();
    await pod?.stop();
    await xds?.close();
    await closeAll(servers);
  });

  it('takes the local cluster from the proxy Service endpoints by zone', () => {
    expect(localCluster).toEqual({
      endpoints: FLEET.map(([host, zone]) => ({ host, port: 10080, ready: true, zone })),
    });
  });

  /** How many of `REQUESTS` to the proxy on `to` zone-a answered. */
  const localAnswers = async (to: number): Promise<number> => {
    let local = 0;
    for (let i = 0; i < REQUESTS; i++) {
      const reply = await get(to, '/app');
      expect(reply.status).toBe(200);
      if (UPSTREAM[backendOf(reply) ?? '']?.[1] === 'zone-a') local += 1;
    }
    return local;
  };

  it('keeps every request local when the fleet is thinner in its zone than the upstream', async () => {
    expect(await localAnswers(port)).toBe(REQUESTS);
  });

  it('does so on a pod bootstrap, the local cluster endpoints over EDS', async () => {
    // The listener arrives over ADS: wait until it answers.
    for (let i = 0; i < 100; i++) {
      const reply = await get(podPort, '/app').catch(() => undefined);
      if (reply?.status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const clusters = await pod!.admin('/clusters?format=json');
    expect(clusters).toContain('local_cluster');
    expect(await localAnswers(podPort)).toBe(REQUESTS);
  });
});
