// An EnvoyProxy telemetry service's `backendSettings.loadBalancer.dynamicModule`, through real
// Envoy: the OpenTelemetry access log sink's and the tracer's clusters use the `first_healthy`
// load balancer of the module the EnvoyProxy registers (scripts/dynamic-module), so every export
// goes to one of their two collectors, where any other policy spreads them (the weighted sink of
// telemetryBackendRefs.integration.test.ts). Skipped where the test module is not built.
import { existsSync } from 'node:fs';
import type { EnvoyHandle } from '@egts/envoy-binary';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDynamicModulePath } from '../internal/dynamicModule.js';
import { type EchoServer, startEchoServer } from '../internal/echoServer.js';
import { freePort } from '../internal/freePort.js';
import { startTelemetryReceiver, type TelemetryReceiver } from '../internal/otlpReceiver.js';
import { get, sleep } from './backendTrafficFixture.js';
import {
  collectorRef as ref,
  startTelemetryEnvoy,
  telemetryManifests,
} from './telemetryFixture.js';

/** The test module (scripts/setup-dynamic-module.sh), or undefined when it is not built. */
const modulePath = (() => {
  try {
    return testDynamicModulePath();
  } catch {
    return undefined;
  }
})();

/** The module's `first_healthy` load balancer: every call to the first healthy endpoint. */
const moduleBalanced = (indent: string) => `
${indent}backendSettings:
${indent}  loadBalancer:
${indent}    type: DynamicModule
${indent}    dynamicModule: {name: test-module, lbPolicyName: first_healthy}`;

const proxySpec = `  dynamicModules:
  - {name: test-module, source: {type: Local, local: {path: ${modulePath}}}}
  telemetry:
    tracing:
      samplingRate: 100
      provider:
        type: OpenTelemetry
        backendRefs: [${ref('one')}, ${ref('two')}]${moduleBalanced('        ')}
    accessLog:
      settings:
      - format: {type: Text, text: "%REQ(X-PAD)%"}
        sinks:
        - type: OpenTelemetry
          openTelemetry:
            backendRefs: [${ref('one')}, ${ref('two')}]${moduleBalanced('            ')}`;

if (modulePath === undefined)
  console.info('skipping the telemetry module load balancer test: the test module is not built');

describe.skipIf(modulePath === undefined || !existsSync(modulePath))(
  '[envoy] EnvoyProxy telemetry services balanced by a dynamic module',
  () => {
    const receivers: Record<string, TelemetryReceiver> = {};
    let echo: EchoServer;
    let envoy: EnvoyHandle | undefined;
    let port = 0;
    let status = '';

    beforeAll(async () => {
      for (const name of ['one', 'two']) receivers[name] = await startTelemetryReceiver();
      echo = await startEchoServer('default', 'echo');
      port = await freePort();
      const collectors = Object.fromEntries(
        Object.entries(receivers).map(([name, r]) => [name, r.grpcPort]),
      );
      ({ envoy, status } = await startTelemetryEnvoy(
        telemetryManifests(port, echo.port, proxySpec, collectors),
        'telemetry-module-lb.yaml',
      ));
    }, 120_000);

    afterAll(async () => {
      await envoy?.stop();
      for (const receiver of Object.values(receivers)) await receiver.close();
      await echo?.close();
    });

    const exports = (service: string) =>
      Object.values(receivers).map((r) => r.calls.filter((c) => c.service === service).length);

    it('is accepted with every field applied', () => {
      expect(status).toContain('"reason":"Accepted"');
      expect(status).not.toContain('dynamicModule');
    });

    it("sends every export to the module's pick, where two backends would share them", async () => {
      // Records of ~5 kB fill the logger's 16 kB buffer every few requests: many exports.
      const pad = 'x'.repeat(5_000);
      for (let i = 0; i < 60; i++)
        expect((await get(port, `/lb/${i}`, { 'x-pad': pad })).status).toBe(200);
      for (let i = 0; i < 100 && exports('logs').reduce((a, b) => a + b) < 10; i++)
        await sleep(100);
      for (let i = 0; i < 100 && exports('trace').reduce((a, b) => a + b) < 5; i++)
        await sleep(100);
      await sleep(1_000);
      const [logs, spans] = [exports('logs'), exports('trace')];
      expect(logs.reduce((a, b) => a + b)).toBeGreaterThanOrEqual(10);
      expect(spans.reduce((a, b) => a + b)).toBeGreaterThanOrEqual(5);
      // first_healthy: one collector takes them all.
      expect(logs.filter((n) => n > 0)).toHaveLength(1);
      expect(spans.filter((n) => n > 0)).toHaveLength(1);
    }, 120_000);
  },
);
