// Integration: real Envoy against the server over SotW and Delta ADS. Config push, route change,
// make-before-break under constant traffic, and a NACK attributed without a re-send loop.
import { Cluster, Cluster_DiscoveryType } from '@egts/envoy-api';
import { type EnvoyHandle, startEnvoy } from '@egts/envoy-binary';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createSnapshot,
  createSnapshotCache,
  createXdsServer,
  type Rejection,
  type SnapshotCache,
  TypeUrl,
  type XdsServer,
} from '../index.js';
import {
  adsBootstrap,
  type Backend,
  eventually,
  get,
  httpConfig,
  startBackend,
} from './fixtures.js';

describe.each(['sotw', 'delta'] as const)('Envoy over %s ADS', (variant) => {
  let server: XdsServer | undefined;
  let envoy: EnvoyHandle | undefined;
  const backends: Backend[] = [];

  afterEach(async () => {
    await envoy?.stop();
    await server?.close();
    await Promise.all(backends.splice(0).map((b) => b.close()));
    envoy = undefined;
    server = undefined;
  });

  const start = async (
    cache: SnapshotCache,
    callbacks: Parameters<typeof createXdsServer>[1] = {},
  ): Promise<{ port: () => Promise<number> }> => {
    server = createXdsServer(cache, callbacks);
    const xdsPort = await server.listen();
    envoy = startEnvoy({
      config: adsBootstrap(xdsPort, variant, `envoy-${variant}`),
      logLevel: 'warn',
    });
    await envoy.ready();
    const handle = envoy;
    return { port: async () => (await handle.listenerPorts()).get('http') ?? 0 };
  };

  it('serves pushed config, then a changed route', async () => {
    const [a, b] = await Promise.all([startBackend('a'), startBackend('b')]);
    backends.push(a!, b!);
    const cache = createSnapshotCache();
    cache.setSnapshot('gateway-1', createSnapshot(httpConfig('a', { a: a!.port })));
    const { port } = await start(cache);
    const listenerPort = await port();
    expect(listenerPort).toBeGreaterThan(0);
    expect(await get(listenerPort)).toEqual({ status: 200, body: 'a' });

    cache.setSnapshot('gateway-1', createSnapshot(httpConfig('b', { a: a!.port, b: b!.port })));
    await eventually(async () => (await get(listenerPort)).body === 'b');
    expect(
      server!
        .pushLatency()
        .some((s) => s.typeUrl === TypeUrl.RouteConfiguration && s.stats.count >= 2),
    ).toBe(true);
  });

  it('moves a route to a new cluster and removes the old one without a failed request', async () => {
    const [a, b] = await Promise.all([startBackend('a'), startBackend('b')]);
    backends.push(a!, b!);
    const cache = createSnapshotCache();
    cache.setSnapshot('gateway-1', createSnapshot(httpConfig('a', { a: a!.port })));
    const { port } = await start(cache);
    const listenerPort = await port();
    expect((await get(listenerPort)).body).toBe('a');

    // Constant traffic while the route moves from cluster a to a brand-new cluster b and a goes.
    const statuses: number[] = [];
    let running = true;
    const traffic = (async () => {
      while (running) statuses.push((await get(listenerPort)).status);
    })();
    await new Promise((resolve) => setTimeout(resolve, 200));
    cache.setSnapshot('gateway-1', createSnapshot(httpConfig('b', { b: b!.port })));
    await eventually(async () => (await get(listenerPort)).body === 'b');
    // Envoy has dropped cluster a only after the route moved (make-before-break).
    await eventually(async () => !(await envoy!.admin('/clusters')).includes('a::'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    running = false;
    await traffic;
    expect(statuses.length).toBeGreaterThan(10);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  });

  it('attributes a NACK, keeps serving the accepted config, and does not re-send', async () => {
    const [a, b] = await Promise.all([startBackend('a'), startBackend('b')]);
    backends.push(a!, b!);
    const cache = createSnapshotCache();
    cache.setSnapshot('gateway-1', createSnapshot(httpConfig('a', { a: a!.port })));
    const clusterResponses: number[] = [];
    const { port } = await start(cache, {
      onResponse: (_stream, typeUrl) => {
        if (typeUrl === TypeUrl.Cluster) clusterResponses.push(Date.now());
      },
    });
    const listenerPort = await port();
    const rejections: Rejection[] = [];
    server!.onRejection((r) => rejections.push(r));

    // A static endpoint address that is no IP: Envoy rejects this cluster, naming it.
    const config = httpConfig('a', { a: a!.port });
    const bad = Cluster.fromPartial({
      name: 'bad',
      type: Cluster_DiscoveryType.STATIC,
      connectTimeout: { seconds: 1 },
      loadAssignment: {
        clusterName: 'bad',
        endpoints: [
          {
            lbEndpoints: [
              { endpoint: { address: { socketAddress: { address: 'not-an-ip', portValue: 1 } } } },
            ],
          },
        ],
      },
    });
    cache.setSnapshot(
      'gateway-1',
      createSnapshot({ ...config, clusters: [...(config.clusters ?? []), bad] }),
    );
    await eventually(() => rejections.length > 0);
    const rejection = rejections[0]!;
    expect(rejection.typeUrl).toBe(TypeUrl.Cluster);
    expect(rejection.attributed).toBe(true);
    expect(rejection.resources.map((r) => r.name)).toEqual(['bad']);
    expect(rejection.message).toContain('bad');

    // No re-send loop: the rejected content is not sent again.
    const sentSoFar = clusterResponses.length;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(clusterResponses.length).toBe(sentSoFar);
    expect(rejections).toHaveLength(1);
    expect(await get(listenerPort)).toEqual({ status: 200, body: 'a' });

    // Once the content changes it is sent again, and other changes flow meanwhile.
    cache.setSnapshot('gateway-1', createSnapshot(httpConfig('b', { a: a!.port, b: b!.port })));
    await eventually(async () => (await get(listenerPort)).body === 'b');
    expect(rejections).toHaveLength(1);
  });
});

describe('Envoy reconnecting over Delta ADS', () => {
  it('sends only what changed while it was away (initial_resource_versions)', async () => {
    const [a, b] = await Promise.all([startBackend('a'), startBackend('b')]);
    const cache = createSnapshotCache();
    cache.setSnapshot('gateway-1', createSnapshot(httpConfig('a', { a: a!.port, b: b!.port })));
    const sent: { typeUrl: string; names: string[] }[] = [];
    const callbacks = {
      onResponse: (_stream: unknown, typeUrl: string, response: unknown) => {
        const names = (response as { resources: { name: string }[] }).resources.map((r) => r.name);
        sent.push({ typeUrl, names });
      },
    };
    let server = createXdsServer(cache, callbacks);
    const xdsPort = await server.listen();
    const envoy = startEnvoy({
      config: adsBootstrap(xdsPort, 'delta', 'envoy-re'),
      logLevel: 'error',
    });
    try {
      await envoy.ready();
      const listenerPort = (await envoy.listenerPorts()).get('http') ?? 0;
      expect((await get(listenerPort)).body).toBe('a');

      // The control plane goes away; the route changes meanwhile; a new server takes the port.
      await server.close();
      cache.setSnapshot('gateway-1', createSnapshot(httpConfig('b', { a: a!.port, b: b!.port })));
      sent.length = 0;
      server = createXdsServer(cache, callbacks);
      await eventually(
        async () => (await server.listen(`127.0.0.1:${xdsPort}`)) === xdsPort,
        30_000,
      );
      await eventually(async () => (await get(listenerPort)).body === 'b', 60_000);
      // Only the route was sent again: listeners, clusters and endpoints Envoy still had were not.
      expect(sent.flatMap((s) => s.names)).toEqual(['http']);
      expect(sent.find((s) => s.names.length > 0)?.typeUrl).toBe(TypeUrl.RouteConfiguration);
    } finally {
      await envoy.stop();
      await server.close();
      await Promise.all([a!.close(), b!.close()]);
    }
  });
});
