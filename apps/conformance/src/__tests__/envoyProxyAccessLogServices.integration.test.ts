// EnvoyProxy access logs to services through real Envoy: manifests -> egts's translators -> a
// static bootstrap -> Envoy, logging to the stand-in collector (otlpReceiver.ts) through the
// clusters egts adds for the sinks' backendRefs. What the e2e tests ask Loki
// (OpenTelemetryTextAccessLog, OpenTelemetryAccessLogJSON, ...JSONAsDefault, ALS): records
// arrive in the format asked for, with the resource attributes, and only for the requests the
// setting's CEL matches accept. The ALS sink also logs the response headers and trailers asked
// for, which an HTTP/2 (h2c) backend sends.
import { request } from 'node:http';
import { createServer as createH2cServer, type Http2Server } from 'node:http2';
import type { EnvoyHandle } from '@egts/envoy-binary';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EchoServer, startEchoServer } from '../internal/echoServer.js';
import { freePort } from '../internal/freePort.js';
import {
  type ReceivedLog,
  startTelemetryReceiver,
  type TelemetryReceiver,
} from '../internal/otlpReceiver.js';
import { startStaticEnvoy } from '../internal/staticEnvoy.js';

const get = (port: number, path: string, headers: Record<string, string> = {}): Promise<number> =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });

/** An h2c backend answering with a response header and, after the body, a trailer. */
const startTrailerBackend = (): Promise<{ server: Http2Server; port: number }> =>
  new Promise((resolve, reject) => {
    const server = createH2cServer();
    server.on('stream', (stream) => {
      stream.respond({ ':status': 200, 'x-resp': 'r1' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'x-trail': 't1' }));
      stream.end('ok');
    });
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : 0 });
    });
  });

const manifests = (port: number, collectorPort: number, echoPort: number, h2Port: number) => `
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
    accessLog:
      settings:
      - format: {type: Text, text: "[text] %REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %RESPONSE_CODE%"}
        matches: ["'x-envoy-logged' in request.headers"]
        sinks:
        - type: OpenTelemetry
          openTelemetry:
            backendRefs: [{name: otel-collector, namespace: monitoring, port: 4317}]
            resources: {k8s.cluster.name: envoy-gateway}
      - format: {type: JSON, json: {method: "%REQ(:METHOD)%", path: "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%", responseCode: "%RESPONSE_CODE%"}}
        type: Route
        sinks:
        - type: OpenTelemetry
          openTelemetry:
            backendRefs: [{name: otel-collector, namespace: monitoring, port: 4317}]
            resourceAttributes: {sink: json}
            headers: [{name: X-Tenant, value: egts-logs}]
      - sinks:
        - type: OpenTelemetry
          openTelemetry:
            host: otel-collector.monitoring.svc.cluster.local
            port: 4317
            resourceAttributes: {sink: default}
      - sinks:
        - type: ALS
          als:
            backendRefs: [{name: otel-collector, namespace: monitoring, port: 4317}]
            logName: egts-als
            type: HTTP
            http: {requestHeaders: [x-extra], responseHeaders: [x-resp], responseTrailers: [x-trail]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec: {gatewayClassName: eg, listeners: [{name: http, protocol: HTTP, port: ${port}}]}
---
apiVersion: v1
kind: Service
metadata: {name: otel-collector, namespace: monitoring}
spec: {ports: [{name: grpc, port: 4317}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: otel-collector-1, namespace: monitoring, labels: {kubernetes.io/service-name: otel-collector}}
addressType: IPv4
endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
ports: [{name: grpc, port: ${collectorPort}}]
---
apiVersion: v1
kind: Service
metadata: {name: echo, namespace: default}
spec: {ports: [{name: http, port: 8080}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: echo-1, namespace: default, labels: {kubernetes.io/service-name: echo}}
addressType: IPv4
endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
ports: [{name: http, port: ${echoPort}}]
---
apiVersion: v1
kind: Service
metadata: {name: trailers, namespace: default}
spec: {ports: [{name: h2c, port: 8080, appProtocol: kubernetes.io/h2c}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: trailers-1, namespace: default, labels: {kubernetes.io/service-name: trailers}}
addressType: IPv4
endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
ports: [{name: h2c, port: ${h2Port}, appProtocol: kubernetes.io/h2c}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: echo, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules:
  - {matches: [{path: {type: PathPrefix, value: /logged/trailers}}], backendRefs: [{name: trailers, port: 8080}]}
  - {matches: [{path: {type: PathPrefix, value: /logged}}], backendRefs: [{name: echo, port: 8080}]}
`;

