// An EnvoyProxy telemetry service's `backendSettings.retry`, through real Envoy: collectors that
// refuse their first exports UNAVAILABLE (otlpReceiver.ts `refuseFirstExports`) still get the
// records and spans of a sink or tracer that retries, Envoy counting the retries in its cluster
// stats, while a sink without retry loses what was refused; with `numAttemptsPerPriority` the
// retry moves to the fallback backend's priority. Envoy Gateway drops `retry` for
// telemetry; egts sets it as the gRPC service's retry_policy, as for an authorization service.
import type { EnvoyHandle } from '@egts/envoy-binary';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EchoServer, startEchoServer } from '../internal/echoServer.js';
import { freePort } from '../internal/freePort.js';
import { startTelemetryReceiver, type TelemetryReceiver } from '../internal/otlpReceiver.js';
import { get } from './backendTrafficFixture.js';
import {
  collectorRef as ref,
  startTelemetryEnvoy,
  telemetryManifests,
  until,
} from './telemetryFixture.js';

/** Up to 3 retries on UNAVAILABLE, 50 ms apart. */
const retried = (indent: string) => `
${indent}backendSettings:
${indent}  retry:
${indent}    numRetries: 3
${indent}    retryOn: {triggers: [unavailable]}
${indent}    perRetry: {backOff: {baseInterval: 50ms, maxInterval: 100ms}}`;

const proxySpec = `  telemetry:
    tracing:
      samplingRate: 100
      provider:
        type: OpenTelemetry
        backendRefs: [${ref('traces')}]${retried('        ')}
    accessLog:
      settings:
      - format: {type: Text, text: "%REQ(:PATH)%"}
        sinks:
        - type: OpenTelemetry
          openTelemetry:
            backendRefs: [${ref('logs')}]${retried('            ')}
        - type: OpenTelemetry
          openTelemetry:
            backendRefs: [${ref('lossy')}]
        - type: ALS
          als:
            backendRefs: [${ref('als')}]
            logName: retried
            type: HTTP${retried('            ')}
        - type: OpenTelemetry
          openTelemetry:
            backendRefs: [${ref('moving')}, ${ref('moving-spare', ', fallback: true')}]
            backendSettings:
              retry: {numRetries: 1, numAttemptsPerPriority: 1, retryOn: {triggers: [unavailable]}}
        - type: OpenTelemetry
          openTelemetry:
            backendRefs: [${ref('staying')}, ${ref('staying-spare', ', fallback: true')}]
            backendSettings:
              retry: {numRetries: 1, retryOn: {triggers: [unavailable]}}`;

describe('[envoy] EnvoyProxy telemetry services retried as backendSettings.retry asks', () => {
  const receivers: Record<string, TelemetryReceiver> = {};
  let echo: EchoServer;
  let envoy: EnvoyHandle | undefined;
  let port = 0;
  let status = '';

  beforeAll(async () => {
    // Each refuses its first two exports: two retries deliver the third attempt.
    for (const name of ['logs', 'traces', 'lossy', 'als'])
      receivers[name] = await startTelemetryReceiver({ refuseFirstExports: 2 });
    // Primaries refusing their first export once, and their fallbacks.
    for (const name of ['moving', 'staying'])
      receivers[name] = await startTelemetryReceiver({ refuseFirstExports: 1 });
    for (const name of ['moving-spare', 'staying-spare'])
      receivers[name] = await startTelemetryReceiver();
    echo = await startEchoServer('default', 'echo');
    port = await freePort();
    const collectors = Object.fromEntries(
      Object.entries(receivers).map(([name, r]) => [name, r.grpcPort]),
    );
    ({ envoy, status } = await startTelemetryEnvoy(
      telemetryManifests(port, echo.port, proxySpec, collectors),
      'telemetry-retry.yaml',
    ));
  }, 120_000);

  afterAll(async () => {
    await envoy?.stop();
    for (const receiver of Object.values(receivers)) await receiver.close();
    await echo?.close();
  });

  const receiver = (name: string) => receivers[name] as TelemetryReceiver;
  /** Envoy's `cluster.<name>.upstream_rq_retry` of the cluster of each sink. */
  const retries = async () => {
    const stats = (await envoy?.admin('/stats?filter=upstream_rq_retry$')) ?? '';
    return Object.fromEntries(
      [...stats.matchAll(/^cluster\.([^.]+)\.upstream_rq_retry: (\d+)$/gm)].map((m) => [
        m[1],
        Number(m[2]),
      ]),
    );
  };

  it('is accepted with every field applied', () => {
    expect(status).toContain('"reason":"Accepted"');
    expect(status).not.toContain('retry');
  });

  it('delivers the first record and spans through refused exports, and loses them without retry', async () => {
    expect((await get(port, '/first')).status).toBe(200);
    expect(await until(() => receiver('logs').logs.some((l) => l.body === '/first'))).toBe(true);
    expect(await until(() => receiver('traces').spans.length > 0)).toBe(true);
    expect(receiver('logs').refused).toEqual(['logs', 'logs']);
    expect(receiver('traces').refused).toEqual(['trace', 'trace']);
    // The sink without retry: its first export refused, the record lost.
    expect(await until(() => receiver('lossy').refused.length >= 1)).toBe(true);
    expect(receiver('lossy').logs.map((l) => l.body)).not.toContain('/first');
    const counted = await retries();
    expect(counted['accesslog-0']).toBe(2);
    expect(counted.tracing).toBe(2);
    expect(counted['accesslog-1'] ?? 0).toBe(0);
    // The access log service's stream, refused twice, opened on the third attempt.
    expect(await until(() => receiver('als').accessLogs.some((e) => e.path === '/first'))).toBe(
      true,
    );
    expect(receiver('als').refused).toEqual(['als', 'als']);
    expect((await retries())['accesslog-2']).toBe(2);
  }, 120_000);

  it('retries on the fallback priority after numAttemptsPerPriority attempts', async () => {
    const got = (name: string) => receiver(name).logs.some((l) => l.body === '/first');
    // After one refused attempt on the primary's priority, the retry goes to the fallback.
    expect(await until(() => got('moving-spare'))).toBe(true);
    expect(got('moving')).toBe(false);
    // Without it the retry stays on the primary, which answers the second time.
    expect(await until(() => got('staying'))).toBe(true);
    expect(got('staying-spare')).toBe(false);
  }, 60_000);
});
