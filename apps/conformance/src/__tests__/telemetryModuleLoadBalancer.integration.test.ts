// An EnvoyProxy telemetry service's `backendSettings.loadBalancer.dynamicModule`, through real
// Envoy: the OpenTelemetry access log sink's and the tracer's clusters use the `first_healthy`
// load balancer of the module the EnvoyProxy registers (scripts/dynamic-module), so every export
// goes to one of their two collectors, where any other policy spreads them (the weighted sink of
// telemetryBackendRefs.integration.test.ts). Skipped where the test module is not built.
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { loadResourcesFromText } from '@egts/api';
import { type EnvoyHandle, startEnvoy } from '@egts/envoy-binary';
import { translate } from '@egts/gatewayapi-translator';
import { bootstrapToJson, translateBootstrap } from '@egts/xds-translator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDynamicModulePath } from '../internal/dynamicModule.js';
import { type EchoServer, startEchoServer } from '../internal/echoServer.js';
import { freePort } from '../internal/freePort.js';
import { startTelemetryReceiver, type TelemetryReceiver } from '../internal/otlpReceiver.js';

const get = (port: number, path: string, headers: Record<string, string> = {}): Promise<number> =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const collector = (name: string, port: number) => `---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: monitoring}
spec: {ports: [{name: grpc, port: 4317}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ${name}-1, namespace: monitoring, labels: {kubernetes.io/service-name: ${name}}}
addressType: IPv4
endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
ports: [{name: grpc, port: ${port}}]
`;

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

const ref = (name: string) => `{name: ${name}, namespace: monitoring, port: 4317}`;

const manifests = (port: number, echoPort: number, collectors: Record<string, number>) => `
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
  dynamicModules:
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
            backendRefs: [${ref('one')}, ${ref('two')}]${moduleBalanced('            ')}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec: {gatewayClassName: eg, listeners: [{name: http, protocol: HTTP, port: ${port}}]}
${Object.entries(collectors)
  .map(([name, collectorPort]) => collector(name, collectorPort))
  .join('')}---
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
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: echo, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: echo, port: 8080}]}]
`;

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
      const { resources, problems } = loadResourcesFromText(
        manifests(port, echo.port, collectors),
        'telemetry-module-lb.yaml',
      );
      if (problems.length > 0) throw new Error(JSON.stringify(problems));
      const result = translate(resources);
      status = JSON.stringify(result.statuses.filter((s) => s.kind === 'EnvoyProxy'));
      const ir = result.xdsIR[0];
      if (ir === undefined) throw new Error('no xDS IR');
      envoy = startEnvoy({
        config: bootstrapToJson(translateBootstrap(ir)) as object,
        logLevel: 'warn',
      });
      await envoy.ready(60_000);
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
      for (let i = 0; i < 60; i++) expect(await get(port, `/lb/${i}`, { 'x-pad': pad })).toBe(200);
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
