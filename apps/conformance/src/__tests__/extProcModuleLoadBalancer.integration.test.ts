// An external processor's `backendSettings.loadBalancer.dynamicModule`, through real Envoy: the
// processor's cluster uses the `first_healthy` load balancer of the module the Gateway's
// EnvoyProxy registers (scripts/dynamic-module), so one of its two refs takes every call, where a
// policy with the same two refs and Envoy's default balancer spreads them. Both refs reach the
// one ext_proc stand-in through TCP forwarders that count connections. A policy naming a module
// the EnvoyProxy does not register is refused. Skipped where the test module is not built.
import type { Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Forwarder, forwarder } from '../internal/countingForwarder.js';
import { testDynamicModulePath } from '../internal/dynamicModule.js';
import type { EchoServer } from '../internal/echoServer.js';
import { startExtProcServer } from '../internal/extProcServer.js';
import { freePort } from '../internal/freePort.js';
import { startStaticEnvoy } from '../internal/staticEnvoy.js';
import { get, ok, route, service, startBackend } from './backendTrafficFixture.js';

/** The test module (scripts/setup-dynamic-module.sh), or undefined when it is not built. */
const modulePath = (() => {
  try {
    return testDynamicModulePath();
  } catch {
    return undefined;
  }
})();

const gateway = (port: number) => `apiVersion: gateway.networking.k8s.io/v1
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
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec: {gatewayClassName: eg, listeners: [{name: http, protocol: HTTP, port: ${port}}]}
`;

const extensionPolicy = (name: string, first: number, second: number, module?: string) => `---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyExtensionPolicy
metadata: {name: ${name}, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: ${name}}]
  extProc:
  - backendRefs:
    - {name: ${name}-first, port: ${first}}
    - {name: ${name}-second, port: ${second}}
    processingMode: {request: {}, response: {}}
${
  module
    ? `    backendSettings:
      loadBalancer:
        type: DynamicModule
        dynamicModule: {name: ${module}, lbPolicyName: first_healthy}
`
    : ''
}`;

const processed = async (port: number, path: string) => {
  const reply = await get(port, path);
  return reply.status === 200 && reply.headers['x-response-ext-processed'] === 'true';
};

if (modulePath === undefined)
  console.info('skipping the processor module load balancer test: the test module is not built');

describe.skipIf(modulePath === undefined)(
  '[envoy] EnvoyExtensionPolicy processor balanced by a dynamic module',
  () => {
    const forwarders: Record<string, Forwarder> = {};
    const servers: Server[] = [];
    let processor: EchoServer | undefined;
    let stop: (() => Promise<void>) | undefined;
    let port = 0;
    let statuses: Record<string, string> = {};

    beforeAll(async () => {
      const appPort = await freePort();
      port = await freePort();
      processor = await startExtProcServer('default', 'proc');
      servers.push(await startBackend('app', '127.0.0.1', appPort, ok));
      let text = `${gateway(port)}${service('app', appPort, ['127.0.0.1'])}`;
      for (const [name, module] of [
        ['picked', 'test-module'],
        ['spread', undefined],
        ['unregistered', 'absent-module'],
      ] as const) {
        const [first, second] = [await freePort(), await freePort()];
        forwarders[`${name}-first`] = await forwarder(first, processor.port);
        forwarders[`${name}-second`] = await forwarder(second, processor.port);
        text += `${service(`${name}-first`, first, ['127.0.0.1'])}${service(`${name}-second`, second, ['127.0.0.1'])}`;
        text += `${route(name, 'app', appPort)}${extensionPolicy(name, first, second, module)}`;
      }
      const started = await startStaticEnvoy(text, 'extproc-module-lb.yaml');
      stop = () => started.envoy.stop();
      statuses = Object.fromEntries(
        started.statuses
          .filter((s) => s.kind === 'EnvoyExtensionPolicy')
          .map((s) => [s.metadata.name, JSON.stringify(s.status)]),
      );
    }, 120_000);

    afterAll(async () => {
      await stop?.();
      await processor?.close();
      await Promise.all(Object.values(forwarders).map((f) => f.close()));
      await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
    });

    it("refuses a module the Gateway's EnvoyProxy does not register", () => {
      expect(statuses.picked).toContain('"reason":"Accepted"');
      expect(statuses.unregistered).toContain(
        'extProc[0].backendSettings.loadBalancer.dynamicModule: dynamic module \\"absent-module\\" is not registered',
      );
    });

    it("sends every call to the module's pick, where two refs would share them", async () => {
      for (let i = 0; i < 20; i++) {
        expect(await processed(port, '/picked')).toBe(true);
        expect(await processed(port, '/spread')).toBe(true);
      }
      const calls = (name: string) => [
        (forwarders[`${name}-first`] as Forwarder).calls,
        (forwarders[`${name}-second`] as Forwarder).calls,
      ];
      // first_healthy: one ref takes every call.
      expect(calls('picked').filter((n) => n > 0)).toHaveLength(1);
      // Without it both refs share the calls (least request over two healthy hosts).
      expect(calls('spread').filter((n) => n > 0)).toHaveLength(2);
    }, 90_000);
  },
);
