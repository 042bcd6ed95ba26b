// BackendTrafficPolicy health checks and upstream connection timeouts, each through real Envoy and
// each against a route without the setting (or with the endpoint it must tell apart), so that the
// result changes when the setting is gone:
// - active HTTP checks with a method, a Host, a request body and an expected body: only the
//   endpoint answering that exact check keeps traffic;
// - passive checks (outlier detection): consecutive 5xx, or consecutive gateway errors, eject the
//   endpoint answering them; connection failures counted apart (split) eject one that refuses;
// - connectionIdleTimeout and maxConnectionDuration close upstream connections, so the backend
//   sees a new one for the next request; maxRequestsPerConnection 1 does so for every request;
// - maxStreamDuration cuts a slow upstream stream; tcpKeepalive sets SO_KEEPALIVE (seen with `ss`,
//   from iproute2, which the machine image has).
import { execFileSync } from 'node:child_process';
import type { Server } from 'node:http';
import type { EnvoyHandle } from '@egts/envoy-binary';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../internal/freePort.js';
import {
  backendOf,
  closeAll,
  gatewayManifests,
  get,
  type Handler,
  ok,
  policy,
  route,
  service,
  sleep,
  startBackend,
  startTranslated,
} from './backendTrafficFixture.js';

const roundRobin = '  loadBalancer: {type: RoundRobin}\n';

const active = `${roundRobin}  healthCheck:
    active:
      type: HTTP
      interval: 300ms
      timeout: 1s
      unhealthyThreshold: 1
      healthyThreshold: 1
      http:
        path: /healthz
        method: POST
        hostname: health.example
        requestBody: {type: Text, text: are-you-ok}
        expectedStatuses: [200]
        expectedResponse: {type: Text, text: healthy}
`;

/**
 * Connection failures (local origin) counted on their own, ejecting after 2 in a row; `split`
 * false: counted with the 5xx, whose threshold is out of reach.
 */
const localOrigin = (split: boolean) => `${roundRobin}  healthCheck:
    passive:
      splitExternalLocalOriginErrors: ${split}
      consecutiveLocalOriginFailures: 2
      consecutive5XxErrors: 1000
      consecutiveGatewayErrors: 1000
      baseEjectionTime: 300s
      maxEjectionPercent: 100
`;

/** Outlier detection ejecting after 2 `field` errors in a row (5xx counted only when named). */
const passive = (
  field: 'consecutive5XxErrors' | 'consecutiveGatewayErrors',
) => `${roundRobin}  healthCheck:
    passive:
      ${field === 'consecutive5XxErrors' ? 'consecutive5XxErrors: 2' : 'consecutiveGatewayErrors: 2\n      consecutive5XxErrors: 1000'}
      interval: 1s
      baseEjectionTime: 300s
      maxEjectionPercent: 100
`;

