// BackendTrafficPolicy `loadBalancer.type: BackendUtilization` through real Envoy, re-expressing
// Envoy Gateway's backend utilization e2e test: two local servers stand in for its ORCA-reporting
// backend, each sending an ORCA load report in the `endpoint-load-metrics` response header (TEXT
// form: equal request rates, CPU utilization 0.9 for `busy`, 0.1 for `idle`). Client-side weighted
// round robin weighs an endpoint by rate over utilization, so `idle` should get about 9 in 10
// requests once the weights are in; round robin splits them evenly.
// Out of band (`outOfBand`): two more endpoints send no headers but serve ORCA's OpenRcaService on
// a port of their own (grpc-js's ServerMetricRecorder, as a gRPC server reports its load), with
// the same utilizations; Envoy weighs them by the reports it pulls, and without `outOfBand`,
// having no reports at all, splits evenly. Without `port`, Envoy opens the stream on the
// endpoint's own port: two gRPC servers serve both the traffic (h2c) and the reports there.
import type { Server } from 'node:http';
import { loadResourcesFromText } from '@egts/api';
import { type EnvoyHandle, startEnvoy } from '@egts/envoy-binary';
import { translate } from '@egts/gatewayapi-translator';
import { bootstrapToJson, translateBootstrap } from '@egts/xds-translator';
import {
  Server as GrpcServer,
  ServerCredentials,
  ServerInterceptingCall,
  ServerMetricRecorder,
} from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../internal/freePort.js';
import {
  acceptedReasons,
  backendOf,
  closeAll,
  gatewayManifests,
  get,
  ok,
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

/**
 * An ORCA out-of-band reporter on `host`:`port` with CPU utilization `cpu`, recording the
 * :authority of each stream.
 */
const startOrcaService = async (host: string, port: number, cpu: number, authorities: string[]) => {
  const server = new GrpcServer({
    interceptors: [
      (_method, call) => {
        authorities.push(call.getHost());
        return new ServerInterceptingCall(call);
      },
    ],
  });
  const recorder = new ServerMetricRecorder();
  recorder.setCpuUtilizationMetric(cpu);
  recorder.setQpsMetric(10);
  recorder.addToServer(server);
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`${host}:${port}`, ServerCredentials.createInsecure(), (error) =>
      error ? reject(error) : resolve(),
    ),
  );
  return server;
};

describe('[envoy] BackendTrafficPolicy backend utilization', () => {
  const servers: Server[] = [];
  const orcaServers: GrpcServer[] = [];
  const authorities: string[] = [];
  const samePortAuthorities: string[] = [];
  let envoy: EnvoyHandle | undefined;
  let port = 0;
  let statuses: { kind: string; name: string; accepted: string | undefined }[] = [];

  beforeAll(async () => {
    const backendPort = await freePort();
    const [oobPort = 0, orcaPort = 0, grpcPort = 0] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
    ]);
    port = await freePort();
    servers.push(
      await startBackend('busy', '127.0.0.1', backendPort, report(0.9)),
      await startBackend('idle', '127.0.0.2', backendPort, report(0.1)),
      await startBackend('busy', '127.0.0.3', oobPort, ok),
      await startBackend('idle', '127.0.0.4', oobPort, ok),
    );
    orcaServers.push(
      await startOrcaService('127.0.0.3', orcaPort, 0.9, authorities),
      await startOrcaService('127.0.0.4', orcaPort, 0.1, authorities),
      await startOrcaService('127.0.0.5', grpcPort, 0.9, samePortAuthorities),
      await startOrcaService('127.0.0.6', grpcPort, 0.1, samePortAuthorities),
    );
    let text = gatewayManifests(port);
    for (const name of ['weighted', 'kept', 'plain'])
      text +=
        service(name, backendPort, ['127.0.0.1', '127.0.0.2']) + route(name, name, backendPort);
    for (const name of ['oob', 'nooob'])
      text += service(name, oobPort, ['127.0.0.3', '127.0.0.4']) + route(name, name, oobPort);
    text += policy(
      'oob',
      utilization(
        `      outOfBand: {reportingPeriod: 200ms, port: ${orcaPort}, authority: orca.egts.test}\n`,
      ),
    );
    text += policy('nooob', utilization(''));
    // h2c to the gRPC servers, which answer gRPC requests for unknown methods (grpc-status 12)
    // with 200.
    text += service('oobsame', grpcPort, ['127.0.0.5', '127.0.0.6']).replaceAll(
      `{name: http, port: ${grpcPort}}`,
      `{name: grpc, port: ${grpcPort}, appProtocol: kubernetes.io/h2c}`,
    );
    text += route('oobsame', 'oobsame', grpcPort);
    text += policy('oobsame', utilization('      outOfBand: {reportingPeriod: 200ms}\n'));
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
    for (const server of orcaServers) server.forceShutdown();
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

  it('outOfBand weighs endpoints by the reports of their ORCA streams', async () => {
    // Both streams open (on the port and with the authority given), reports every 200 ms.
    for (let i = 0; i < 100 && new Set(authorities).size === 0; i++) await sleep(50);
    await idleShare('oob', 20);
    await sleep(1_000);
    expect(await idleShare('oob', 200)).toBeGreaterThanOrEqual(75);
    expect(Math.abs((await idleShare('nooob', 200)) - 50)).toBeLessThanOrEqual(10);
    expect([...new Set(authorities)]).toEqual(['orca.egts.test']);
  });

  it('outOfBand without a port reports on the endpoint port', async () => {
    // Requests each endpoint served, from Envoy's host statistics (the servers answer alike).
    const served = async () => {
      const counts: Record<string, number> = {};
      for (const line of ((await envoy?.admin('/clusters')) ?? '').split('\n')) {
        const [cluster = '', address = '', key, value] = line.split('::');
        if (cluster.includes('/oobsame/') && key === 'rq_total')
          counts[address.replace(/:\d+$/, '')] = Number(value);
      }
      return counts;
    };
    for (let i = 0; i < 100 && new Set(samePortAuthorities).size < 2; i++) await sleep(50);
    const grpc = { 'content-type': 'application/grpc' };
    for (let i = 0; i < 20; i++) await get(port, '/oobsame', grpc);
    await sleep(1_000);
    const before = await served();
    for (let i = 0; i < 200; i++) expect((await get(port, '/oobsame', grpc)).status).toBe(200);
    const after = await served();
    const idle = (after['127.0.0.6'] ?? 0) - (before['127.0.0.6'] ?? 0);
    expect(idle).toBeGreaterThanOrEqual(150);
    // Envoy's default :authority there: the endpoint's address.
    expect([...new Set(samePortAuthorities.map((a) => a.replace(/:\d+$/, '')))].sort()).toEqual([
      '127.0.0.5',
      '127.0.0.6',
    ]);
  });
});
