// EnvoyProxy and BackendTrafficPolicy tracing through real Envoy: manifests -> egts's translators
// -> one static bootstrap per Gateway -> Envoy, exporting to the stand-in collector
// (otlpReceiver.ts) through the cluster egts adds for the provider's backendRefs. Checks what the
// e2e tests ask Tempo (OpenTelemetryTracing, ZipkinTracing, DatadogTracing, BTP tracing): spans
// arrive with the service name and the tags asked for, sampling fractions hold, a route's policy
// overrides its fleet's sampling and tags.
import { request } from 'node:http';
import { loadResourcesFromText } from '@egts/api';
import { type EnvoyHandle, startEnvoy } from '@egts/envoy-binary';
import { translate } from '@egts/gatewayapi-translator';
import { bootstrapToJson, translateBootstrap } from '@egts/xds-translator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EchoServer, startEchoServer } from '../internal/echoServer.js';
import { freePort } from '../internal/freePort.js';
import {
  type ReceivedSpan,
  startTelemetryReceiver,
  type TelemetryReceiver,
} from '../internal/otlpReceiver.js';

const get = (port: number, path: string, headers: Record<string, string> = {}): Promise<number> =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });

/** A Gateway with its own EnvoyProxy (`telemetry` under spec) and one HTTPRoute on `path`. */
const gateway = (name: string, port: number, telemetry: string, path: string) => `
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyProxy
metadata: {name: ${name}, namespace: default}
spec:
  telemetry:
${telemetry}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: ${name}, namespace: default}
spec:
  gatewayClassName: eg
  listeners: [{name: http, protocol: HTTP, port: ${port}}]
  infrastructure:
    parametersRef: {group: gateway.envoyproxy.io, kind: EnvoyProxy, name: ${name}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: default}
spec:
  parentRefs: [{name: ${name}}]
  rules: [{matches: [{path: {type: PathPrefix, value: ${path}}}], backendRefs: [{name: echo, port: 8080}]}]
---`;

const service = (name: string, namespace: string, port: number, targetPort: number) => `
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${namespace}}
spec: {ports: [{name: p, port: ${port}}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ${name}-1, namespace: ${namespace}, labels: {kubernetes.io/service-name: ${name}}}
addressType: IPv4
endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
ports: [{name: p, port: ${targetPort}}]
---`;

const TAGS = `      tags:
        provider: "%PROVIDER%"
        from-env: "%ENVIRONMENT(EGTS_TRACING_TEST_POD)%"`;

