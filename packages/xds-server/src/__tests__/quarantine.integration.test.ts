// Integration: Envoy rejects a RouteConfiguration for one bad route among good ones. The server
// takes the route Envoy's message points at out, sends the rest at once, and reports which route
// it quarantined; later route changes on that listener keep flowing (issue #16, item 2).
import { RouteConfiguration } from '@egts/envoy-api';
import { type EnvoyHandle, startEnvoy } from '@egts/envoy-binary';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createSnapshot,
  createSnapshotCache,
  createXdsServer,
  type Rejection,
  type SnapshotResources,
  TypeUrl,
  type XdsServer,
} from '../index.js';
import {
  adsBootstrap,
  type Backend,
  edsCluster,
  endpoints,
  eventually,
  rdsListener,
  startBackend,
} from './fixtures.js';

const route = (name: string, match: object, cluster: string) => ({
  name,
  match,
  route: { cluster },
});

const config = (
  routes: ReturnType<typeof route>[],
  backends: Record<string, number>,
): SnapshotResources => ({
  listeners: [rdsListener('http', 'http')],
  routes: [
    RouteConfiguration.fromPartial({
      name: 'http',
      virtualHosts: [{ name: 'all', domains: ['*'], routes }],
    }),
  ],
  clusters: Object.keys(backends).map(edsCluster),
  endpoints: Object.entries(backends).map(([name, port]) => endpoints(name, port)),
});

const get = async (port: number, path: string): Promise<string> => {
  try {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      signal: AbortSignal.timeout(2000),
    });
    return `${response.status} ${await response.text()}`;
  } catch {
    return 'failed';
  }
};

describe.each(['sotw', 'delta'] as const)('quarantine over %s ADS', (variant) => {
  let server: XdsServer | undefined;
  let envoy: EnvoyHandle | undefined;
  const backends: Backend[] = [];
  afterEach(async () => {
    await envoy?.stop();
    await server?.close();
    await Promise.all(backends.splice(0).map((b) => b.close()));
  });

  it('serves the rest of a rejected RouteConfiguration and names the route it left out', async () => {
    const [a, b] = await Promise.all([startBackend('a'), startBackend('b')]);
    backends.push(a!, b!);
    const ports = { a: a!.port, b: b!.port };
    const good = route('httproute/default/good/rule/0', { prefix: '/good' }, 'a');
    const cache = createSnapshotCache();
    cache.setSnapshot('gateway-1', createSnapshot(config([good], ports)));
    server = createXdsServer(cache);
    const rejections: Rejection[] = [];
    server.onRejection((r) => rejections.push(r));
    envoy = startEnvoy({
      config: adsBootstrap(await server.listen(), variant, `envoy-${variant}`),
      logLevel: 'warn',
    });
    await envoy.ready();
    const port = (await envoy.listenerPorts()).get('http') ?? 0;
    await eventually(async () => (await get(port, '/good')) === '200 a');

    // Over Envoy's default RE2 program size (100): Envoy rejects the whole RouteConfiguration.
    const bad = route('httproute/default/bad/rule/0', { safeRegex: { regex: '/[a-z]{200}' } }, 'a');
    const added = route('httproute/default/new/rule/0', { prefix: '/new' }, 'b');
    cache.setSnapshot('gateway-1', createSnapshot(config([good, bad, added], ports)));
    await eventually(async () => (await get(port, '/new')) === '200 b');
    expect(await get(port, '/good')).toBe('200 a');
    const rejection = rejections.find((r) => r.typeUrl === TypeUrl.RouteConfiguration);
    expect(rejection?.message).toMatch(/program size/);
    expect(rejection?.quarantined).toEqual([
      { name: 'http', routes: ['httproute/default/bad/rule/0'] },
    ]);

    // A later change flows too, and fixing the bad route brings it back.
    const fixed = route('httproute/default/bad/rule/0', { prefix: '/fixed' }, 'b');
    cache.setSnapshot('gateway-1', createSnapshot(config([good, fixed, added], ports)));
    await eventually(async () => (await get(port, '/fixed')) === '200 b');
  });
});
