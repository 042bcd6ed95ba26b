// EnvoyProxy `telemetry.metrics.sinks[].openTelemetry` through real Envoy: the host-mode
// bootstrap carries Envoy's OpenTelemetry stats sink and a static cluster to the collector's
// address, and the stand-in OTLP receiver gets the proxy's metrics at the next stats flush.
import { createServer } from 'node:net';
import { type EnvoyHandle, startEnvoy } from '@egts/envoy-binary';
import { proxyBootstrap, proxyMetrics } from '@egts/infra-manager';
import {
  createSnapshot,
  createSnapshotCache,
  createXdsServer,
  type XdsServer,
} from '@egts/xds-server';
import { afterAll, describe, expect, it } from 'vitest';
import { startTelemetryReceiver, type TelemetryReceiver } from '../internal/otlpReceiver.js';

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

describe('[envoy] OpenTelemetry metric sink', () => {
  let receiver: TelemetryReceiver | undefined;
  let server: XdsServer | undefined;
  let envoy: EnvoyHandle | undefined;

  afterAll(async () => {
    await envoy?.stop();
    await server?.close();
    await receiver?.close();
  });

  it('pushes the proxy metrics to the OpenTelemetry collector', async () => {
    receiver = await startTelemetryReceiver();
    const cache = createSnapshotCache();
    server = createXdsServer(cache);
    const xdsPort = await server.listen('127.0.0.1:0');
    cache.setSnapshot('default/otel-metrics', createSnapshot({}));
    const metrics = proxyMetrics({
      telemetry: {
        metrics: {
          sinks: [
            {
              type: 'OpenTelemetry',
              openTelemetry: { host: '127.0.0.1', port: receiver.grpcPort },
            },
          ],
        },
      },
    });
    expect(metrics.openTelemetry).toEqual([{ host: '127.0.0.1', port: receiver.grpcPort }]);
    envoy = startEnvoy({
      config: proxyBootstrap({
        proxyName: 'default/otel-metrics',
        xds: { host: '127.0.0.1', port: xdsPort },
        metrics,
      }),
      adminPort: await freePort(),
      logLevel: 'warn',
    });
    // Envoy flushes its stats to the sinks every 5 s; allow for a loaded machine.
    const deadline = Date.now() + 60_000;
    while (receiver.metrics.length === 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 250));
    const names = new Set(receiver.metrics.map((m) => m.name));
    expect(names).toContain('server.uptime');
    // Tag-extracted names, as the sink sends them (the cluster name goes in an attribute).
    expect(names).toContain('cluster_manager.active_clusters');
    expect(names).toContain('cluster.upstream_cx_active');
    expect(receiver.calls.some((c) => c.service === 'metrics')).toBe(true);
  }, 120_000);
});
