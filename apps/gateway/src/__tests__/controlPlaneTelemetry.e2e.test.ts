// EnvoyGateway `telemetry.metrics` on `egts server`: the control plane's Prometheus endpoint
// counts, under Envoy Gateway's names, the route change a test makes (the gateway-api runner
// handles one more provider snapshot, the xDS cache one more update), and OpenTelemetry sinks
// over gRPC and HTTP receive the same metrics every export interval; `telemetry.traces` sends a
// span per message a runner handles. The receivers stand in for a collector: OTLP/gRPC's
// MetricsService and TraceService, and OTLP/HTTP's POST /v1/metrics.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExportMetricsServiceRequest, type ExportTraceServiceRequest } from '@egts/envoy-api';
import { MetricsServiceService, TraceServiceService } from '@egts/envoy-api/services';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCli, startCli } from './runCli.js';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const quickstart = join(appDir, '..', '..', 'examples', 'quickstart');

/** Metric names each receiver got, by how they came. */
const received = { grpc: new Set<string>(), http: new Set<string>(), spans: new Set<string>() };
const namesOf = (request: ExportMetricsServiceRequest): string[] =>
  request.resourceMetrics.flatMap((rm) =>
    rm.scopeMetrics.flatMap((sm) => sm.metrics.map((m) => m.name)),
  );

const startGrpcReceiver = async () => {
  const server = new Server();
  server.addService(MetricsServiceService, {
    export: (
      call: { request: ExportMetricsServiceRequest },
      done: (error: null, response: object) => void,
    ) => {
      for (const name of namesOf(call.request)) received.grpc.add(name);
      done(null, {});
    },
  });
  server.addService(TraceServiceService, {
    export: (
      call: { request: ExportTraceServiceRequest },
      done: (error: null, response: object) => void,
    ) => {
      for (const rs of call.request.resourceSpans)
        for (const ss of rs.scopeSpans) for (const span of ss.spans) received.spans.add(span.name);
      done(null, {});
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return { port, close: () => server.forceShutdown() };
};

const startHttpReceiver = async () => {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const request = req.headers['content-type']?.includes('json')
        ? (JSON.parse(body.toString()) as ExportMetricsServiceRequest)
        : ExportMetricsServiceRequest.decode(body);
      if (req.url === '/v1/metrics') for (const name of namesOf(request)) received.http.add(name);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, close: () => server.close() };
};

/** The value of the first sample of `name` whose labels include `labels`, or 0. */
const sample = (text: string, name: string, labels: string): number => {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) || !line.includes(labels)) continue;
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
};

