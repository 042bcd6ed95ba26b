// A pod's proxy serves its Prometheus metrics where Envoy Gateway's do: GET /stats/prometheus on
// the ready listener reaches the admin interface (through a real Envoy fed by the egts xDS
// server); EnvoyProxy telemetry.metrics.prometheus.disable leaves only the ready probe there;
// metrics.matches keeps only the stats that match, prometheus.compression gzips the answer, or
// compresses it with Brotli or Zstandard, with minContentLength on its compressor (which Envoy
// weighs only against a Content-Length: the admin interface answers chunked).
import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { type EnvoyHandle, freePort, startEnvoy } from '@egts/envoy-binary';
import {
  createSnapshot,
  createSnapshotCache,
  createXdsServer,
  type XdsServer,
} from '@egts/xds-server';
import { afterAll, describe, expect, it } from 'vitest';
import { proxyBootstrap, proxyMetrics } from '../index.js';

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

/** GET `/stats/prometheus` accepting `encoding`, with the body as it came (not decoded). */
const scrape = (
  port: number,
  encoding: string,
): Promise<{ encoding: string | undefined; bytes: Buffer }> =>
  new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/stats/prometheus',
        headers: { 'accept-encoding': encoding },
      },
      (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () =>
          resolve({ encoding: r.headers['content-encoding'], bytes: Buffer.concat(chunks) }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });

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
    const run = async (name: string, prometheus: boolean, envoyProxy?: Record<string, unknown>) => {
      cache.setSnapshot(name, createSnapshot({}));
      const [adminPort, readyPort] = [await freePort(), await freePort()];
      const envoy = startEnvoy({
        config: proxyBootstrap({
          proxyName: name,
          xds: { host: '127.0.0.1', port: xdsPort },
          probes: { adminPort, readyPort, path: '/ready', prometheus },
          metrics: proxyMetrics(envoyProxy),
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

  it('keeps only the matching stats and compresses them when asked', async () => {
    const cache = createSnapshotCache();
    const xds = createXdsServer(cache);
    const xdsPort = await xds.listen('127.0.0.1:0');
    try {
      cache.setSnapshot('default/matched', createSnapshot({}));
      const [adminPort, readyPort] = [await freePort(), await freePort()];
      const envoy = startEnvoy({
        config: proxyBootstrap({
          proxyName: 'default/matched',
          xds: { host: '127.0.0.1', port: xdsPort },
          probes: { adminPort, readyPort, path: '/ready', prometheus: true },
          metrics: proxyMetrics({
            telemetry: {
              metrics: {
                matches: [
                  { type: 'Prefix', value: 'cluster.xds_cluster.' },
                  { type: 'Exact', value: 'server.uptime' },
                ],
                prometheus: { compression: { type: 'Gzip', gzip: {} } },
              },
            },
          }),
        }),
        adminPort,
        logLevel: 'warn',
      });
      envoys.push(envoy);
      await fetchReady(readyPort, '/ready');
      // node:http, not fetch: fetch would decode the body before the test sees how it came.
      const res = await scrape(readyPort, 'gzip');
      expect(res.encoding).toBe('gzip');
      const body = gunzipSync(res.bytes).toString('utf8');
      const names = new Set(
        body
          .split('\n')
          .filter((l) => l.startsWith('# TYPE '))
          .map((l) => l.split(' ')[2]),
      );
      expect(names).toContain('envoy_server_uptime');
      expect(names).toContain('envoy_cluster_upstream_cx_total');
      // Stats no pattern matches are not created: not the listeners', not other servers'.
      expect(names).not.toContain('envoy_server_memory_allocated');
      expect([...names].some((n) => n?.startsWith('envoy_listener_'))).toBe(false);
    } finally {
      await xds.close();
    }
  }, 120_000);

  it('compresses with Brotli or Zstandard, and sets the compressor minContentLength', async () => {
    const cache = createSnapshotCache();
    const xds = createXdsServer(cache);
    const xdsPort = await xds.listen('127.0.0.1:0');
    try {
      /** A proxy keeping one stat (a short answer), compressing as `compression` asks. */
      const start = async (name: string, compression: Record<string, unknown>) => {
        cache.setSnapshot(name, createSnapshot({}));
        const [adminPort, readyPort] = [await freePort(), await freePort()];
        envoys.push(
          startEnvoy({
            config: proxyBootstrap({
              proxyName: name,
              xds: { host: '127.0.0.1', port: xdsPort },
              probes: { adminPort, readyPort, path: '/ready', prometheus: true },
              metrics: proxyMetrics({
                telemetry: {
                  metrics: {
                    matches: [{ type: 'Exact', value: 'server.uptime' }],
                    prometheus: { compression },
                  },
                },
              }),
            }),
            adminPort,
            logLevel: 'warn',
          }),
        );
        return { adminPort, readyPort };
      };
      const { readyPort: brotli } = await start('default/brotli', {
        type: 'Brotli',
        brotli: {},
        minContentLength: 30,
      });
      const { readyPort: zstd } = await start('default/zstd', {
        type: 'Zstd',
        zstd: {},
        minContentLength: 30,
      });
      const long = await start('default/long', {
        type: 'Gzip',
        gzip: {},
        minContentLength: '2Ki',
      });
      for (const port of [brotli, zstd, long.readyPort]) await fetchReady(port, '/ready');

      const br = await scrape(brotli, 'br');
      expect(br.encoding).toBe('br');
      const text = brotliDecompressSync(br.bytes).toString('utf8');
      expect(text).toMatch(/^# TYPE envoy_server_uptime gauge$/m);
      const zst = await scrape(zstd, 'zstd');
      expect(zst.encoding).toBe('zstd');
      // A Zstandard frame's magic number (RFC 8878 section 3.1.1).
      expect(zst.bytes.subarray(0, 4)).toEqual(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]));
      // minContentLength reaches the compressor (2Ki as 2048 bytes), but Envoy weighs it only
      // against a Content-Length: the admin interface streams its stats chunked, so even this
      // short answer is compressed.
      const dump = await fetchReady(long.adminPort, '/config_dump?resource=static_listeners');
      expect(dump.body).toMatch(/"min_content_length":\s*2048/);
      expect((await scrape(long.readyPort, 'gzip')).encoding).toBe('gzip');
    } finally {
      await xds.close();
    }
  }, 120_000);
});
