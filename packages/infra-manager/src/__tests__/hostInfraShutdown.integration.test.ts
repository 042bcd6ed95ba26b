// Integration: the EnvoyProxy settings the host infra-manager starts and stops a real Envoy with:
// `concurrency` (worker threads) and `shutdown` (Envoy Gateway's EnvoyShutdown: a removed proxy
// drains, and a request in flight still gets its answer before the process exits).
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ProxyInfra } from '@egts/ir';
import {
  createSnapshot,
  createSnapshotCache,
  createXdsServer,
  type XdsServer,
} from '@egts/xds-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createHostInfraManager, type HostInfraManager } from '../index.js';
import {
  ephemeralPort,
  eventually,
  get,
  httpToBackend,
  infraIR,
  isAlive,
  proxyInfra,
} from './fixtures.js';

/** A backend answering after `delayMs`. */
const slowBackend = async (delayMs: number): Promise<Server> => {
  const server = createServer((_req, res) => {
    setTimeout(() => res.end('slow answer'), delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
};

const status = (port: number): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });

describe('host infra-manager: EnvoyProxy concurrency and shutdown', () => {
  let server: XdsServer | undefined;
  let manager: HostInfraManager | undefined;
  let backend: Server | undefined;
  afterEach(async () => {
    await manager?.close();
    await server?.close();
    backend?.closeAllConnections();
    await new Promise((resolve) => backend?.close(resolve));
  });

  it('starts Envoy with its concurrency and drains in-flight requests before it exits', async () => {
    backend = await slowBackend(1_500);
    const backendPort = (backend.address() as AddressInfo).port;
    const cache = createSnapshotCache();
    server = createXdsServer(cache);
    const xdsPort = await server.listen('127.0.0.1:0');
    manager = createHostInfraManager({
      xds: { host: '127.0.0.1', port: xdsPort },
      backoff: { initialMs: 100, maxMs: 1_000 },
    });
    const port = await ephemeralPort();
    cache.setSnapshot('default/a', createSnapshot(httpToBackend(port, backendPort)));
    const proxy: ProxyInfra = {
      ...proxyInfra('default/a', port, { concurrency: 2 }),
      shutdown: { drainTimeoutMs: 20_000, minDrainMs: 500, healthCheckFailureDelayMs: 0 },
    };
    await manager.apply(infraIR(proxy));
    await eventually(async () => (await get(port)) === 'slow answer');
    const [running] = manager.proxies();
    const info = JSON.parse(
      await (await fetch(`http://${running?.adminAddress}/server_info`)).text(),
    ) as { command_line_options: { concurrency: number; drain_time: string } };
    expect(info.command_line_options.concurrency).toBe(2);
    expect(info.command_line_options.drain_time).toBe('20s');

    // A request in flight when the proxy is removed still gets its answer.
    const inFlight = status(port);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = performance.now();
    await manager.apply(infraIR());
    const stopMs = performance.now() - started;
    expect(await inFlight).toEqual({ status: 200, body: 'slow answer' });
    // It waited for the request (and at least minDrainDuration), not the whole drain timeout.
    expect(stopMs).toBeGreaterThan(500);
    expect(stopMs).toBeLessThan(20_000);
    expect(isAlive(running?.pid as number)).toBe(false);
  }, 120_000);
});
