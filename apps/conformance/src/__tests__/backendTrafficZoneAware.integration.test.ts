// BackendTrafficPolicy `loadBalancer.zoneAware` through real Envoy, re-expressing Envoy Gateway's
// ZoneAwareRouting and WeightedZones e2e tests: local servers on four loopback addresses stand in
// for pods, their EndpointSlice zones for the nodes'. The proxy runs in zone-a (node.locality and
// a local cluster of itself, as a host-mode proxy gets them): three endpoints are in zone-a, one
// in zone-b. Each route's requests are counted by the zone that answered.
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
  gatewayManifests,
  get,
  ok,
  policy,
  route,
  startBackend,
} from './backendTrafficFixture.js';

/** Backend name -> [address, zone]. */
const BACKENDS: Record<string, [string, string]> = {
  'local-1': ['127.0.0.1', 'zone-a'],
  'local-2': ['127.0.0.2', 'zone-a'],
  'local-3': ['127.0.0.3', 'zone-a'],
  'nonlocal-1': ['127.0.0.4', 'zone-b'],
};

/** A Service whose EndpointSlice places each of `names` in its zone. */
const zonedService = (name: string, port: number, names: string[]) => `---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: default}
spec: {ports: [{name: http, port: ${port}}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ${name}-1, namespace: default, labels: {kubernetes.io/service-name: ${name}}}
addressType: IPv4
endpoints: [${names
  .map((n) => {
    const [address, zone] = BACKENDS[n] as [string, string];
    return `{addresses: [${address}], zone: ${zone}, conditions: {ready: true}}`;
  })
  .join(', ')}]
ports: [{name: http, port: ${port}}]
`;

/** A Backend (gateway.envoyproxy.io) with `names`' endpoints, each in its zone, and its route. */
const zonedBackend = (name: string, port: number, names: string[]) => `---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: {name: ${name}, namespace: default}
spec:
  endpoints: [${names
    .map((n) => {
      const [address, zone] = BACKENDS[n] as [string, string];
      return `{ip: {address: ${address}, port: ${port}}, zone: ${zone}}`;
    })
    .join(', ')}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules: [{matches: [{path: {type: PathPrefix, value: /${name}}}], backendRefs: [{group: gateway.envoyproxy.io, kind: Backend, name: ${name}}]}]
`;

const preferLocal = (settings: string) => `  loadBalancer:
    type: RoundRobin
    zoneAware:
      preferLocal:
${settings}`;

const REQUESTS = 200;

