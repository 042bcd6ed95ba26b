import { loadResourcesFromText } from '@egts/api';
import { type EnvoyHandle, freePort, startEnvoy } from '@egts/envoy-binary';
import { translate } from '@egts/gatewayapi-translator';
import { proxyBootstrap, proxyMetrics, sinkTargets } from '@egts/infra-manager';
import {
  createSnapshot,
  createSnapshotCache,
  createXdsServer,
  type XdsServer,
} from '@egts/xds-server';
import { afterAll, describe, expect, it } from 'vitest';
import { startTelemetryReceiver, type TelemetryReceiver } from '../internal/otlpReceiver.js';

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

/** An EnvoyProxy whose sinks name two Services (each a receiver), one sending deltas. */
const sinkManifests = (deltaPort: number, cumulativePort: number) => `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec:
  controllerName: gateway.envoyproxy.io/gatewayclass-controller
  parametersRef: {group: gateway.envoyproxy.io, kind: EnvoyProxy, name: proxy, namespace: default}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyProxy
metadata: {name: proxy, namespace: default}
spec:
  telemetry:
    metrics:
      sinks:
      - type: OpenTelemetry
        openTelemetry:
          backendRefs: [{name: deltas, namespace: monitoring, port: 4317}]
          reportCountersAsDeltas: true
          reportHistogramsAsDeltas: true
      - type: OpenTelemetry
        openTelemetry:
          # The deprecated singular backendRef names the collector as well.
          backendRef: {name: cumulative, namespace: monitoring, port: 4317}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec: {gatewayClassName: eg, listeners: [{name: http, protocol: HTTP, port: 8080}]}
${[
  ['deltas', deltaPort],
  ['cumulative', cumulativePort],
]
  .map(
    ([name, port]) => `---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: monitoring}
spec: {ports: [{name: otlp, port: 4317, appProtocol: grpc}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ${name}-1, namespace: monitoring, labels: {kubernetes.io/service-name: ${name}}}
addressType: IPv4
endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
ports: [{name: otlp, port: ${port}, appProtocol: grpc}]`,
  )
  .join('\n')}
`;

describe('[envoy] OpenTelemetry metric sinks by backendRefs', () => {
  const receivers: TelemetryReceiver[] = [];
  let server: XdsServer | undefined;
  let envoy: EnvoyHandle | undefined;

  afterAll(async () => {
    await envoy?.stop();
    await server?.close();
    for (const receiver of receivers) await receiver.close();
  });

  it('pushes to the Service endpoints of each sink, counters and histograms as deltas when asked', async () => {
    const deltas = await startTelemetryReceiver();
    const cumulative = await startTelemetryReceiver();
    receivers.push(deltas, cumulative);
    const { resources } = loadResourcesFromText(
      sinkManifests(deltas.grpcPort, cumulative.grpcPort),
      'sinks.yaml',
    );
    const [proxy] = translate(resources).infraIR.proxies;
    expect(proxy?.metricSinks).toEqual([
      {
        authority: 'deltas.monitoring.svc.cluster.local',
        port: 4317,
        endpoints: [{ host: '127.0.0.1', port: deltas.grpcPort }],
        reportCountersAsDeltas: true,
        reportHistogramsAsDeltas: true,
      },
      {
        authority: 'cumulative.monitoring.svc.cluster.local',
        port: 4317,
        endpoints: [{ host: '127.0.0.1', port: cumulative.grpcPort }],
        reportCountersAsDeltas: false,
        reportHistogramsAsDeltas: false,
      },
    ]);
    const cache = createSnapshotCache();
    server = createXdsServer(cache);
    const xdsPort = await server.listen('127.0.0.1:0');
    cache.setSnapshot(proxy!.name, createSnapshot({}));
    envoy = startEnvoy({
      config: proxyBootstrap({
        proxyName: proxy!.name,
        xds: { host: '127.0.0.1', port: xdsPort },
        // What the host infra-manager gives a proxy on this machine.
        metrics: proxyMetrics(proxy!.envoyProxy, sinkTargets(proxy!.metricSinks!, 'host')),
      }),
      adminPort: await freePort(),
      logLevel: 'warn',
    });
    const counter = (receiver: TelemetryReceiver) =>
      receiver.metrics.find((m) => m.name === 'cluster.upstream_cx_total' && m.kind === 'sum');
    // A histogram every Envoy records once, at start.
    const histogram = (receiver: TelemetryReceiver) =>
      receiver.metrics.find(
        (m) => m.name === 'server.initialization_time_ms' && m.kind === 'histogram',
      );
    const deadline = Date.now() + 60_000;
    const all = () => [
      counter(deltas),
      counter(cumulative),
      histogram(deltas),
      histogram(cumulative),
    ];
    while (all().some((m) => m === undefined) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 250));
    // OTLP AggregationTemporality: 1 delta, 2 cumulative.
    expect(counter(deltas)?.temporality).toBe(1);
    expect(counter(cumulative)?.temporality).toBe(2);
    expect(histogram(deltas)?.temporality).toBe(1);
    expect(histogram(cumulative)?.temporality).toBe(2);
  }, 120_000);
});
