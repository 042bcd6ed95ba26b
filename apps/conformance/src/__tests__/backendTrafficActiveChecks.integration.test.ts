// BackendTrafficPolicy active health check settings through real Envoy, each against a route
// without the setting, read from Envoy's view of its endpoints (admin /clusters) and from what the
// local backends saw:
// - http.retriableStatuses: a healthy endpoint whose checks start answering 503 stays in while
//   503 is retriable (it counts toward the unhealthy threshold); otherwise one 503 takes it out;
// - initialJitter: the first checks of twelve endpoints spread over the jitter; without it they
//   come together;
// - grpc: Envoy asks grpc.health.v1.Health/Check for the service named, and the endpoint answering
//   NOT_SERVING for it is out; checked for the server as a whole (no service), both are in.
// Envoy checks a cluster that never had traffic only every 60 s (no_traffic_interval), so the
// retriable check runs on an endpoint its name gains after a request went through (a Backend
// resolved by the DNS stand-in): Envoy checks that one at once and then at the interval.
import type { Server as HttpServer } from 'node:http';
import type { EnvoyHandle } from '@egts/envoy-binary';
import { Server, ServerCredentials, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../internal/freePort.js';
import {
  closeAll,
  gatewayManifests,
  get,
  ok,
  policy,
  route,
  service,
  sleep,
  startBackend,
  startTranslated,
} from './backendTrafficFixture.js';
import { type RecordingDns, resolveThrough, startRecordingDns } from './recordingDns.js';

/** An active HTTP check of `path` every 200 ms, out only after 1000 failures in a row. */
const httpCheck = (path: string, extra = '') => `  loadBalancer: {type: RoundRobin}
  dns: {dnsRefreshRate: 250ms}
  healthCheck:
    active:
      type: HTTP
      interval: 200ms
      timeout: 1s
      unhealthyThreshold: 1000
      healthyThreshold: 1
      http:
        path: ${path}
${extra}`;

/** A Backend `<name>.egts.test:<port>` and a route `/<name>` to it. */
const named = (name: string, port: number) => `---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: {name: ${name}, namespace: default}
spec: {endpoints: [{fqdn: {hostname: ${name}.egts.test, port: ${port}}}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules: [{matches: [{path: {type: PathPrefix, value: /${name}}}], backendRefs: [{group: gateway.envoyproxy.io, kind: Backend, name: ${name}}]}]
`;

/** An h2c Service (gRPC checks need HTTP/2 to the endpoints) on `addresses`. */
const h2cService = (name: string, port: number, addresses: string[]) =>
  service(name, port, addresses).replaceAll(
    `{name: http, port: ${port}}`,
    `{name: grpc, port: ${port}, appProtocol: kubernetes.io/h2c}`,
  );

const JITTERED = 12;
const JITTER_MS = 12_000;

/**
 * A grpc.health.v1.Health server on `host`:`port` answering SERVING, or NOT_SERVING for the
 * services in `down`; it records the service each check named. The messages are one field each:
 * HealthCheckRequest.service (1, string), HealthCheckResponse.status (1, enum; 1 SERVING, 2
 * NOT_SERVING).
 */
const startHealthServer = async (
  host: string,
  port: number,
  down: string[],
  asked: string[],
): Promise<Server> => {
  const server = new Server();
  const raw = (b: Buffer) => b;
  server.addService(
    {
      Check: {
        path: '/grpc.health.v1.Health/Check',
        requestStream: false,
        responseStream: false,
        requestSerialize: raw,
        requestDeserialize: raw,
        responseSerialize: raw,
        responseDeserialize: raw,
      },
    },
    {
      Check: (call: ServerUnaryCall<Buffer, Buffer>, done: sendUnaryData<Buffer>) => {
        // Field 1, length-delimited: tag byte, length byte, then the name (short names only).
        const name = call.request.length > 2 ? call.request.subarray(2).toString() : '';
        asked.push(name);
        done(null, Buffer.from([0x08, down.includes(name) ? 2 : 1]));
      },
    },
  );
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`${host}:${port}`, ServerCredentials.createInsecure(), (error) =>
      error ? reject(error) : resolve(),
    ),
  );
  return server;
};

