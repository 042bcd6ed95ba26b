// A pod's proxy serves its Prometheus metrics where Envoy Gateway's do: GET /stats/prometheus on
// the ready listener reaches the admin interface (through a real Envoy fed by the egts xDS
// server); EnvoyProxy telemetry.metrics.prometheus.disable leaves only the ready probe there.
import { createServer } from 'node:net';
import { type EnvoyHandle, startEnvoy } from '@egts/envoy-binary';
import {
  createSnapshot,
  createSnapshotCache,
  createXdsServer,
  type XdsServer,
} from '@egts/xds-server';
import { afterAll, describe, expect, it } from 'vitest';
import { proxyBootstrap } from '../index.js';

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

/** The answer to `path` on the ready port, once the listener is up (static listeners start after the first xDS fetch). */
const fetchReady = async (
  port: number,
  path: string,
): Promise<{ status: number; body: string }> => {
  let last: unknown;
  for (let i = 0; i < 150; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}${path}`);
      return { status: res.status, body: await res.text() };
    } catch (error) {
      last = error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`ready listener never answered: ${String(last)}`);
};

describe('[envoy] proxy metrics on the ready listener', () => {
  let server: XdsServer | undefined;
  const envoys: EnvoyHandle[] = [];

  afterAll(async () => {
    await Promise.all(envoys.map((e) => e.stop()));
    await server?.close();
  });

  it('serves /stats/prometheus unless telemetry.metrics.prometheus.disable', async () => {
    const cache = createSnapshotCache();
    server = createXdsServer(cache);
    const xdsPort = await server.listen('127.0.0.1:0');
    const run = async (name: string, prometheus: boolean) => {
      cache.setSnapshot(name, createSnapshot({}));
      const [adminPort, readyPort] = [await freePort(), await freePort()];
      const envoy = startEnvoy({
        config: proxyBootstrap({
          proxyName: name,
          xds: { host: '127.0.0.1', port: xdsPort },
          probes: { adminPort, readyPort, path: '/ready', prometheus },
        }),
        adminPort,
        logLevel: 'warn',
      });
      envoys.push(envoy);
      return readyPort;
    };
    const withMetrics = await run('default/metrics', true);
    const without = await run('default/no-metrics', false);
    const metrics = await fetchReady(withMetrics, '/stats/prometheus');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/^# TYPE envoy_\w+ (counter|gauge|histogram)$/m);
    expect((await fetchReady(withMetrics, '/ready')).status).toBe(200);
    // Only the metrics path: the rest of the admin interface stays on loopback.
    expect((await fetchReady(withMetrics, '/config_dump')).status).toBe(404);
    expect((await fetchReady(without, '/stats/prometheus')).status).toBe(404);
    expect((await fetchReady(without, '/ready')).status).toBe(200);
  }, 120_000);
});