describe('[envoy] BackendTrafficPolicy zone-aware routing', () => {
  const servers: Server[] = [];
  let envoy: EnvoyHandle | undefined;
  let port = 0;
  let statuses: { kind: string; name: string; accepted: string | undefined }[] = [];

  beforeAll(async () => {
    const backendPort = await freePort();
    port = await freePort();
    for (const [name, [address]] of Object.entries(BACKENDS))
      servers.push(await startBackend(name, address, backendPort, ok));
    const all = Object.keys(BACKENDS);
    const routes: [string, string[], string | undefined][] = [
      // Envoy Gateway: "ForceLocalZone - only local zone should get requests".
      [
        'force',
        all,
        preferLocal(
          '        minEndpointsThreshold: 1\n        force: {minEndpointsInZoneThreshold: 1}\n',
        ),
      ],
      // "No ForceLocalZone - local zone should get around 75% of requests": the proxy fleet is
      // all in zone-a, the endpoints 3 to 1, so Envoy keeps 75% local and spreads the rest.
      ['noforce', all, preferLocal('        minEndpointsThreshold: 1\n')],
      // Zone-aware routing applies to none of the requests: endpoints share them equally.
      [
        'disabled',
        all,
        preferLocal(
          '        minEndpointsThreshold: 1\n        percentageEnabled: 0\n        force: {}\n',
        ),
      ],
      // Fewer endpoints than the threshold: no zone-aware routing either.
      ['small', all, preferLocal('        minEndpointsThreshold: 5\n        force: {}\n')],
      // Envoy Gateway's WeightedZones: zone "1" weighs 80, zone "2" 20, one endpoint each.
      [
        'weighted',
        ['local-1', 'nonlocal-1'],
        '  loadBalancer:\n    type: RoundRobin\n    zoneAware:\n      weightedZones:\n      - {zone: zone-a, weight: 80}\n      - {zone: zone-b, weight: 20}\n',
      ],
      ['unweighted', ['local-1', 'nonlocal-1'], undefined],
      // Envoy Gateway's supported combination: consistent hashing (Maglev) with zone weights.
      [
        'hashed',
        ['local-1', 'nonlocal-1'],
        '  loadBalancer:\n    type: ConsistentHash\n    consistentHash: {type: Header, header: {name: x-key}}\n    zoneAware:\n      weightedZones:\n      - {zone: zone-a, weight: 80}\n      - {zone: zone-b, weight: 20}\n',
      ],
    ];
    let text = gatewayManifests(port);
    for (const [name, backends, spec] of routes) {
      text += zonedService(name, backendPort, backends) + route(name, name, backendPort);
      if (spec !== undefined) text += policy(name, spec);
    }
    // A Backend whose endpoints say their zones (`endpoints.zone`), weighted 80/20 by zone.
    text += zonedBackend('backend-zones', backendPort, ['local-1', 'nonlocal-1']);
    text += policy(
      'backend-zones',
      '  loadBalancer:\n    type: RoundRobin\n    zoneAware:\n      weightedZones:\n      - {zone: zone-a, weight: 80}\n      - {zone: zone-b, weight: 20}\n',
    );
    const { resources } = loadResourcesFromText(text, 'zone-aware.yaml');
    // Backends on loopback: the stand-in servers are on this host, as in host mode.
    const result = translate(resources, { allowLoopbackBackends: true });
    statuses = acceptedReasons(result.statuses);
    const ir = result.xdsIR[0];
    if (ir === undefined) throw new Error('no xDS IR');
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

  /** Share (percent) of `REQUESTS` to /`path` that zone-a answered. */
  const localShare = async (path: string, key?: (i: number) => string): Promise<number> => {
    let local = 0;
    for (let i = 0; i < REQUESTS; i++) {
      const reply = await get(port, `/${path}`, key ? { 'x-key': key(i) } : {});
      expect(reply.status).toBe(200);
      if (BACKENDS[backendOf(reply) ?? '']?.[1] === 'zone-a') local += 1;
    }
    return (100 * local) / REQUESTS;
  };

  it('preferLocal force keeps every request in the local zone', async () => {
    for (const name of ['force', 'noforce', 'disabled', 'small', 'weighted'])
      expect(statuses).toContainEqual({ kind: 'BackendTrafficPolicy', name, accepted: 'Accepted' });
    expect(await localShare('force')).toBe(100);
  });

  it('preferLocal without force keeps the local share Envoy computes from both fleets (75%)', async () => {
    expect(Math.abs((await localShare('noforce')) - 75)).toBeLessThanOrEqual(10);
  });

  it('percentageEnabled 0 and a threshold above the endpoint count turn it off', async () => {
    // Without zone-aware routing, round robin over 3 local and 1 remote endpoint: 75% local.
    expect(Math.abs((await localShare('disabled')) - 75)).toBeLessThanOrEqual(10);
    expect(Math.abs((await localShare('small')) - 75)).toBeLessThanOrEqual(10);
  });

  it('weightedZones splits traffic by zone weight', async () => {
    expect(Math.abs((await localShare('weighted')) - 80)).toBeLessThanOrEqual(10);
    // The same endpoints without weights: an equal split.
    expect(Math.abs((await localShare('unweighted')) - 50)).toBeLessThanOrEqual(10);
  });

  it('weighs the zones a Backend gives its endpoints', async () => {
    expect(statuses).toContainEqual({
      kind: 'BackendTrafficPolicy',
      name: 'backend-zones',
      accepted: 'Accepted',
    });
    expect(Math.abs((await localShare('backend-zones')) - 80)).toBeLessThanOrEqual(10);
  });

  it('weightedZones weighs the zones consistent hashing spreads keys over', async () => {
    expect(statuses).toContainEqual({
      kind: 'BackendTrafficPolicy',
      name: 'hashed',
      accepted: 'Accepted',
    });
    // Distinct keys spread by zone weight; one key always lands on one endpoint.
    expect(Math.abs((await localShare('hashed', (i) => `key-${i}`)) - 80)).toBeLessThanOrEqual(10);
    const once = await localShare('hashed', () => 'same-key');
    expect([0, 100]).toContain(once);
  });
});