describe('[envoy] BackendTrafficPolicy active health check settings', () => {
  const servers: HttpServer[] = [];
  const grpcServers: Server[] = [];
  let dns: RecordingDns | undefined;
  let envoy: EnvoyHandle | undefined;
  let port = 0;
  let statuses: { kind: string; name: string; accepted: string | undefined }[] = [];
  /** The status the flaky endpoint answers its checks with. */
  let checkStatus = 200;
  /** Checks the flaky endpoint got, by path. */
  const checks = new Map<string, number>();
  /** When each jittered endpoint got its first check, by check path and endpoint. */
  const firstChecks = new Map<string, Map<string, number>>();
  /** The service names each gRPC health server was asked about. */
  const askedA: string[] = [];
  const askedB: string[] = [];

  /** Envoy's health flags of route `name`'s endpoints, by address without the port. */
  const health = async (name: string): Promise<Record<string, string>> => {
    if (envoy === undefined) throw new Error('no Envoy');
    const flags: Record<string, string> = {};
    for (const line of (await envoy.admin('/clusters')).split('\n')) {
      const [cluster = '', address = '', key, value = ''] = line.split('::');
      if (cluster.includes(`/${name}/`) && key === 'health_flags')
        flags[address.replace(/:\d+$/, '')] = value;
    }
    return flags;
  };

  beforeAll(async () => {
    port = await freePort();
    const [flakyPort = 0, jitterPort = 0, grpcPort = 0] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
    ]);
    servers.push(
      await startBackend('anchor', '127.0.0.1', flakyPort, ok),
      await startBackend('flaky', '127.0.0.3', flakyPort, (path) => {
        checks.set(path, (checks.get(path) ?? 0) + 1);
        return { status: path.startsWith('/hc') ? checkStatus : 200 };
      }),
    );
    for (let i = 1; i <= JITTERED; i++)
      servers.push(
        await startBackend(`j${i}`, `127.0.0.${i}`, jitterPort, (path) => {
          const first = firstChecks.get(path) ?? new Map<string, number>();
          if (!first.has(`j${i}`)) first.set(`j${i}`, Date.now());
          firstChecks.set(path, first);
          return { status: 200 };
        }),
      );
    grpcServers.push(
      await startHealthServer('127.0.0.1', grpcPort, [], askedA),
      await startHealthServer('127.0.0.2', grpcPort, ['egts.Echo'], askedB),
    );
    dns = await startRecordingDns();
    for (const name of ['retried', 'strict'])
      dns.records.set(`${name}.egts.test`, { a: ['127.0.0.1'] });
    let text = gatewayManifests(port);
    text += named('retried', flakyPort) + named('strict', flakyPort);
    text += policy('retried', httpCheck('/hc-retried', '        retriableStatuses: [503]\n'));
    text += policy('strict', httpCheck('/hc-strict'));
    const addresses = Array.from({ length: JITTERED }, (_, i) => `127.0.0.${i + 1}`);
    text += service('jitter', jitterPort, addresses);
    text += route('jittered', 'jitter', jitterPort) + route('prompt', 'jitter', jitterPort);
    const once = (path: string, jitter: string) => `  healthCheck:
    active: {type: HTTP, interval: 60s, timeout: 5s, unhealthyThreshold: 3, healthyThreshold: 1, http: {path: ${path}}${jitter}}
`;
    text += policy('jittered', once('/first-jittered', `, initialJitter: ${JITTER_MS / 1000}s`));
    text += policy('prompt', once('/first-prompt', ''));
    text += h2cService('grpc', grpcPort, ['127.0.0.1', '127.0.0.2']);
    text += route('grpcnamed', 'grpc', grpcPort) + route('grpcwhole', 'grpc', grpcPort);
    const grpcCheck = (grpc: string) => `  healthCheck:
    active: {type: GRPC, interval: 60s, timeout: 5s, unhealthyThreshold: 1, healthyThreshold: 1${grpc}}
`;
    text += policy('grpcnamed', grpcCheck(', grpc: {service: egts.Echo}'));
    text += policy('grpcwhole', grpcCheck(''));
    ({ envoy, statuses } = await startTranslated(
      text,
      'active-checks.yaml',
      resolveThrough(dns.port),
    ));
  }, 120_000);

  afterAll(async () => {
    await envoy?.stop();
    await dns?.close();
    for (const server of grpcServers) server.forceShutdown();
    await closeAll(servers);
  });

  it('policies are accepted', () => {
    for (const name of ['retried', 'strict', 'jittered', 'prompt', 'grpcnamed', 'grpcwhole'])
      expect(statuses).toContainEqual({ kind: 'BackendTrafficPolicy', name, accepted: 'Accepted' });
  });

  it('retriableStatuses counts a retriable failure toward the threshold', async () => {
    // Traffic first, then the flaky endpoint joins both routes and passes its first check.
    for (const name of ['retried', 'strict'])
      expect((await get(port, `/${name}`)).status).toBe(200);
    for (const name of ['retried', 'strict'])
      dns?.records.set(`${name}.egts.test`, { a: ['127.0.0.1', '127.0.0.3'] });
    const flaky = async (name: string) => (await health(name))['127.0.0.3'];
    for (let i = 0; i < 200; i++) {
      if ((await flaky('retried')) === 'healthy' && (await flaky('strict')) === 'healthy') break;
      await sleep(50);
    }
    expect([await flaky('retried'), await flaky('strict')]).toEqual(['healthy', 'healthy']);
    checkStatus = 503;
    const before = checks.get('/hc-retried') ?? 0;
    for (let i = 0; i < 200 && (checks.get('/hc-retried') ?? 0) < before + 5; i++) await sleep(50);
    expect(checks.get('/hc-retried') ?? 0).toBeGreaterThanOrEqual(before + 5);
    // Five 503s in a row, retriable, far from 1000: still in. Not retriable: out at the first.
    expect(await flaky('retried')).toBe('healthy');
    expect(await flaky('strict')).toBe('/failed_active_hc');
  });

  it('initialJitter spreads the first checks over the jitter', () => {
    const spread = (path: string) => {
      const times = [...(firstChecks.get(path)?.values() ?? [])];
      expect(times.length, path).toBe(JITTERED);
      return Math.max(...times) - Math.min(...times);
    };
    // Twelve draws from [0, 12 s) all within 3 s of each other: about 2 in a million.
    expect(spread('/first-jittered')).toBeGreaterThan(3_000);
    expect(spread('/first-prompt')).toBeLessThan(3_000);
  });

  it('grpc checks ask for the service named', async () => {
    expect({ named: await health('grpcnamed'), whole: await health('grpcwhole') }).toEqual({
      named: { '127.0.0.1': 'healthy', '127.0.0.2': '/failed_active_hc' },
      whole: { '127.0.0.1': 'healthy', '127.0.0.2': 'healthy' },
    });
    // Each server was asked about the service by one cluster, and about itself by the other.
    for (const asked of [askedA, askedB])
      expect([...new Set(asked)].sort()).toEqual(['', 'egts.Echo']);
  });
});
