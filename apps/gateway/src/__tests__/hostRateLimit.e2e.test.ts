// Host mode's global rate limiting end to end (issue #21): runHostGateway starts the Envoy Rate
// Limit Service beside the proxy, the proxy asks it over mTLS with the xDS certificates, a file
// edit reaches the running service over xDS (the time is logged), and a certificate renewal
// restarts the service so new connections use the new set. Skips, saying why, without the
// ratelimit and redis-server binaries (scripts/setup-ratelimit.sh).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findRateLimitBinary } from '@egts/infra-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogging } from '../logging.js';
import type { RunningGateway } from '../run/gatewayOptions.js';
import { runHostGateway } from '../run/hostGateway.js';
import { Backends, freePort, gatewayWith, route, service, waitFor } from './throughEnvoy.js';

const redisBinary = resolve(import.meta.dirname, '../../../../.tools/ratelimit/bin/redis-server');
const missing = [
  ...(findRateLimitBinary() ? [] : ['ratelimit']),
  ...(existsSync(redisBinary) ? [] : ['redis-server']),
];

// Certificates are backdated a minute (clock skew), so with a third of their span left the
// renewal comes (2 × 60 − 60) / 3 = 20 s after they are made.
const VALIDITY_MS = 60_000;
const root = mkdtempSync(join(tmpdir(), 'egts-host-rl-'));
const config = join(root, 'resources.yaml');
const backends = new Backends();
let gateway: RunningGateway | undefined;
let redis: ChildProcess | undefined;
let listenerPort = 0;
let backendPort = 0;

const write = (limit: number) =>
  writeFileSync(
    config,
    gatewayWith(
      listenerPort,
      `${service('app', backendPort)}---\n${route('app', '/limited', 'app', backendPort)}---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: {name: limit, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: app}]
  rateLimit:
    type: Global
    global:
      rules:
      - clientSelectors: [{headers: [{name: x-user, type: Distinct}]}]
        limit: {requests: ${limit}, unit: Hour}
`,
    ),
  );

const ask = async (user: string) => {
  try {
    const res = await fetch(`http://127.0.0.1:${listenerPort}/limited`, {
      headers: { 'x-user': user },
      signal: AbortSignal.timeout(5_000),
    });
    await res.text();
    return { status: res.status, limit: res.headers.get('x-ratelimit-limit') };
  } catch {
    return { status: 0, limit: null };
  }
};

/** Envoy's count of its connections to the rate limit service that the service closed. */
const closedByService = async (): Promise<number> => {
  const res = await fetch(`http://127.0.0.1:${gateway?.adminPort}/proxies`);
  const [proxy] = (await res.json()) as Array<{ adminAddress: string }>;
  const stats = await (
    await fetch(
      `http://${proxy?.adminAddress}/stats?filter=ratelimit_cluster.upstream_cx_destroy_remote$`,
    )
  ).text();
  return Number(/upstream_cx_destroy_remote: (\d+)/.exec(stats)?.[1] ?? 0);
};

let probe = 0;
/** Until a fresh user's first answer carries `limit` (the service enforces that rule). */
const untilLimit = (limit: string, timeoutMs = 90_000) =>
  waitFor(
    `x-ratelimit-limit ${limit}`,
    async () => (await ask(`probe-${probe++}`)).limit === limit,
    () => '',
    timeoutMs,
  );

beforeAll(async () => {
  if (missing.length > 0) return;
  const redisPort = await freePort();
  redis = spawn(redisBinary, ['--port', String(redisPort), '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  await waitFor(
    'redis',
    () =>
      new Promise((done) => {
        const socket = connect(redisPort, '127.0.0.1');
        socket.once('connect', () => done(socket.destroy() !== undefined));
        socket.once('error', () => done(false));
      }),
    () => '',
    30_000,
  );
  backendPort = await backends.start('app');
  listenerPort = await freePort();
  write(2);
  gateway = await runHostGateway({
    paths: [config],
    xds: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0 },
    stateDir: join(root, 'state'),
    certificates: { validityMs: VALIDITY_MS, intervalMs: 500 },
    rateLimit: { redisUrl: `127.0.0.1:${redisPort}`, timeoutMs: 2_000 },
    logging: createLogging({ default: 'warn' }),
  });
}, 180_000);

afterAll(async () => {
  await gateway?.close();
  redis?.kill('SIGKILL');
  backends.close();
  rmSync(root, { recursive: true, force: true });
});

describe.skipIf(missing.length > 0)(
  `host mode global rate limits (e2e)${missing.length > 0 ? ` (skipped: ${missing.join(' and ')} not found; run scripts/setup-ratelimit.sh)` : ''}`,
  () => {
    it('limits through the service over mTLS; a file edit reaches it; a renewal restarts it', async () => {
      await untilLimit('2, 2;w=3600');
      const alice = [await ask('alice'), await ask('alice'), await ask('alice')];
      expect(alice.map((r) => r.status)).toEqual([200, 200, 429]);

      // A one-rule change in the watched file reaches the running service over xDS.
      write(5);
      const editMs = await untilLimit('5, 5;w=3600');
      console.log(`host mode: file edit -> new limit enforced in ${editMs} ms`);

      // The renewal (a third of the validity left) restarts the service, which read its TLS
      // files at start: the proxy's next connection is a new one, with the renewed set. Counted
      // from here: on a busy machine a renewal may already have come, and the next one will.
      const closedBefore = await closedByService();
      await waitFor(
        "the service restarted (it closes the proxy's connections)",
        async () => {
          // Envoy connects again when a request needs the service.
          await ask(`renewal-${probe++}`);
          return (await closedByService()) > closedBefore;
        },
        () => '',
        2 * VALIDITY_MS,
      );
      await untilLimit('5, 5;w=3600');
    }, 300_000);
  },
);
