// An external processor's fallback backendRef, through real Envoy: the processor's refs are Envoy
// priorities (Envoy Gateway's fallback Backends), so the `fallback` one takes no call while the
// other is healthy, and every call once failed calls eject the other (a passive health check: an
// active one waits out Envoy's 60 s no-traffic interval first). Both refs reach the one ext_proc
// stand-in through TCP forwarders that count connections. A policy with the same two refs and no
// fallback spreads its calls.
import type { Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Forwarder, forwarder } from '../internal/countingForwarder.js';
import type { EchoServer } from '../internal/echoServer.js';
import { startExtProcServer } from '../internal/extProcServer.js';
import { freePort } from '../internal/freePort.js';
import { startStaticEnvoy } from '../internal/staticEnvoy.js';
import {
  gatewayManifests,
  get,
  ok,
  route,
  service,
  sleep,
  startBackend,
} from './backendTrafficFixture.js';

const extensionPolicy = (name: string, primary: number, second: number, fallback: boolean) => `---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyExtensionPolicy
metadata: {name: ${name}, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: ${name}}]
  extProc:
  - backendRefs:
    - {name: ${name}-primary, port: ${primary}}
    - {name: ${name}-second, port: ${second}${fallback ? ', fallback: true' : ''}}
    processingMode: {request: {}, response: {}}
    backendSettings:
      healthCheck:
        passive: {consecutive5XxErrors: 2, interval: 1s, baseEjectionTime: 60s, maxEjectionPercent: 100}
`;

const processed = async (port: number, path: string) => {
  const reply = await get(port, path);
  return reply.status === 200 && reply.headers['x-response-ext-processed'] === 'true';
};

describe('[envoy] EnvoyExtensionPolicy processor fallback backendRefs', () => {
  const forwarders: Record<string, Forwarder> = {};
  const servers: Server[] = [];
  let processor: EchoServer | undefined;
  let stop: (() => Promise<void>) | undefined;
  let port = 0;

  beforeAll(async () => {
    const appPort = await freePort();
    port = await freePort();
    processor = await startExtProcServer('default', 'proc');
    servers.push(await startBackend('app', '127.0.0.1', appPort, ok));
    let text = `${gatewayManifests(port)}${service('app', appPort, ['127.0.0.1'])}`;
    for (const [name, fallback] of [
      ['fb', true],
      ['even', false],
    ] as const) {
      const [primary, second] = [await freePort(), await freePort()];
      forwarders[`${name}-primary`] = await forwarder(primary, processor.port);
      forwarders[`${name}-second`] = await forwarder(second, processor.port);
      text += `${service(`${name}-primary`, primary, ['127.0.0.1'])}${service(`${name}-second`, second, ['127.0.0.1'])}`;
      text += `${route(name, 'app', appPort)}${extensionPolicy(name, primary, second, fallback)}`;
    }
    const { envoy, statuses } = await startStaticEnvoy(text, 'extproc-fallback.yaml');
    stop = () => envoy.stop();
    const rejected = statuses.filter((s) => JSON.stringify(s.status).includes('"status":"False"'));
    expect(rejected.map((s) => JSON.stringify(s.status))).toEqual([]);
  }, 120_000);

  afterAll(async () => {
    await stop?.();
    await processor?.close();
    await Promise.all(Object.values(forwarders).map((f) => f.close()));
    await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
  });

  it('calls the fallback processor only once the other is unhealthy', async () => {
    for (let i = 0; i < 20; i++) {
      expect(await processed(port, '/fb')).toBe(true);
      expect(await processed(port, '/even')).toBe(true);
    }
    const [fbPrimary, fbSecond, evenPrimary, evenSecond] = [
      forwarders['fb-primary']!,
      forwarders['fb-second']!,
      forwarders['even-primary']!,
      forwarders['even-second']!,
    ];
    expect(fbPrimary.calls).toBeGreaterThan(0);
    expect(fbSecond.calls).toBe(0);
    // Without fallback both refs share the calls (least request over two healthy hosts).
    expect(evenPrimary.calls).toBeGreaterThan(0);
    expect(evenSecond.calls).toBeGreaterThan(0);

    await fbPrimary.close();
    // Failed calls eject the primary (passive health check); then the fallback serves.
    const deadline = Date.now() + 30_000;
    let served = false;
    while (!served && Date.now() < deadline) {
      served = fbSecond.calls > 0 && (await processed(port, '/fb'));
      if (!served) {
        await processed(port, '/fb');
        await sleep(500);
      }
    }
    expect(fbSecond.calls).toBeGreaterThan(0);
    expect(await processed(port, '/fb')).toBe(true);
  }, 90_000);
});