describe('egts server telemetry.metrics', () => {
  const dir = mkdtempSync(join(tmpdir(), 'egts-telemetry-'));
  const resources = join(dir, 'resources');
  let egts: RunningCli;
  let metricsPort = 0;
  let grpc: Awaited<ReturnType<typeof startGrpcReceiver>>;
  let http: Awaited<ReturnType<typeof startHttpReceiver>>;
  const scrape = async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();

  beforeAll(async () => {
    grpc = await startGrpcReceiver();
    http = await startHttpReceiver();
    // The quickstart's resources, in a directory the test changes.
    mkdirSync(resources);
    for (const file of readdirSync(quickstart))
      writeFileSync(join(resources, file), readFileSync(join(quickstart, file)));
    const config = join(dir, 'envoy-gateway.yaml');
    writeFileSync(
      config,
      `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyGateway
provider:
  type: Custom
  custom:
    resource: {type: File, file: {paths: [${resources}]}}
admin: {address: {host: 127.0.0.1, port: 0}}
telemetry:
  metrics:
    address: {host: 127.0.0.1, port: 0}
    sinks:
    - type: OpenTelemetry
      openTelemetry: {host: 127.0.0.1, port: ${grpc.port}, protocol: grpc, exportInterval: 1s}
    - type: OpenTelemetry
      openTelemetry: {host: 127.0.0.1, port: ${http.port}, protocol: http, exportInterval: 1s}
  traces:
    samplingRate: 1
    sink:
      type: OpenTelemetry
      openTelemetry: {host: 127.0.0.1, port: ${grpc.port}, protocol: grpc}
    batchSpanProcessor: {batchTimeout: 200ms}
`,
    );
    egts = await startCli(['server', '--config', config, '--xds-address', '127.0.0.1:0']);
    for (let i = 0; i < 600 && metricsPort === 0; i++) {
      const match = /"port":(\d+),"path":"\/metrics","msg":"control plane metrics listening"/.exec(
        egts.output(),
      );
      if (match) metricsPort = Number(match[1]);
      else await new Promise((r) => setTimeout(r, 100));
    }
    expect(metricsPort, egts.output()).toBeGreaterThan(0);
  }, 120_000);

  afterAll(async () => {
    await egts?.stop();
    grpc?.close();
    http?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("counts a route change under Envoy Gateway's metric names", async () => {
    const translated = (text: string) =>
      sample(text, 'watchable_subscribe_total', 'runner="gateway-api"');
    let before = '';
    for (let i = 0; i < 300 && translated(before) === 0; i++) {
      before = await scrape();
      if (translated(before) === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(translated(before)).toBeGreaterThan(0);
    expect(sample(before, 'xds_snapshot_create_total', 'status="success"')).toBe(1);
    const updates = sample(before, 'xds_snapshot_update_total', 'nodeID="default/eg"');
    expect(updates).toBeGreaterThan(0);

    // A route change: the HTTPRoute's path prefix.
    const routeFile = join(resources, 'quickstart.yaml');
    writeFileSync(
      routeFile,
      readFileSync(routeFile, 'utf8').replace(/value: \/\S*/, 'value: /changed'),
    );
    let after = before;
    for (let i = 0; i < 300 && translated(after) <= translated(before); i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await scrape();
    }
    expect(translated(after)).toBeGreaterThan(translated(before));
    for (let i = 0; i < 100; i++) {
      if (sample(after, 'xds_snapshot_update_total', 'nodeID="default/eg"') > updates) break;
      await new Promise((r) => setTimeout(r, 100));
      after = await scrape();
    }
    expect(sample(after, 'xds_snapshot_update_total', 'nodeID="default/eg"')).toBeGreaterThan(
      updates,
    );
    expect(after).toMatch(/watchable_subscribe_duration_seconds_count\{runner="xds-translator"/);
    expect(sample(after, 'watchable_depth', 'runner="xds-translator"')).toBe(1);
  });

  it('pushes the same metrics to OpenTelemetry sinks over gRPC and HTTP', async () => {
    const wanted = ['watchable_subscribe_total', 'xds_snapshot_update_total'];
    for (let i = 0; i < 300; i++) {
      if (wanted.every((n) => received.grpc.has(n) && received.http.has(n))) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const name of wanted) {
      expect([...received.grpc]).toContain(name);
      expect([...received.http]).toContain(name);
    }
    expect([...received.grpc]).toContain('watchable_subscribe_duration_seconds');
  });

  it('traces what each runner handles', async () => {
    for (let i = 0; i < 300 && !egts.output().includes('exporting control plane traces'); i++)
      await new Promise((r) => setTimeout(r, 100));
    // A change once the trace sink is up: translated, then served.
    const routeFile = join(resources, 'quickstart.yaml');
    writeFileSync(
      routeFile,
      readFileSync(routeFile, 'utf8').replace(/value: \/\S*/, 'value: /traced'),
    );
    const wanted = ['GatewayApiRunner.ResourceTranslationCycle', 'XdsRunner.TranslateXdsIR'];
    for (let i = 0; i < 300 && !wanted.every((n) => received.spans.has(n)); i++)
      await new Promise((r) => setTimeout(r, 100));
    for (const name of wanted)
      expect([...received.spans], egts.output().slice(-3000)).toContain(name);
  });
});
