// EnvoyProxy `mergeBackends` through real Envoy: routes reaching the same Service port share one
// cluster, named after the backend, which Envoy holds once; a backend whose routes build
// different clusters (one of them has a circuit breaker) keeps a cluster per route rule. Local
// servers on loopback addresses stand in for pods; each answer says which one served it.
import type { Server } from 'node:http';
import { loadResourcesFromText } from '@egts/api';
import { type EnvoyHandle, startEnvoy } from '@egts/envoy-binary';
import { translate } from '@egts/gatewayapi-translator';
import { bootstrapToJson, translateBootstrap } from '@egts/xds-translator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../internal/freePort.js';
import { backendOf, closeAll, get, ok, service, startBackend } from './backendTrafficFixture.js';

const manifests = (port: number, backendPort: number) => `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec:
  controllerName: gateway.envoyproxy.io/gatewayclass-controller
  parametersRef: {group: gateway.envoyproxy.io, kind: EnvoyProxy, name: proxy, namespace: default}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyProxy
metadata: {name: proxy, namespace: default}
spec: {mergeBackends: {}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec: {gatewayClassName: eg, listeners: [{name: http, protocol: HTTP, port: ${port}}]}
${service('shared', backendPort, ['127.0.0.1', '127.0.0.2'])}${service('other', backendPort, ['127.0.0.3'])}${[
  ['r1', `[{name: shared, port: ${backendPort}}]`],
  ['r2', `[{name: shared, port: ${backendPort}}]`],
  [
    'r3',
    `[{name: shared, port: ${backendPort}, weight: 1}, {name: other, port: ${backendPort}, weight: 1}]`,
  ],
  ['r4', `[{name: other, port: ${backendPort}}]`],
]
  .map(
    ([name, refs]) => `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules: [{matches: [{path: {type: PathPrefix, value: /${name}}}], backendRefs: ${refs}}]
`,
  )
  .join('')}---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: {name: r4, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: r4}]
  circuitBreaker: {maxConnections: 7}
`;

const BACKENDS: Record<string, string> = {
  'shared-1': '127.0.0.1',
  'shared-2': '127.0.0.2',
  other: '127.0.0.3',
};
const SHARED = (port: number) => `backend/service/default/shared/${port}`;
const REQUESTS = 40;

describe('[envoy] EnvoyProxy mergeBackends', () => {
  const servers: Server[] = [];
  let envoy: EnvoyHandle | undefined;
  let port = 0;
  let backendPort = 0;

  beforeAll(async () => {
    backendPort = await freePort();
    port = await freePort();
    for (const [name, address] of Object.entries(BACKENDS))
      servers.push(await startBackend(name, address, backendPort, ok));
    const { resources } = loadResourcesFromText(manifests(port, backendPort), 'merge.yaml');
    const ir = translate(resources).xdsIR[0];
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

  /** Which backends answered `REQUESTS` requests to /`path`, with their counts. */
  const answers = async (path: string): Promise<Record<string, number>> => {
    const counts: Record<string, number> = {};
    for (let i = 0; i < REQUESTS; i++) {
      const reply = await get(port, `/${path}`);
      expect(reply.status).toBe(200);
      const backend = backendOf(reply) ?? '?';
      counts[backend] = (counts[backend] ?? 0) + 1;
    }
    return counts;
  };

  const clusterNames = async (): Promise<string[]> => {
    const dump = JSON.parse(await envoy!.admin('/config_dump?resource=static_clusters')) as {
      configs: { cluster: { name: string } }[];
    };
    return dump.configs.map((c) => c.cluster.name);
  };

  it('holds the shared cluster once, and per-rule clusters where routes differ', async () => {
    const names = await clusterNames();
    expect(names.filter((n) => n === SHARED(backendPort))).toHaveLength(1);
    // No route rule has a cluster of its own for the shared backend.
    expect(names.filter((n) => n.startsWith('httproute/default/r1/'))).toEqual([]);
    expect(names.filter((n) => n.startsWith('httproute/default/r2/'))).toEqual([]);
    // `other`: r4's circuit breaker makes its cluster differ from r3's, so neither shares.
    expect(names.some((n) => n.startsWith('backend/service/default/other/'))).toBe(false);
    expect(names).toContain('httproute/default/r4/rule/0');
    expect(names).toContain('httproute/default/r3/rule/0/backend/1');
  });

  it('sends each route to its own backends through the shared cluster', async () => {
    const r1 = await answers('r1');
    const r2 = await answers('r2');
    for (const counts of [r1, r2]) {
      expect(Object.keys(counts).sort()).toEqual(['shared-1', 'shared-2']);
    }
    expect(Object.keys(await answers('r4'))).toEqual(['other']);
    const r3 = await answers('r3');
    expect(Object.keys(r3).sort()).toEqual(['other', 'shared-1', 'shared-2']);
    // r1, r2 and r3's share of `shared` went through the one cluster.
    const stats = await envoy!.admin(
      `/stats?filter=${encodeURIComponent(`^cluster\\.${SHARED(backendPort)}\\.upstream_rq_total$`)}`,
    );
    const total = Number(/: (\d+)/.exec(stats)?.[1]);
    expect(total).toBe(2 * REQUESTS + (r3['shared-1'] ?? 0) + (r3['shared-2'] ?? 0));
  });
});