describe('[envoy] EnvoyProxy access logs to OpenTelemetry and an access log service', () => {
  let receiver: TelemetryReceiver;
  let echo: EchoServer;
  let trailers: { server: Http2Server; port: number } | undefined;
  let envoy: EnvoyHandle | undefined;
  let port = 0;
  let accepted: string | undefined;

  beforeAll(async () => {
    receiver = await startTelemetryReceiver();
    echo = await startEchoServer('default', 'echo');
    trailers = await startTrailerBackend();
    port = await freePort();
    const started = await startStaticEnvoy(
      manifests(port, receiver.grpcPort, echo.port, trailers.port),
      'accesslog.yaml',
    );
    envoy = started.envoy;
    const status = started.statuses.find((s) => s.kind === 'EnvoyProxy')?.status as {
      ancestors: { conditions: { type: string; reason: string; message: string }[] }[];
    };
    const condition = status.ancestors[0]?.conditions.find((c) => c.type === 'Accepted');
    accepted = `${condition?.reason}: ${condition?.message}`;
  }, 120_000);

  afterAll(async () => {
    await envoy?.stop();
    await receiver?.close();
    await echo?.close();
    await new Promise((resolve) => trailers?.server.close(resolve));
  });

  /** The records of the sink with resource attribute `sink=<name>` (or the text sink's). */
  const records = (match: (log: ReceivedLog) => boolean) => receiver.logs.filter(match);
  const until = async <T>(read: () => T[], count: number): Promise<T[]> => {
    for (let i = 0; i < 300 && read().length < count; i++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    return read();
  };
  const text = (log: ReceivedLog) => typeof log.body === 'string';
  const sink = (name: string) => (log: ReceivedLog) => log.resource.sink === name;

  it('is accepted', () => {
    expect(accepted).toMatch(/^Accepted/);
  });

  it('sends text, JSON and default JSON records, the text ones only where the CEL match holds', async () => {
    expect(await get(port, '/logged/unmarked')).toBe(200);
    expect(await get(port, '/logged/marked', { 'x-envoy-logged': '1', 'x-extra': 'e1' })).toBe(200);
    const json = await until(() => records(sink('json')), 2);
    expect(json.map((l) => l.body)).toEqual(
      expect.arrayContaining([
        { method: 'GET', path: '/logged/unmarked', responseCode: '200' },
        { method: 'GET', path: '/logged/marked', responseCode: '200' },
      ]),
    );
    expect(receiver.calls).toContainEqual({
      service: 'logs',
      metadata: expect.objectContaining({ 'x-tenant': 'egts-logs' }),
    });
    const [fallback] = await until(() => records(sink('default')), 1);
    expect(fallback?.body).toMatchObject({ method: 'GET', response_code: '200' });
    const marked = await until(() => records(text), 1);
    expect(marked.map((l) => l.body)).toEqual(['[text] GET /logged/marked 200']);
    expect(marked[0]?.resource['k8s.cluster.name']).toBe('envoy-gateway');
    // The unmarked request's records are in; the text sink flushes as often: still one.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(records(text)).toHaveLength(1);
  });

  it('streams HTTP entries to the access log service under its log name', async () => {
    expect(await get(port, '/logged/als', { 'x-extra': 'e2' })).toBe(200);
    const entries = await until(
      () => receiver.accessLogs.filter((e) => e.path === '/logged/als'),
      1,
    );
    expect(entries[0]).toMatchObject({
      logName: 'egts-als',
      responseCode: 200,
      requestHeaders: { 'x-extra': 'e2' },
    });
  });

  it('logs the response headers and trailers the sink asks for', async () => {
    expect(await get(port, '/logged/trailers')).toBe(200);
    const [entry] = await until(
      () => receiver.accessLogs.filter((e) => e.path === '/logged/trailers'),
      1,
    );
    expect(entry).toMatchObject({
      logName: 'egts-als',
      responseCode: 200,
      responseHeaders: { 'x-resp': 'r1' },
      responseTrailers: { 'x-trail': 't1' },
    });
  });
});
