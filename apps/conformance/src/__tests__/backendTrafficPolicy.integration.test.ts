// BackendTrafficPolicy through real Envoy: manifests -> egts's translators -> a static bootstrap ->
// Envoy, with local Node backends standing in for pods. Retries reach a backend that fails first,
// the local rate limit answers 429 past its budget (per user and per distinct header value),
// active health checks take a failing endpoint out, consistent hashing pins a user to one
// endpoint, circuit breakers reject requests over the limit, request timeouts cut slow backends
// and an invalid policy makes its route answer 500 (Envoy Gateway's behaviour).
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { loadResourcesFromText } from '@egts/api';
import { type EnvoyHandle, validateEnvoyConfig } from '@egts/envoy-binary';
import { translate } from '@egts/gatewayapi-translator';
import { bootstrapToJson, translateBootstrap } from '@egts/xds-translator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../internal/freePort.js';
import {
  backendOf,
  closeAll,
  gatewayManifests,
  get,
  ok,
  policy,
  route,
  seen,
  service,
  sleep,
  startBackend,
  startTranslated,
} from './backendTrafficFixture.js';

/** A backend that switches any connection asking to upgrade (101), then echoes bytes. */
const startUpgrader = (port: number): Promise<Server> =>
  new Promise((resolve, reject) => {
    const server = createServer((_req, res) => res.end('not upgraded'));
    server.on('upgrade', (req, socket) => {
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${String(req.headers.upgrade)}\r\n\r\n`,
      );
      socket.pipe(socket);
    });
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });

/** The status Envoy answers an upgrade to `protocol` on `path` with. */
const upgradeStatus = (port: number, path: string, protocol: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer to the upgrade')));
    socket.once('data', (chunk: Buffer) => {
      socket.destroy();
      resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(chunk.toString('latin1'))?.[1] ?? 0));
    });
    socket.once('error', reject);
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: www.example.com\r\nConnection: Upgrade\r\nUpgrade: ${protocol}\r\n\r\n`,
    );
  });

/** How many times each x-id was seen by the flaky backend (it fails the first). */
const attempts = new Map<string, number>();

describe('[envoy] BackendTrafficPolicy through a translated bootstrap', () => {
  const servers: Server[] = [];
  let envoy: EnvoyHandle | undefined;
  let port = 0;
  let statuses: { kind: string; name: string; accepted: string | undefined }[] = [];

  beforeAll(async () => {
    const [flakyPort, okPort, pairPort, slowPort, servePort, checkPort, upgradePort, downPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    port = await freePort();
    servers.push(
      await startBackend('flaky', '127.0.0.1', flakyPort, (_path, headers) => {
        const id = String(headers['x-id'] ?? '');
        const n = (attempts.get(id) ?? 0) + 1;
        attempts.set(id, n);
        return { status: n === 1 ? 503 : 200 };
      }),
      await startBackend('ok', '127.0.0.1', okPort, ok),
      // Two endpoints of one Service: the second fails its health check.
      await startBackend('good', '127.0.0.1', pairPort, ok),
      await startBackend('bad', '127.0.0.2', pairPort, (path) => ({
        status: path === '/healthz' ? 500 : 200,
      })),
      await startBackend('slow', '127.0.0.1', slowPort, () => ({ status: 200, delayMs: 400 })),
      // Two endpoints healthy on their serving port; on the health check port the second fails.
      await startBackend('served-a', '127.0.0.1', servePort, ok),
      await startBackend('served-b', '127.0.0.2', servePort, ok),
      await startBackend('check-a', '127.0.0.1', checkPort, ok),
      await startBackend('check-b', '127.0.0.2', checkPort, () => ({ status: 500 })),
      await startUpgrader(upgradePort),
      await startBackend('down', '127.0.0.1', downPort, () => ({ status: 503 })),
    );
    const text = `${gatewayManifests(port)}${service('flaky', flakyPort, ['127.0.0.1'])}${service('ok', okPort, ['127.0.0.1'])}${service('pair', pairPort, ['127.0.0.1', '127.0.0.2'])}${service('slow', slowPort, ['127.0.0.1'])}${route('retry', 'flaky', flakyPort)}${route('budget', 'flaky', flakyPort)}${route('limited', 'ok', okPort)}${route('distinct', 'ok', okPort)}${route('health', 'pair', pairPort)}${route('hash', 'pair', pairPort)}${route('breaker', 'slow', slowPort)}${route('timeout', 'slow', slowPort)}${route('idle', 'slow', slowPort)}${route('invalid', 'ok', okPort)}${service('served', servePort, ['127.0.0.1', '127.0.0.2'])}${service('upgrader', upgradePort, ['127.0.0.1'])}${route('upgrade', 'upgrader', upgradePort)}${service('down', downPort, ['127.0.0.1'])}${route('admission', 'down', downPort)}${policy(
      'admission',
      `  admissionControl:
    samplingWindow: 30s
    minSuccessRate: 95
    rejectionAggression: 1
    maxRejectionPercent: 90
    successCriteria: {http: {statusCodes: [200]}}
`,
    )}${route('noupgrade', 'upgrader', upgradePort)}${policy(
      'upgrade',
      `  httpUpgrade: [{type: foo}]
`,
    )}${route('override', 'served', servePort)}${policy(
      'override',
      `  loadBalancer: {type: RoundRobin}
  healthCheck:
    active:
      type: HTTP
      interval: 500ms
      timeout: 1s
      unhealthyThreshold: 1
      healthyThreshold: 1
      http: {path: /healthz, expectedStatuses: [200]}
      overrides: {port: ${checkPort}}
`,
    )}${policy(
      'retry',
      `  retry:
    numRetries: 2
    retryOn: {triggers: [connect-failure], httpStatusCodes: [503]}
    perRetry: {backOff: {baseInterval: 10ms, maxInterval: 50ms}}
`,
    )}${policy(
      'budget',
      `  retry: {numRetries: 2, retryOn: {httpStatusCodes: [503]}}
  circuitBreaker: {retryBudget: {percent: {numerator: 0}, minRetryConcurrency: 0}}
`,
    )}${policy(
      'idle',
      `  timeout: {http: {streamIdleTimeout: 100ms}}
`,
    )}${policy(
      'limited',
      `  rateLimit:
    type: Local
    local:
      rules:
      - limit: {requests: 3, unit: Hour}
      - clientSelectors: [{headers: [{name: x-user-id, value: john}]}]
        limit: {requests: 1, unit: Hour}
`,
    )}${policy(
      'distinct',
      `  rateLimit:
    type: Local
    local:
      rules:
      - clientSelectors: [{headers: [{name: x-org, type: Distinct}]}]
        limit: {requests: 1, unit: Hour}
`,
    )}${policy(
      'health',
      `  loadBalancer: {type: RoundRobin}
  healthCheck:
    active:
      type: HTTP
      interval: 500ms
      timeout: 1s
      unhealthyThreshold: 1
      healthyThreshold: 1
      http: {path: /healthz, expectedStatuses: [200]}
`,
    )}${policy(
      'hash',
      `  loadBalancer: {type: ConsistentHash, consistentHash: {type: Header, header: {name: x-user}}}
`,
    )}${policy(
      'breaker',
      `  circuitBreaker: {maxConnections: 1, maxPendingRequests: 1, maxParallelRequests: 1}
`,
    )}${policy(
      'timeout',
      `  timeout: {http: {requestTimeout: 100ms}}
`,
    )}${policy(
      'invalid',
      `  rateLimit:
    type: Local
    local:
      rules:
      - clientSelectors: [{headers: [{name: x-user-id, type: RegularExpression, value: "*.illegal"}]}]
        limit: {requests: 1, unit: Hour}
`,
    )}`;
    ({ envoy, statuses } = await startTranslated(text, 'btp.yaml'));
  }, 120_000);

  afterAll(async () => {
    await envoy?.stop();
    await closeAll(servers);
  });

  it('accepts the valid policies and reports the invalid one', () => {
    expect(statuses.filter((s) => s.accepted !== 'Accepted')).toEqual([
      { kind: 'BackendTrafficPolicy', name: 'invalid', accepted: 'Invalid' },
    ]);
  });

  it('retries a failing backend', async () => {
    const reply = await get(port, '/retry', { 'x-id': 'first' });
    expect(reply.status).toBe(200);
    expect(attempts.get('first')).toBe(2);
    const stats = await envoy!.admin('/stats?filter=httproute/default/retry.*upstream_rq_retry$');
    expect(stats).toMatch(/upstream_rq_retry: [1-9]/);
  });

  it('a retry budget of 0% stops retries', async () => {
    const reply = await get(port, '/budget', { 'x-id': 'budget' });
    expect(reply.status).toBe(503);
    expect(attempts.get('budget')).toBe(1);
    const stats = await envoy!.admin('/stats?filter=httproute/default/budget.*retry_overflow$');
    expect(stats).toMatch(/upstream_rq_retry_overflow: [1-9]/);
  });

  it('answers 429 past the local rate limit', async () => {
    const john = { 'x-user-id': 'john' };
    const first = await get(port, '/limited', john);
    expect(first.status).toBe(200);
    expect(first.headers['x-ratelimit-limit']).toBe('1');
    expect((await get(port, '/limited', john)).status).toBe(429);
    // Everyone else shares the route's bucket of 3, which john's requests did not drain.
    const others = [];
    for (let i = 0; i < 4; i++) others.push((await get(port, '/limited')).status);
    expect(others).toEqual([200, 200, 200, 429]);
  });

  it('keeps one bucket per distinct header value', async () => {
    expect((await get(port, '/distinct', { 'x-org': 'a' })).status).toBe(200);
    expect((await get(port, '/distinct', { 'x-org': 'a' })).status).toBe(429);
    expect((await get(port, '/distinct', { 'x-org': 'b' })).status).toBe(200);
    // Without the header the rule does not apply: the route is otherwise unlimited.
    expect((await get(port, '/distinct')).status).toBe(200);
    expect((await get(port, '/distinct')).status).toBe(200);
  });

  it('active health checks take a failing endpoint out', async () => {
    // Round robin over both endpoints until the bad one fails its check; then only the good one.
    let streak = 0;
    for (let i = 0; i < 200 && streak < 10; i++) {
      const reply = await get(port, '/health');
      streak = reply.status === 200 && backendOf(reply) === 'good' ? streak + 1 : 0;
      if (streak === 0) await sleep(100);
    }
    expect(streak).toBe(10);
    expect(seen.get('bad')?.filter((p) => p === '/healthz').length).toBeGreaterThan(0);
  });

  it('health check overrides send the checks to another port', async () => {
    // Only the second endpoint's health port fails: it is taken out though it serves fine.
    let streak = 0;
    for (let i = 0; i < 200 && streak < 10; i++) {
      const reply = await get(port, '/override');
      streak = reply.status === 200 && backendOf(reply) === 'served-a' ? streak + 1 : 0;
      if (streak === 0) await sleep(100);
    }
    expect(streak).toBe(10);
    expect(seen.get('check-b')?.filter((p) => p === '/healthz').length).toBeGreaterThan(0);
    expect(seen.get('served-b')?.includes('/healthz')).toBe(false);
  });

  it('httpUpgrade lets a route upgrade to the protocols it names', async () => {
    // foo is allowed where the policy names it (the backend switches); elsewhere Envoy refuses.
    expect(await upgradeStatus(port, '/upgrade', 'foo')).toBe(101);
    expect(await upgradeStatus(port, '/noupgrade', 'foo')).toBe(403);
  });

  it('admission control sheds requests to a failing backend', async () => {
    // Every answer fails: Envoy soon rejects some requests itself, which never reach the backend.
    const sent = 60;
    for (let i = 0; i < sent; i++) expect((await get(port, '/admission')).status).toBe(503);
    const stats = await envoy!.admin('/stats?filter=admission_control\\.rq_rejected$');
    const rejected = Number(/rq_rejected: (\d+)/.exec(stats)?.[1] ?? 0);
    expect(rejected).toBeGreaterThan(0);
    expect(seen.get('down')?.length).toBe(sent - rejected);
  });

  it('consistent hashing sends a header value to one endpoint', async () => {
    // Each user sticks to one endpoint; across users both are used (the bad one answers /hash).
    const byUser = new Map<string, Set<string | undefined>>();
    for (const user of ['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7']) {
      const picked = new Set<string | undefined>();
      for (let i = 0; i < 4; i++)
        picked.add(backendOf(await get(port, '/hash', { 'x-user': user })));
      byUser.set(user, picked);
    }
    for (const picked of byUser.values()) expect(picked.size).toBe(1);
  });

  it('circuit breakers reject requests over the limit', async () => {
    const replies = await Promise.all(Array.from({ length: 8 }, () => get(port, '/breaker')));
    const codes = replies.map((r) => r.status);
    expect(codes).toContain(200);
    expect(codes).toContain(503);
  });

  it('times out a slow backend', async () => {
    expect((await get(port, '/timeout')).status).toBe(504);
    expect((await get(port, '/breaker')).status).toBe(200);
  });

  it('a stream idle past the timeout is cut', async () => {
    // The backend waits 400 ms before its first byte; the stream may idle 100 ms.
    const reply = await get(port, '/idle');
    expect(reply.status).toBe(504);
    expect(reply.body).toBe('stream timeout');
    expect((await get(port, '/breaker')).status).toBe(200);
  });

  it('answers 500 on a route whose policy is invalid', async () => {
    expect((await get(port, '/invalid')).status).toBe(500);
  });
});

// The translator's golden case sets every other applied field; Envoy must load what it becomes.
const GOLDEN_CASE = fileURLToPath(
  new URL(
    '../../../../packages/gatewayapi-translator/testdata/backend-traffic-policy.in.yaml',
    import.meta.url,
  ),
);

describe('[envoy] BackendTrafficPolicy settings Envoy must load', () => {
  it('Envoy loads every setting of the golden case', async () => {
    const { resources } = loadResourcesFromText(readFileSync(GOLDEN_CASE, 'utf8'), GOLDEN_CASE);
    const [ir] = translate(resources).xdsIR;
    if (ir === undefined) throw new Error('no xDS IR');
    const json = JSON.stringify(bootstrapToJson(translateBootstrap(ir)));
    // What the policies set is there, then Envoy builds it all.
    for (const needle of [
      'envoy.filters.http.local_ratelimit',
      'MAGLEV',
      'tcpHealthCheck',
      'outlierDetection',
      'upstream_proxy_protocol',
      'hashPolicy',
      'maskedRemoteAddress',
      'retryPolicy',
      'perHostThresholds',
      'tcpKeepalive',
      'maxStreamDuration',
      'useDownstreamProtocolConfig',
      'preconnectPolicy',
      'alwaysEjectOneHost',
      'failurePercentageThreshold',
      'retriableStatuses',
    ])
      expect(json.includes(needle), needle).toBe(true);
    const result = await validateEnvoyConfig(JSON.parse(json) as object);
    expect(result.output).toBe(result.valid ? result.output : '');
    expect(result.valid).toBe(true);
  }, 120_000);
});