describe('[envoy] BackendTrafficPolicy health checks and upstream connection timeouts', () => {
  const servers: Server[] = [];
  let envoy: EnvoyHandle | undefined;
  let port = 0;
  /** The backend both /keep (no keepalive) and /alive (tcpKeepalive) reach. */
  let alivePort = 0;
  let statuses: { kind: string; name: string; accepted: string | undefined }[] = [];
  /** Connections each connection-counting backend accepted. */
  const connections = new Map<string, number>();
  /** Method and Host of the health checks each backend answered. */
  const checks = new Map<string, string[]>();

  /** Method and Host of the last request each backend got (Node hands the handler neither). */
  const lastRequest = new Map<string, string>();

  /** A backend answering its health checks 200 with "healthy" when `healthy(method, host)`. */
  const checkedBackend = async (
    name: string,
    host: string,
    backendPort: number,
    healthy: (method: string, host: string, body: string) => boolean,
  ) => {
    const handler: Handler = (path, _headers, body) => {
      if (path !== '/healthz') return { status: 200 };
      const [method = '', hostHeader = ''] = (lastRequest.get(name) ?? '').split(' ');
      checks.set(name, [...(checks.get(name) ?? []), `${method} ${hostHeader} ${body}`]);
      return {
        status: 200,
        body: healthy(method, hostHeader, body.toString()) ? 'healthy' : 'sick',
      };
    };
    const server = await startBackend(name, host, backendPort, handler);
    server.prependListener('request', (req) =>
      lastRequest.set(name, `${req.method ?? ''} ${req.headers.host ?? ''}`),
    );
    return server;
  };

  const counted = async (name: string, backendPort: number) => {
    const server = await startBackend(name, '127.0.0.1', backendPort, ok);
    connections.set(name, 0);
    server.on('connection', () => connections.set(name, (connections.get(name) ?? 0) + 1));
    return server;
  };

  beforeAll(async () => {
    port = await freePort();
    const [
      checkPort = 0,
      fivePort = 0,
      gatewayErrPort = 0,
      idlePort = 0,
      keepPort = 0,
      agePort = 0,
      perConnectionPort = 0,
      slowPort = 0,
      refusingPort = 0,
    ] = await Promise.all(Array.from({ length: 9 }, () => freePort()));
    alivePort = keepPort;
    servers.push(
      // Only the first answers "healthy", and only to POST of are-you-ok to Host health.example.
      await checkedBackend(
        'strict',
        '127.0.0.1',
        checkPort,
        (method, host, body) =>
          method === 'POST' && host === 'health.example' && body === 'are-you-ok',
      ),
      await checkedBackend('lenient', '127.0.0.2', checkPort, () => false),
      await startBackend('five-ok', '127.0.0.1', fivePort, ok),
      await startBackend('five-bad', '127.0.0.2', fivePort, () => ({ status: 500 })),
      await startBackend('gw-ok', '127.0.0.1', gatewayErrPort, ok),
      await startBackend('gw-bad', '127.0.0.2', gatewayErrPort, () => ({ status: 503 })),
      await counted('idle', idlePort),
      await counted('keep', keepPort),
      await counted('age', agePort),
      await counted('perconn', perConnectionPort),
      // 127.0.0.2 listens on no refusingPort: connecting there fails (a local origin error).
      await startBackend('reachable', '127.0.0.1', refusingPort, ok),
      await startBackend('slow', '127.0.0.1', slowPort, () => ({ status: 200, delayMs: 1_500 })),
    );
    const text = `${gatewayManifests(port)}${service('checked', checkPort, ['127.0.0.1', '127.0.0.2'])}${service('five', fivePort, ['127.0.0.1', '127.0.0.2'])}${service('gwerr', gatewayErrPort, ['127.0.0.1', '127.0.0.2'])}${service('idle', idlePort, ['127.0.0.1'])}${service('keep', keepPort, ['127.0.0.1'])}${service('age', agePort, ['127.0.0.1'])}${service('perconn', perConnectionPort, ['127.0.0.1'])}${service('slow', slowPort, ['127.0.0.1'])}${service('refusing', refusingPort, ['127.0.0.1', '127.0.0.2'])}${route('localsplit', 'refusing', refusingPort)}${route('localjoined', 'refusing', refusingPort)}${route('perconn', 'perconn', perConnectionPort)}${route('stream', 'slow', slowPort)}${route('unbounded', 'slow', slowPort)}${route('alive', 'keep', keepPort)}${route('active', 'checked', checkPort)}${route('unchecked', 'checked', checkPort)}${route('passive5xx', 'five', fivePort)}${route('plain5xx', 'five', fivePort)}${route('passivegw', 'gwerr', gatewayErrPort)}${route('idle', 'idle', idlePort)}${route('keep', 'keep', keepPort)}${route('age', 'age', agePort)}${policy(
      'active',
      active,
    )}${policy('unchecked', roundRobin)}${policy('passive5xx', passive('consecutive5XxErrors'))}${policy(
      'plain5xx',
      roundRobin,
    )}${policy('passivegw', passive('consecutiveGatewayErrors'))}${policy(
      'idle',
      '  timeout: {http: {connectionIdleTimeout: 500ms}}\n',
    )}${policy('age', '  timeout: {http: {maxConnectionDuration: 500ms}}\n')}${policy(
      'perconn',
      '  circuitBreaker: {maxRequestsPerConnection: 1}\n',
    )}${policy('localsplit', localOrigin(true))}${policy('localjoined', localOrigin(false))}${policy('stream', '  timeout: {http: {maxStreamDuration: 300ms}}\n')}${policy(
      'alive',
      '  tcpKeepalive: {idleTime: 45s, interval: 5s, probes: 3}\n',
    )}`;
    ({ envoy, statuses } = await startTranslated(text, 'health.yaml'));
  }, 120_000);

  afterAll(async () => {
    await envoy?.stop();
    await closeAll(servers);
  });

  /** Which backends answered `n` requests to `path`. */
  const answeredBy = async (path: string, n: number) => {
    const names = new Set<string>();
    for (let i = 0; i < n; i++) names.add(backendOf(await get(port, path)) ?? 'none');
    return [...names].sort();
  };

  it('accepts every policy', () => {
    for (const name of [
      'active',
      'unchecked',
      'passive5xx',
      'plain5xx',
      'passivegw',
      'idle',
      'age',
    ])
      expect(statuses).toContainEqual({ kind: 'BackendTrafficPolicy', name, accepted: 'Accepted' });
  });

  it('active HTTP checks use the method, Host, request body and expected body given', async () => {
    // Both endpoints answer 200; only the first answers "healthy", and only to POST of
    // are-you-ok with Host health.example. Until both were checked, both may serve.
    let streak = 0;
    for (let i = 0; i < 300 && streak < 10; i++) {
      const reply = await get(port, '/active');
      streak = backendOf(reply) === 'strict' ? streak + 1 : 0;
      if (streak === 0) await sleep(100);
    }
    expect(streak).toBe(10);
    expect(checks.get('strict')?.at(-1)).toBe('POST health.example are-you-ok');
    // The route without checks keeps both.
    expect(await answeredBy('/unchecked', 10)).toEqual(['lenient', 'strict']);
  });

  it('passive checks eject an endpoint after consecutive 5xx or gateway errors', async () => {
    // Round robin: the failing endpoint answers every other request until ejected.
    for (const [path, good] of [
      ['/passive5xx', 'five-ok'],
      ['/passivegw', 'gw-ok'],
    ] as const) {
      for (let i = 0; i < 6; i++) await get(port, path);
      const after = [];
      for (let i = 0; i < 10; i++) after.push((await get(port, path)).status);
      expect(after, path).toEqual(Array(10).fill(200));
      expect(await answeredBy(path, 5)).toEqual([good]);
    }
    // Without outlier detection the failing endpoint keeps its share.
    const plain = [];
    for (let i = 0; i < 10; i++) plain.push((await get(port, '/plain5xx')).status);
    expect(plain).toContain(500);
  });

  it('local origin failures, split from the 5xx, eject an unreachable endpoint', async () => {
    // Round robin: every other request goes to the endpoint that refuses connections (503).
    for (let i = 0; i < 6; i++) await get(port, '/localsplit');
    const after = [];
    for (let i = 0; i < 10; i++) after.push((await get(port, '/localsplit')).status);
    expect(after).toEqual(Array(10).fill(200));
    // Not split, the failures count with the 5xx (threshold 1000): the endpoint stays in.
    const joined = [];
    for (let i = 0; i < 16; i++) joined.push((await get(port, '/localjoined')).status);
    expect(joined).toContain(503);
  });

  it('connectionIdleTimeout and maxConnectionDuration close upstream connections', async () => {
    for (const path of ['/idle', '/keep', '/age']) expect((await get(port, path)).status).toBe(200);
    await sleep(1_500);
    for (const path of ['/idle', '/keep', '/age']) expect((await get(port, path)).status).toBe(200);
    // Idle (or aged) past 500 ms: closed, so the second request came on a new connection.
    expect(connections.get('idle')).toBe(2);
    expect(connections.get('age')).toBe(2);
    // Envoy's default idle timeout is an hour: the connection is reused.
    expect(connections.get('keep')).toBe(1);
  });

  it('maxRequestsPerConnection 1 gives every request its own upstream connection', async () => {
    for (let i = 0; i < 3; i++) expect((await get(port, '/perconn')).status).toBe(200);
    expect(connections.get('perconn')).toBe(3);
  });

  it('maxStreamDuration cuts an upstream stream that lasts longer', async () => {
    // The backend answers after 1.5 s: past 300 ms Envoy gives up; without the setting it waits.
    expect((await get(port, '/stream')).status).not.toBe(200);
    expect((await get(port, '/unbounded')).status).toBe(200);
  });

  it('tcpKeepalive turns on keepalive probes on upstream sockets', async () => {
    // /alive and /keep reach one backend through two clusters: only /alive's socket has
    // SO_KEEPALIVE (ss shows its keepalive timer, at the 45 s idle time).
    await get(port, '/keep');
    await get(port, '/alive');
    const sockets = execFileSync('ss', ['-tnoH', 'dst', `127.0.0.1:${alivePort}`], {
      encoding: 'utf8',
    })
      .split('\n')
      .filter((line) => line.includes('ESTAB'));
    const timers = sockets.map((line) => /timer:\((\w+),(\d+)/.exec(line)?.slice(1) ?? []);
    expect(timers.filter(([kind]) => kind === 'keepalive').length).toBe(1);
    expect(sockets.length).toBe(2);
    const seconds = Number(timers.find(([kind]) => kind === 'keepalive')?.[1]);
    expect(seconds).toBeGreaterThan(30);
  });
});
