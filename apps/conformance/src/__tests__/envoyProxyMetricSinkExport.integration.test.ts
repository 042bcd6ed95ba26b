// EnvoyProxy metric sink `headers` and `resourceAttributes` through real Envoy: the translator
// resolves the sink, the host infra-manager's bootstrap pushes the proxy's stats to the stand-in
// collector (otlpReceiver.ts), and each export carries the headers (gRPC initial metadata) and
// the metrics' resource the attributes asked for.
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

const manifests = (collectorPort: number) => `
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
          backendRefs: [{name: otel-collector, namespace: monitoring, port: 4317}]
          headers: [{name: Authorization, value: Bearer egts-key}, {name: X-Tenant-ID, value: tenant-123}]
          resourceAttributes: {deployment.environment: test, k8s.cluster.name: egts}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec: {gatewayClassName: eg, listeners: [{name: http, protocol: HTTP, port: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: otel-collector, namespace: monitoring}
spec: {ports: [{name: otlp, port: 4317, appProtocol: grpc}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: otel-collector-1, namespace: monitoring, labels: {kubernetes.io/service-name: otel-collector}}
addressType: IPv4
endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
ports: [{name: otlp, port: ${collectorPort}, appProtocol: grpc}]
`;

describe('[envoy] OpenTelemetry metric sink headers and resource attributes', () => {
  let receiver: TelemetryReceiver | undefined;
  let server: XdsServer | undefined;
  let envoy: EnvoyHandle | undefined;

  afterAll(async () => {
    await envoy?.stop();
    await server?.close();
    await receiver?.close();
  });

  it('sends the headers with every export and the attributes on the metrics resource', async () => {
    receiver = await startTelemetryReceiver();
    const { resources, problems } = loadResourcesFromText(
      manifests(receiver.grpcPort),
      'sink.yaml',
    );
    expect(problems).toEqual([]);
    const result = translate(resources);
    const status = result.statuses.find((s) => s.kind === 'EnvoyProxy')?.status as {
      ancestors: { conditions: { type: string; reason: string }[] }[];
    };
    expect(status.ancestors[0]?.conditions.find((c) => c.type === 'Accepted')?.reason).toBe(
      'Accepted',
    );
    const [proxy] = result.infraIR.proxies;
    if (proxy?.metricSinks === undefined) throw new Error('no metric sinks');
    const cache = createSnapshotCache();
    server = createXdsServer(cache);
    const xdsPort = await server.listen('127.0.0.1:0');
    cache.setSnapshot(proxy.name, createSnapshot({}));
    envoy = startEnvoy({
      config: proxyBootstrap({
        proxyName: proxy.name,
        xds: { host: '127.0.0.1', port: xdsPort },
        metrics: proxyMetrics(proxy.envoyProxy, sinkTargets(proxy.metricSinks, 'host')),
      }),
      adminPort: await freePort(),
      logLevel: 'warn',
    });
    // Envoy flushes its stats to the sinks every 5 s; allow for a loaded machine.
    const deadline = Date.now() + 60_000;
    while ((receiver.metrics.length === 0 || receiver.calls.length === 0) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 250));
    const uptime = receiver.metrics.find((m) => m.name === 'server.uptime');
    expect(uptime?.resource).toMatchObject({
      'deployment.environment': 'test',
      'k8s.cluster.name': 'egts',
    });
    expect(receiver.calls).toContainEqual({
      service: 'metrics',
      metadata: expect.objectContaining({
        authorization: 'Bearer egts-key',
        'x-tenant-id': 'tenant-123',
      }),
    });
  }, 120_000);
});
