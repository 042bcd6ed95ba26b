// BackendTrafficPolicy `loadBalancer.type: BackendUtilization` through real Envoy, re-expressing
// Envoy Gateway's backend utilization e2e test: two local servers stand in for its ORCA-reporting
// backend, each sending an ORCA load report in the `endpoint-load-metrics` response header (TEXT
// form: equal request rates, CPU utilization 0.9 for `busy`, 0.1 for `idle`). Client-side weighted
// round robin weighs an endpoint by rate over utilization, so `idle` should get about 9 in 10
// requests once the weights are in; round robin splits them evenly.
import type { Server } from 'node:http';
import { loadResourcesFromText } from '@egts/api';
import { type EnvoyHandle, startEnvoy } from '@egts/envoy-binary';
import { translate } from '@egts/gatewayapi-translator';
import { bootstrapToJson, translateBootstrap } from '@egts/xds-translator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../internal/freePort.js';
import {
  acceptedReasons,
  backendOf,
  closeAll,
  gatewayManifests,
  get,
  policy,
  route,
  service,
  sleep,
  startBackend,
} from './backendTrafficFixture.js';

const report = (cpu: number) => () => ({
  status: 200,
  header: ['endpoint-load-metrics', `TEXT cpu_utilization=${cpu}, rps_fractional=10`] as [
    string,
    string,
  ],
});

const utilization = (extra: string) => `  loadBalancer:
    type: BackendUtilization
    backendUtilization:
      blackoutPeriod: 1ms
      weightUpdatePeriod: 100ms
${extra}`;

describe('[envoy] BackendTrafficPolicy backend utilization', () => {
  const servers: Server[] = [];
  let envoy: EnvoyHandle | undefined;
  let port = 0;
  let statuses: { kind: string; name: string; accepted: string | undefined }[] = [];

  beforeAll(async () => {
    const backendPort = await freePort();
    port = await freePort();
    servers.push(
      await startBackend('busy', '127.0.0.1', backendPort, report(0.9)),
      await startBackend('idle', '127.0.0.2', backendPort, report(0.1)),
    );
    let text = gatewayManifests(port);
    for (const name of ['weighted', 'kept', 'plain'])
      text +=
        service(name, backendPort, ['127.0.0.1', '127.0.0.2']) + route(name, name, backendPort);
    text += policy('weighted', utilization(''));
    text += policy('kept', utilization('      keepResponseHeaders: true\n'));
    text += policy('plain', '  loadBalancer: {type: RoundRobin}\n');
    const { resources } = loadResourcesFromText(text, 'backend-utilization.yaml');
    const result = translate(resources);
    statuses = acceptedReasons(result.statuses);
    const ir = result.xdsIR[0];
    if (ir === undefined) throw new Error('no xDS IR');
    envoy = startEnvoy({
      config: bootstrapToJson(translateBootstrap(ir, { adminPort: await freePort() })) as object,
      logLevel: 'warn',
    });
    await envoy.ready(60_000);
  }, 120_000);

  afterAll(async () => {
    await envoy?.stop();
    await closeAll(servers);
  });

  /** Share (percent) of `count` requests to /`path` that `idle` answered. */
  const idleShare = async (path: string, count: number): Promise<number> => {
    let idle = 0;
    for (let i = 0; i < count; i++) {
      const reply = await get(port, `/${path}`);
      expect(reply.status).toBe(200);
      if (backendOf(reply) === 'idle') idle += 1;
    }
    return (100 * idle) / count;
  };

  it('BackendUtilization weighs endpoints by the utilization they report', async () => {
    for (const name of ['weighted', 'kept', 'plain'])
      expect(statuses).toContainEqual({ kind: 'BackendTrafficPolicy', name, accepted: 'Accepted' });
    // Reports from both endpoints, then time for a weight update (every 100 ms; more under load).
    await idleShare('weighted', 20);
    await sleep(1_000);
    expect(await idleShare('weighted', 200)).toBeGreaterThanOrEqual(75);
    expect(Math.abs((await idleShare('plain', 200)) - 50)).toBeLessThanOrEqual(10);
  });

  it('ORCA report headers are removed from responses unless kept', async () => {
    expect((await get(port, '/weighted')).headers['endpoint-load-metrics']).toBeUndefined();
    expect((await get(port, '/kept')).headers['endpoint-load-metrics']).toMatch(/cpu_utilization/);
    expect((await get(port, '/plain')).headers['endpoint-load-metrics']).toMatch(/cpu_utilization/);
  });
});
