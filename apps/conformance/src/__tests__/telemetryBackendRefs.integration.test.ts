// How an EnvoyProxy's telemetry services pick among their backendRefs, through real Envoy:
// manifests -> egts's translators -> a static bootstrap -> Envoy, exporting to stand-in
// collectors (otlpReceiver.ts). A sink's `weight`ed backends share its exports in proportion, a
// `fallback` backend takes an access log sink's and the tracer's exports only once the others fail
// their health checks, and the deprecated singular `backendRef` still names a sink's
// backend. Envoy Gateway drops weight and fallback for telemetry; egts applies them as for a
// route's backends (one cluster, weighted localities, fallbacks at priority 1).
import type { EnvoyHandle } from '@egts/envoy-binary';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EchoServer, startEchoServer } from '../internal/echoServer.js';
import { freePort } from '../internal/freePort.js';
import { startTelemetryReceiver, type TelemetryReceiver } from '../internal/otlpReceiver.js';
import { get, sleep } from './backendTrafficFixture.js';
import {
  collectorRef as ref,
  startTelemetryEnvoy,
  telemetryManifests,
  until,
} from './telemetryFixture.js';

/** Passive checks: a collector that refuses an export is ejected at once. */
const passivelyChecked = (indent: string) => `
${indent}backendSettings:
${indent}  healthCheck:
${indent}    passive: {consecutive5XxErrors: 1, interval: 1s, baseEjectionTime: 60s, maxEjectionPercent: 100}`;

const proxySpec = `  telemetry:
    tracing:
      samplingRate: 100
      provider:
        type: OpenTelemetry
        backendRefs: [${ref('primary')}, ${ref('light', ', weight: 0')}, ${ref('spare', ', fallback: true')}]${passivelyChecked('        ')}
    accessLog:
      settings:
      - format: {type: Text, text: "%REQ(X-PAD)%"}
        matches: ["'x-pad' in request.headers"]
        sinks:
        - type: OpenTelemetry
          openTelemetry:
            backendRefs: [${ref('heavy', ', weight: 3')}, ${ref('light', ', weight: 1')}]
            headers: [{name: X-Sink, value: weighted}]
        - type: ALS
          als:
            backendRefs: [${ref('heavy', ', weight: 1')}, ${ref('light', ', weight: 0')}]
            logName: weighted-als
            type: HTTP
      - format: {type: Text, text: "%REQ(:PATH)%"}
        matches: ["'x-failover' in request.headers"]
        sinks:
        - type: OpenTelemetry
          openTelemetry:
            backendRefs: [${ref('primary')}, ${ref('spare', ', fallback: true')}]
            resourceAttributes: {sink: failover}${passivelyChecked('            ')}
      - format: {type: Text, text: "%REQ(:PATH)%"}
        matches: ["'x-single' in request.headers"]
        sinks:
        - type: OpenTelemetry
          openTelemetry:
            backendRef: ${ref('light')}
            resourceAttributes: {sink: single}
        - type: ALS
          als:
            backendRef: ${ref('heavy')}
            logName: single-als
            type: HTTP`;

describe('[envoy] EnvoyProxy telemetry backendRefs: weight, fallback and the singular backendRef', () => {
  const receivers: Record<string, TelemetryReceiver> = {};
  let echo: EchoServer;
  let envoy: EnvoyHandle | undefined;
  let port = 0;
  let status = '';

  beforeAll(async () => {
    for (const name of ['heavy', 'light', 'primary', 'spare'])
      receivers[name] = await startTelemetryReceiver();
    echo = await startEchoServer('default', 'echo');
    port = await freePort();
    const collectors = Object.fromEntries(
      Object.entries(receivers).map(([name, r]) => [name, r.grpcPort]),
    );
    ({ envoy, status } = await startTelemetryEnvoy(
      telemetryManifests(port, echo.port, proxySpec, collectors),
      'telemetry-backends.yaml',
    ));
  }, 120_000);

  afterAll(async () => {
    await envoy?.stop();
    for (const receiver of Object.values(receivers)) await receiver.close().catch(() => {});
    await echo?.close();
  });

  const receiver = (name: string) => receivers[name] as TelemetryReceiver;

  it('is accepted with every field applied', () => {
    expect(status).toContain('"reason":"Accepted"');
    for (const field of ['weight', 'fallback', 'backendRef']) expect(status).not.toContain(field);
  });

  it('shares a weighted sink exports among its backends in proportion to their weights', async () => {
    // Records of ~5 kB fill the logger's 16 kB buffer every few requests: many exports.
    const pad = 'x'.repeat(5_000);
    for (let i = 0; i < 90; i++)
      expect((await get(port, `/weighted/${i}`, { 'x-pad': pad })).status).toBe(200);
    const exports = (name: string) => () =>
      receiver(name).calls.filter(
        (c) => c.service === 'logs' && c.metadata['x-sink'] === 'weighted',
      ).length;
    await until(() => exports('heavy')() + exports('light')() >= 16);
    await sleep(2_000);
    const [heavy, light] = [exports('heavy')(), exports('light')()];
    expect(light).toBeGreaterThan(0);
    // 3:1 by weight (Envoy's locality-weighted scheduling); 2:1 leaves room for the timer flushes.
    expect(heavy).toBeGreaterThanOrEqual(2 * light);
    // The access log service's streams go only to the backend not weighted 0.
    const als = (name: string) =>
      receiver(name).accessLogs.filter((e) => e.logName === 'weighted-als').length;
    expect(als('heavy')).toBeGreaterThan(0);
    expect(als('light')).toBe(0);
  }, 120_000);

  const failover = (name: string) => () =>
    receiver(name).logs.filter((l) => l.resource.sink === 'failover').length;
  const spans = (name: string) => () => receiver(name).spans.length;

  it('leaves a fallback backend idle while the others answer', async () => {
    // Each record waits for its export: several exports, each free to pick any backend.
    for (let i = 1; i <= 4; i++) {
      expect((await get(port, `/failover/before/${i}`, { 'x-failover': '1' })).status).toBe(200);
      expect(await until(() => failover('primary')() >= i)).toBe(true);
    }
    // The tracer exports every 5 spans (two a request): several exports too.
    for (let i = 0; i < 20; i++) expect((await get(port, `/traced/${i}`)).status).toBe(200);
    expect(await until(() => spans('primary')() >= 30)).toBe(true);
    expect(failover('spare')()).toBe(0);
    expect(spans('spare')()).toBe(0);
    // Nor does the tracer's backend weighted 0 get any.
    expect(spans('light')()).toBe(0);
  }, 120_000);

  it('sends to the fallback backend once the others fail their health checks', async () => {
    await receiver('primary').close();
    // Requests keep coming until an export fails, ejecting the primary; then the spare takes them.
    let n = 0;
    const sent = () => get(port, `/failover/after/${n++}`, { 'x-failover': '1' });
    expect(await until(() => failover('spare')() >= 1 && spans('spare')() >= 1, 300, sent)).toBe(
      true,
    );
  }, 120_000);

  it("names a sink's backend with the deprecated singular backendRef", async () => {
    expect((await get(port, '/single', { 'x-single': '1' })).status).toBe(200);
    const single = () => receiver('light').logs.filter((l) => l.resource.sink === 'single');
    const als = () => receiver('heavy').accessLogs.filter((e) => e.logName === 'single-als');
    expect(await until(() => single().length >= 1 && als().length >= 1)).toBe(true);
    expect(single()[0]?.body).toBe('/single');
    expect(als()[0]).toMatchObject({ path: '/single', responseCode: 200 });
  }, 60_000);
});