describe('[envoy] EnvoyProxy tracing to a stand-in collector', () => {
  let receiver: TelemetryReceiver;
  let echo: EchoServer;
  const envoys: EnvoyHandle[] = [];
  const ports: Record<string, number> = {};
  let statuses: ReturnType<typeof translate>['statuses'] = [];

  beforeAll(async () => {
    receiver = await startTelemetryReceiver();
    echo = await startEchoServer('default', 'echo');
    for (const name of [
      'otel',
      'otel-custom',
      'zipkin',
      'zipkin-unshared',
      'datadog',
      'unsampled',
      'btp',
      'sampler-ratio',
      'sampler-off',
      'sampler-parent',
      'btp-client',
      'btp-overall',
    ])
      ports[name] = await freePort();
    const otlp = (extra: string) => `    tracing:
      ${extra}
      provider:
        backendRefs: [{name: otel-collector, namespace: monitoring, port: 4317}]`;
    const text = [
      `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---`,
      service('otel-collector', 'monitoring', 4317, receiver.grpcPort),
      service('zipkin', 'monitoring', 9411, receiver.httpPort),
      service('datadog-agent', 'monitoring', 8126, receiver.httpPort),
      service('echo', 'default', 8080, echo.port),
      gateway(
        'otel',
        ports.otel as number,
        `${otlp('samplingRate: 100')}
        openTelemetry: {headers: [{name: X-Tenant, value: egts-traces}]}
      customTags:
        k8s.cluster.name: {type: Literal, literal: {value: envoy-gateway}}
        pod: {type: Environment, environment: {name: EGTS_TRACING_UNSET, defaultValue: "-"}}
        request-id: {type: RequestHeader, requestHeader: {name: x-trace-me, defaultValue: none}}
        provider: {type: Literal, literal: {value: overridden-by-tags}}
${TAGS.replace('%PROVIDER%', 'otel')}`,
        '/otel',
      ),
      gateway(
        'otel-custom',
        ports['otel-custom'] as number,
        `    tracing:
      provider:
        host: otel-collector.monitoring.svc.cluster.local
        port: 4317
        serviceName: my-custom-service
${TAGS.replace('%PROVIDER%', 'otel-custom')}`,
        '/custom-service',
      ),
      gateway(
        'zipkin',
        ports.zipkin as number,
        `    tracing:
      samplingFraction: {numerator: 100}
      spanName: {client: "zipkin-span %REQ(:PATH)%", server: zipkin-upstream}
      provider:
        type: Zipkin
        backendRefs: [{name: zipkin, namespace: monitoring, port: 9411}]
        zipkin: {enable128BitTraceId: true}
${TAGS.replace('%PROVIDER%', 'zipkin')}`,
        '/zipkin',
      ),
      // Client and server spans do not share a span context (Zipkin's shared_span_context false).
      gateway(
        'zipkin-unshared',
        ports['zipkin-unshared'] as number,
        `    tracing:
      samplingFraction: {numerator: 100}
      provider:
        type: Zipkin
        backendRefs: [{name: zipkin, namespace: monitoring, port: 9411}]
        zipkin: {disableSharedSpanContext: true}
${TAGS.replace('%PROVIDER%', 'zipkin-unshared')}`,
        '/zipkin-unshared',
      ),
      gateway(
        'datadog',
        ports.datadog as number,
        `    tracing:
      provider:
        type: Datadog
        backendRef: {name: datadog-agent, namespace: monitoring, port: 8126}
${TAGS.replace('%PROVIDER%', 'datadog')}`,
        '/datadog',
      ),
      // Sampled at random never, client-forced never (the default), capped at 0%.
      gateway(
        'unsampled',
        ports.unsampled as number,
        `${otlp('samplingFraction: {numerator: 0}')}
      overallSamplingFraction: {numerator: 0}
${TAGS.replace('%PROVIDER%', 'unsampled')}`,
        '/unsampled',
      ),
      // The fleet samples nothing; the route's policy samples everything, with its own tags.
      gateway(
        'btp',
        ports.btp as number,
        `${otlp('samplingFraction: {numerator: 0}')}
${TAGS.replace('%PROVIDER%', 'btp-fleet')}`,
        '/btp',
      ),
      // The connection manager alone would sample nothing; the tracer's sampler (all trace IDs)
      // decides instead. Its spans carry the resource attributes.
      gateway(
        'sampler-ratio',
        ports['sampler-ratio'] as number,
        `${otlp('samplingFraction: {numerator: 0}')}
        openTelemetry:
          sampler: {type: TraceIdRatio, samplingPercentage: {numerator: 100}}
          resourceAttributes: {deployment.environment: egts-test, k8s.cluster.name: sampler-cluster}
${TAGS.replace('%PROVIDER%', 'sampler-ratio')}`,
        '/sampler-ratio',
      ),
      // Everything sampled by the connection manager, nothing by the tracer.
      gateway(
        'sampler-off',
        ports['sampler-off'] as number,
        `${otlp('samplingRate: 100')}
        openTelemetry: {sampler: {type: AlwaysOff}}
${TAGS.replace('%PROVIDER%', 'sampler-off')}`,
        '/sampler-off',
      ),
      // A root is never sampled; a caller's sampled trace is continued.
      gateway(
        'sampler-parent',
        ports['sampler-parent'] as number,
        `${otlp('samplingRate: 100')}
        openTelemetry: {sampler: {type: ParentBasedAlwaysOff}}
${TAGS.replace('%PROVIDER%', 'sampler-parent')}`,
        '/sampler-parent',
      ),
      // The fleet samples nothing; the route's policy traces every client that asks.
      gateway(
        'btp-client',
        ports['btp-client'] as number,
        `${otlp('samplingFraction: {numerator: 0}')}
${TAGS.replace('%PROVIDER%', 'btp-client')}`,
        '/btp-client',
      ),
      // The fleet samples everything; the route's policy caps it at nothing.
      gateway(
        'btp-overall',
        ports['btp-overall'] as number,
        `${otlp('samplingRate: 100')}
${TAGS.replace('%PROVIDER%', 'btp-overall')}`,
        '/btp-overall',
      ),
      `
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: {name: btp-client, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: btp-client}]
  telemetry:
    tracing:
      clientSamplingFraction: {numerator: 100}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: {name: btp-overall, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: btp-overall}]
  telemetry:
    tracing:
      overallSamplingFraction: {numerator: 0}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: {name: btp-tracing, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: btp}]
  telemetry:
    tracing:
      samplingFraction: {numerator: 100}
      tags: {provider: otel-override}
      customTags: {route-literal: {type: Literal, literal: {value: set-by-route}}}
      spanName: {client: "route-span %REQ(:PATH)%", server: "route-upstream-span"}
`,
    ].join('\n');
    const { resources, problems } = loadResourcesFromText(text, 'tracing.yaml');
    if (problems.length > 0) throw new Error(JSON.stringify(problems));
    const result = translate(resources);
    statuses = result.statuses;
    process.env.EGTS_TRACING_TEST_POD = 'pod-1';
    for (const ir of result.xdsIR) {
      const envoy = startEnvoy({
        config: bootstrapToJson(translateBootstrap(ir)) as object,
        logLevel: 'warn',
      });
      envoys.push(envoy);
    }
    await Promise.all(envoys.map((e) => e.ready(60_000)));
  }, 180_000);

  afterAll(async () => {
    await Promise.all(envoys.map((e) => e.stop()));
    await receiver?.close();
    await echo?.close();
  });

  /** The spans tagged `provider=<provider>`, once there are at least `count` (tracers batch). */
  const spansOf = async (provider: string, count = 1): Promise<ReceivedSpan[]> => {
    for (let i = 0; i < 300; i++) {
      const found = receiver.spans.filter((s) => s.attributes.provider === provider);
      if (found.length >= count) return found;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return receiver.spans.filter((s) => s.attributes.provider === provider);
  };

  it('accepts every EnvoyProxy and the BackendTrafficPolicy', () => {
    const accepted = statuses
      .filter((s) => s.kind === 'EnvoyProxy' || s.kind === 'BackendTrafficPolicy')
      .map((s) => {
        const status = s.status as {
          ancestors: { conditions: { type: string; reason: string }[] }[];
        };
        return `${s.kind}/${s.metadata.name}: ${status.ancestors[0]?.conditions.find((c) => c.type === 'Accepted')?.reason}`;
      });
    expect(accepted).toHaveLength(15);
    for (const line of accepted) expect(line).toMatch(/: Accepted$/);
  });

  it('exports OpenTelemetry spans with the service name and the tags asked for', async () => {
    expect(await get(ports.otel as number, '/otel', { 'x-trace-me': 'abc' })).toBe(200);
    // The downstream span and the upstream span Envoy Gateway spawns.
    const spans = await spansOf('otel', 2);
    expect(spans.length).toBeGreaterThanOrEqual(2);
    const [span] = spans;
    expect(span?.resource['service.name']).toBe('otel.default');
    expect(span?.attributes).toMatchObject({
      component: 'proxy',
      provider: 'otel',
      'k8s.cluster.name': 'envoy-gateway',
      pod: '-',
      'request-id': 'abc',
      'from-env': 'pod-1',
    });
    // Every export carries the provider's headers as gRPC metadata.
    expect(receiver.calls).toContainEqual({
      service: 'trace',
      metadata: expect.objectContaining({ 'x-tenant': 'egts-traces' }),
    });
    expect(await get(ports['otel-custom'] as number, '/custom-service')).toBe(200);
    const [custom] = await spansOf('otel-custom');
    expect(custom?.resource['service.name']).toBe('my-custom-service');
  });

  it('exports Zipkin spans under the proxy node name', async () => {
    expect(await get(ports.zipkin as number, '/zipkin')).toBe(200);
    const spans = await spansOf('zipkin', 2);
    const [span] = spans;
    expect(span?.via).toBe('zipkin');
    // The EnvoyProxy's span names: the request's span and its upstream span.
    expect(spans.map((s) => s.name).sort()).toEqual(['zipkin-span /zipkin', 'zipkin-upstream']);
    expect(span?.resource['service.name']).toBe('default/zipkin');
    expect(span?.attributes['from-env']).toBe('pod-1');
  });

  it("continues a caller's B3 span as its server span unless disableSharedSpanContext", async () => {
    // The caller's client span: Envoy's server span takes its id when the context is shared,
    // and is its child (new id, parentId the caller's) when not.
    const b3 = (spanId: string) => ({
      'x-b3-traceid': '463ac35c9f6413ad48485a3953bb6124',
      'x-b3-spanid': spanId,
      'x-b3-sampled': '1',
    });
    expect(await get(ports.zipkin as number, '/zipkin', b3('a2fb4a1d1a96d312'))).toBe(200);
    expect(
      await get(ports['zipkin-unshared'] as number, '/zipkin-unshared', b3('b7ad6b7169203331')),
    ).toBe(200);
    const server = async (provider: string, callerId: string) => {
      for (let i = 0; i < 300; i++) {
        const found = (await spansOf(provider)).find(
          (s) =>
            s.zipkin?.kind === 'SERVER' &&
            (s.zipkin.id === callerId || s.zipkin.parentId === callerId),
        );
        if (found) return found.zipkin;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return undefined;
    };
    expect((await server('zipkin', 'a2fb4a1d1a96d312'))?.id).toBe('a2fb4a1d1a96d312');
    const unshared = await server('zipkin-unshared', 'b7ad6b7169203331');
    expect(unshared?.parentId).toBe('b7ad6b7169203331');
    expect(unshared?.id).not.toBe('b7ad6b7169203331');
  });

  it('exports Datadog spans with the Gateway as service', async () => {
    expect(await get(ports.datadog as number, '/datadog')).toBe(200);
    const [span] = await spansOf('datadog');
    expect(span?.via).toBe('datadog');
    expect(span?.resource['service.name']).toBe('datadog.default');
  });

  it("traces a route by its policy's sampling and tags, and nothing a zero fraction leaves out", async () => {
    for (let i = 0; i < 5; i++) {
      expect(await get(ports.unsampled as number, '/unsampled')).toBe(200);
      expect(
        await get(ports.unsampled as number, '/unsampled', { 'x-client-trace-id': `force-${i}` }),
      ).toBe(200);
    }
    expect(await get(ports.btp as number, '/btp/x')).toBe(200);
    const routeSpans = await spansOf('otel-override', 2);
    expect(routeSpans.map((s) => s.name).sort()).toEqual([
      'route-span /btp/x',
      'route-upstream-span',
    ]);
    expect(routeSpans[0]?.attributes['route-literal']).toBe('set-by-route');
    // Both proxies flush every 5 s: past another flush, the unsampled one sent nothing.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect(receiver.spans.filter((s) => s.attributes.provider === 'unsampled')).toEqual([]);
    expect(receiver.spans.filter((s) => s.attributes.provider === 'btp-fleet')).toEqual([]);
  }, 60_000);

  it("samples with the OpenTelemetry tracer's sampler and exports its resource attributes", async () => {
    expect(await get(ports['sampler-ratio'] as number, '/sampler-ratio')).toBe(200);
    const [span] = await spansOf('sampler-ratio');
    expect(span?.resource).toMatchObject({
      'service.name': 'sampler-ratio.default',
      'deployment.environment': 'egts-test',
      'k8s.cluster.name': 'sampler-cluster',
    });
    // ParentBasedAlwaysOff: a root request is not traced, a caller's sampled trace is.
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    expect(await get(ports['sampler-parent'] as number, '/sampler-parent')).toBe(200);
    expect(
      await get(ports['sampler-parent'] as number, '/sampler-parent', {
        traceparent: `00-${traceId}-b7ad6b7169203331-01`,
      }),
    ).toBe(200);
    for (let i = 0; i < 3; i++)
      expect(await get(ports['sampler-off'] as number, '/sampler-off')).toBe(200);
    const continued = await spansOf('sampler-parent', 2);
    expect(continued.length).toBeGreaterThanOrEqual(2);
    // Past another flush (every 5 s): only the caller's trace came, and AlwaysOff sent nothing.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    const parentSpans = receiver.spans.filter((s) => s.attributes.provider === 'sampler-parent');
    expect(parentSpans.map((s) => s.traceId).filter((id) => id !== traceId)).toEqual([]);
    expect(receiver.spans.filter((s) => s.attributes.provider === 'sampler-off')).toEqual([]);
  }, 60_000);

  it("traces a route's clients by its policy's clientSamplingFraction, and caps it with overallSamplingFraction", async () => {
    expect(await get(ports['btp-client'] as number, '/btp-client')).toBe(200);
    expect(
      await get(ports['btp-client'] as number, '/btp-client', {
        'x-client-trace-id': 'client-asks',
        'x-trace-me': 'forced',
      }),
    ).toBe(200);
    for (let i = 0; i < 3; i++) {
      expect(await get(ports['btp-overall'] as number, '/btp-overall')).toBe(200);
      expect(
        await get(ports['btp-overall'] as number, '/btp-overall', {
          'x-client-trace-id': `overall-${i}`,
        }),
      ).toBe(200);
    }
    const client = await spansOf('btp-client', 2);
    expect(client.length).toBeGreaterThanOrEqual(2);
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    // Only the request whose client asked was traced (its downstream and upstream spans).
    const traces = new Set(
      receiver.spans.filter((s) => s.attributes.provider === 'btp-client').map((s) => s.traceId),
    );
    expect(traces.size).toBe(1);
    expect(receiver.spans.filter((s) => s.attributes.provider === 'btp-overall')).toEqual([]);
  }, 60_000);
});
