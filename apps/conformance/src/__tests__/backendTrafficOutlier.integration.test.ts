// BackendTrafficPolicy passive health check limits and the retry circuit breaker, each through real Envoy and against a route without the setting (or with
// another value), read from Envoy's cluster statistics and the backends:
// - maxEjectionPercent caps how many endpoints are out (100: both failing endpoints, 50: one);
//   without it Envoy's 10% ejects none of two, unless alwaysEjectOneEndpoint;
// - baseEjectionTime and interval: an endpoint ejected for 1s comes back at the next interval
//   (300ms); ejected for 300s, or checked every 60s, it is still out 3s later;
// - circuitBreaker.maxParallelRetries 0: no retry is made (the backend sees one attempt);
// - circuitBreaker.perEndpoint.maxConnections 1: three requests at once share one connection;
// - connection.preconnect.perEndpointPercent 300: a lone request has three connections opened;
// - consistentHash.tableSize: Envoy's Maglev statistics count the entries each endpoint holds.
import type { Server } from 'node:http';
import type { EnvoyHandle } from '@egts/envoy-binary';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../internal/freePort.js';
import {
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

const failing = () => ({ status: 500 });

const ejecting = (extra: string) => `  loadBalancer: {type: RoundRobin}
  healthCheck:
    passive:
      consecutive5XxErrors: 1
      consecutiveGatewayErrors: 1000
${extra}`;

const retrying = (extra: string) => `  retry: {numRetries: 2, retryOn: {httpStatusCodes: [500]}}
${extra}`;

describe('[envoy] BackendTrafficPolicy outlier limits and retry breaker', () => {
  const servers: Server[] = [];
  let envoy: EnvoyHandle | undefined;
  let port = 0;
  let slowConnections = 0;
  let statuses: { kind: string; name: string; accepted: string | undefined }[] = [];

  /** A statistic of the cluster of route `name` (`cluster.<...>/<name>/...`). */
  const stat = async (name: string, key: string): Promise<number> => {
    if (envoy === undefined) throw new Error('no Envoy');
    const text = await envoy.admin(`/stats?filter=${key}$`);
    const line = text.split('\n').find((l) => l.includes(`/${name}/`) && l.includes(`${key}:`));
    if (line === undefined) throw new Error(`no ${key} for ${name} in\n${text}`);
    return Number(line.split(':').pop());
  };

  beforeAll(async () => {
    port = await freePort();
    const [failPort = 0, mixedPort = 0, retryPort = 0, slowPort = 0] = await Promise.all(
      Array.from({ length: 4 }, () => freePort()),
    );
    servers.push(
      await startBackend('fail-a', '127.0.0.3', failPort, failing),
      await startBackend('fail-b', '127.0.0.4', failPort, failing),
      await startBackend('good', '127.0.0.1', mixedPort, ok),
      await startBackend('bad', '127.0.0.2', mixedPort, failing),
      await startBackend('retried', '127.0.0.1', retryPort, failing),
    );
    const slow = await startBackend('slow', '127.0.0.1', slowPort, () => ({
      status: 200,
      delayMs: 300,
    }));
    slow.on('connection', () => {
      slowConnections += 1;
    });
    servers.push(slow);
    let text = gatewayManifests(port);
    const add = (name: string, svc: string, svcPort: number, spec: string) => {
      text += route(name, svc, svcPort) + policy(name, spec);
    };
    text += service('fails', failPort, ['127.0.0.3', '127.0.0.4']);
    text += service('mixed', mixedPort, ['127.0.0.1', '127.0.0.2']);
    text += service('retried', retryPort, ['127.0.0.1']);
    add('capall', 'fails', failPort, ejecting('      maxEjectionPercent: 100\n'));
    add('caphalf', 'fails', failPort, ejecting('      maxEjectionPercent: 50\n'));
    add('capdefault', 'fails', failPort, ejecting(''));
    add('capone', 'fails', failPort, ejecting('      alwaysEjectOneEndpoint: true\n'));
    const timed = (base: string, interval: string) =>
      ejecting(
        `      maxEjectionPercent: 100\n      baseEjectionTime: ${base}\n      interval: ${interval}\n`,
      );
    add('quick', 'mixed', mixedPort, timed('1s', '300ms'));
    add('long', 'mixed', mixedPort, timed('300s', '300ms'));
    add('rare', 'mixed', mixedPort, timed('1s', '60s'));
    add('capped', 'retried', retryPort, retrying('  circuitBreaker: {maxParallelRetries: 0}\n'));
    add('uncapped', 'retried', retryPort, retrying(''));
    const maglev = (size: string) =>
      `  loadBalancer: {type: ConsistentHash, consistentHash: {type: SourceIP${size}}}\n`;
    text += service('slow', slowPort, ['127.0.0.1']);
    add('oneconn', 'slow', slowPort, '  circuitBreaker: {perEndpoint: {maxConnections: 1}}\n');
    // A policy without perEndpoint (its one field is the default).
    add('manyconn', 'slow', slowPort, '  circuitBreaker: {maxParallelRetries: 1024}\n');
    add(
      'preconnected',
      'slow',
      slowPort,
      '  connection: {preconnect: {perEndpointPercent: 300}}\n',
    );
    add('smalltable', 'mixed', mixedPort, maglev(', tableSize: 7'));
    add('bigtable', 'mixed', mixedPort, maglev(''));
    ({ envoy, statuses } = await startTranslated(text, 'outlier.yaml'));
  }, 120_000);

  afterAll(async () => {
    await envoy?.stop();
    await closeAll(servers);
  });

  it('policies are accepted', () => {
    for (const name of ['capall', 'caphalf', 'capdefault', 'capone', 'quick', 'long', 'rare'])
      expect(statuses).toContainEqual({ kind: 'BackendTrafficPolicy', name, accepted: 'Accepted' });
    for (const name of [
      'capped',
      'uncapped',
      'smalltable',
      'bigtable',
      'oneconn',
      'manyconn',
      'preconnected',
    ])
      expect(statuses).toContainEqual({ kind: 'BackendTrafficPolicy', name, accepted: 'Accepted' });
  });

  it('maxEjectionPercent caps the endpoints ejected; alwaysEjectOneEndpoint ejects one', async () => {
    const ejected: Record<string, number> = {};
    for (const name of ['capall', 'caphalf', 'capdefault', 'capone']) {
      for (let i = 0; i < 6; i++) await get(port, `/${name}`);
      ejected[name] = await stat(name, 'outlier_detection.ejections_active');
    }
    expect(ejected).toEqual({ capall: 2, caphalf: 1, capdefault: 0, capone: 1 });
  });

  it('baseEjectionTime and interval decide when an ejected endpoint comes back', async () => {
    for (const name of ['quick', 'long', 'rare']) {
      for (let i = 0; i < 4; i++) await get(port, `/${name}`);
      expect(await stat(name, 'outlier_detection.ejections_active')).toBe(1);
    }
    await sleep(3000);
    const back: Record<string, number> = {};
    for (const name of ['quick', 'long', 'rare'])
      back[name] = await stat(name, 'outlier_detection.ejections_active');
    expect(back).toEqual({ quick: 0, long: 1, rare: 1 });
  });

  it('perEndpoint.maxConnections holds an endpoint to that many connections', async () => {
    const burst = async (path: string) => {
      const before = slowConnections;
      const replies = await Promise.all([1, 2, 3].map(() => get(port, path)));
      expect(replies.map((r) => r.status)).toEqual([200, 200, 200]);
      return slowConnections - before;
    };
    // Three requests at once: one connection, taking them in turn; without the limit, three.
    expect(await burst('/oneconn')).toBe(1);
    expect(await burst('/manyconn')).toBe(3);
  });

  it('preconnect.perEndpointPercent opens connections ahead of requests', async () => {
    // One request at a time: 300% keeps three connections for its one stream; manyconn, without
    // preconnect, reuses its one.
    const sequence = async (path: string) => {
      const before = slowConnections;
      for (let i = 0; i < 2; i++) expect((await get(port, path)).status).toBe(200);
      await sleep(300);
      return slowConnections - before;
    };
    expect(await sequence('/manyconn')).toBeLessThanOrEqual(1);
    expect(await sequence('/preconnected')).toBeGreaterThanOrEqual(3);
  });

  it('consistentHash.tableSize sizes the Maglev table', async () => {
    // Two endpoints share the table: 7 entries give each 3 or 4; the default 65537 about 32768.
    expect(await stat('smalltable', 'maglev_lb.max_entries_per_host')).toBeLessThanOrEqual(4);
    expect(await stat('bigtable', 'maglev_lb.max_entries_per_host')).toBeGreaterThan(30_000);
  });

  it('maxParallelRetries 0 lets no retry through', async () => {
    seen.set('retried', []);
    await get(port, '/uncapped');
    expect(seen.get('retried')?.length).toBe(3);
    seen.set('retried', []);
    await get(port, '/capped');
    expect(seen.get('retried')?.length).toBe(1);
    expect(await stat('capped', 'upstream_rq_retry_overflow')).toBeGreaterThan(0);
  });
});
