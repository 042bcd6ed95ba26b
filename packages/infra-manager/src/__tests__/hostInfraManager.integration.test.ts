// Integration: the host infra-manager runs real Envoy processes against a real xDS server (Delta
// ADS): a proxy starts and serves traffic, is restarted after a crash, stops when its fleet leaves
// the IR or its settings change, and nothing is left running after close.
import {
  createSnapshot,
  createSnapshotCache,
  createXdsServer,
  type XdsServer,
} from '@egts/xds-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createHostInfraManager, type HostInfraManager, type ProxyEvent } from '../index.js';
import {
  type Backend,
  ephemeralPort,
  eventually,
  get,
  httpToBackend,
  infraIR,
  isAlive,
  proxyInfra,
  startBackend,
} from './fixtures.js';
import { createTestPki } from './pki.js';

describe('host infra-manager with real Envoy', () => {
  let server: XdsServer | undefined;
  let manager: HostInfraManager | undefined;
  let backend: Backend | undefined;
  afterEach(async () => {
    await manager?.close();
    await server?.close();
    await backend?.close();
    manager = undefined;
    server = undefined;
    backend = undefined;
  });

  const setup = async () => {
    backend = await startBackend('hello from the backend');
    const cache = createSnapshotCache();
    server = createXdsServer(cache);
    const xdsPort = await server.listen('127.0.0.1:0');
    const events: ProxyEvent[] = [];
    manager = createHostInfraManager({
      xds: { host: '127.0.0.1', port: xdsPort },
      backoff: { initialMs: 100, maxMs: 1_000 },
      onEvent: (event) => events.push(event),
    });
    return { cache, events, manager, backendPort: backend.port };
  };

  it('runs a proxy that serves traffic, restarts it after a crash, and stops it when removed', async () => {
    const { cache, events, manager, backendPort } = await setup();
    const listenerPort = await ephemeralPort();
    // The pipeline keys snapshots by fleet name; the proxy's node.cluster must name the same group.
    cache.setSnapshot('default/eg', createSnapshot(httpToBackend(listenerPort, backendPort)));

    await manager.apply(infraIR(proxyInfra('default/eg', listenerPort)));
    const [first] = manager.proxies();
    expect(first).toMatchObject({ name: 'default/eg', restarts: 0, state: 'running' });
    expect(first?.adminAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    await eventually(async () => (await get(listenerPort)) === 'hello from the backend');

    // The admin interface is where proxies() says, and the node is named after the fleet.
    const info = JSON.parse(
      await (await fetch(`http://${first!.adminAddress}/server_info`)).text(),
    ) as {
      command_line_options: { service_node?: string };
      node?: { id: string; cluster: string };
    };
    expect(info.node).toMatchObject({ id: 'default/eg', cluster: 'default/eg' });

    // Re-applying the same IR changes nothing.
    await manager.apply(infraIR(proxyInfra('default/eg', listenerPort)));
    expect(manager.proxies()[0]?.pid).toBe(first!.pid);

    // Crash: the process is restarted (new pid) with its configuration, on the same admin port.
    process.kill(first!.pid!, 'SIGKILL');
    await eventually(() => {
      const now = manager.proxies()[0];
      return now?.pid !== undefined && now.pid !== first!.pid;
    });
    const second = manager.proxies()[0]!;
    expect(second).toMatchObject({ restarts: 1, adminAddress: first!.adminAddress });
    await eventually(async () => (await get(listenerPort)) === 'hello from the backend');
    expect(events.map((e) => e.type)).toEqual(['started', 'exited', 'restarting', 'started']);
    expect(events[1]).toMatchObject({ type: 'exited', pid: first!.pid, code: null });

    // Removed from the IR: stopped, the process is gone and the port closed.
    await manager.apply(infraIR());
    expect(manager.proxies()).toEqual([]);
    expect(isAlive(second.pid!)).toBe(false);
    expect(await get(listenerPort)).toBe('');
    expect(events.at(-1)).toMatchObject({ type: 'stopped', pid: second.pid, reason: 'removed' });
  });

  it('starts a new proxy within apply, before it returns, so that Envoy boots while the caller goes on', async () => {
    const { cache, manager, backendPort } = await setup();
    const listenerPort = await ephemeralPort();
    // The manager finds an admin port at creation, while its caller does other work (here, a
    // wait); the snapshot comes after the proxy is started, as from the pipeline.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const applied = manager.apply(infraIR(proxyInfra('default/eg', listenerPort)));
    const [started] = manager.proxies();
    expect(started).toMatchObject({ name: 'default/eg', state: 'running' });
    expect(started?.pid).toBeGreaterThan(0);
    await applied;
    cache.setSnapshot('default/eg', createSnapshot(httpToBackend(listenerPort, backendPort)));
    await eventually(async () => (await get(listenerPort)) === 'hello from the backend');
  });

  it('restarts a proxy whose bootstrap settings change, and leaves nothing running after close', async () => {
    const { cache, events, manager, backendPort } = await setup();
    const [portA, portB] = [await ephemeralPort(), await ephemeralPort()];
    cache.setSnapshot('default/a', createSnapshot(httpToBackend(portA, backendPort)));
    cache.setSnapshot('team/b', createSnapshot(httpToBackend(portB, backendPort)));

    await manager.apply(infraIR(proxyInfra('default/a', portA), proxyInfra('team/b', portB)));
    const before = manager.proxies();
    expect(before.map((p) => p.name)).toEqual(['default/a', 'team/b']);
    expect(new Set(before.map((p) => p.adminAddress)).size).toBe(2);
    await eventually(async () => (await get(portA)) !== '' && (await get(portB)) !== '');

    // A new log level (EnvoyProxy spec.logging.level) restarts b only; a is untouched.
    await manager.apply(
      infraIR(
        proxyInfra('default/a', portA),
        proxyInfra('team/b', portB, {
          logging: { level: { default: 'error', upstream: 'debug' } },
        }),
      ),
    );
    const after = manager.proxies();
    expect(after[0]?.pid).toBe(before[0]?.pid);
    expect(after[1]?.pid).not.toBe(before[1]?.pid);
    expect(isAlive(before[1]!.pid!)).toBe(false);
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'stopped', proxy: 'team/b', reason: 'changed' }),
    );
    await eventually(async () => (await get(portB)) === 'hello from the backend');
    const logging = await (
      await fetch(`http://${after[1]!.adminAddress}/logging`, { method: 'POST' })
    ).text();
    expect(logging).toMatch(/upstream: debug/);
    expect(logging).toMatch(/http: error/);

    const pids = after.map((p) => p.pid!);
    await manager.close();
    expect(pids.map(isAlive)).toEqual([false, false]);
    expect(manager.proxies()).toEqual([]);
    // Applying after close starts nothing.
    await manager.apply(infraIR(proxyInfra('default/a', portA)));
    expect(manager.proxies()).toEqual([]);
  });

  it('connects to the xDS server over mTLS', async () => {
    const pki = createTestPki();
    try {
      backend = await startBackend('over mTLS');
      const cache = createSnapshotCache();
      server = createXdsServer(
        cache,
        {},
        {
          tls: { certFile: pki.server.cert, keyFile: pki.server.key, caFile: pki.ca },
        },
      );
      const xdsPort = await server.listen('127.0.0.1:0');
      const listenerPort = await ephemeralPort();
      cache.setSnapshot('default/eg', createSnapshot(httpToBackend(listenerPort, backend.port)));
      manager = createHostInfraManager({
        xds: { host: '127.0.0.1', port: xdsPort, tls: { ca: pki.ca, ...pki.client } },
      });
      await manager.apply(infraIR(proxyInfra('default/eg', listenerPort)));
      await eventually(async () => (await get(listenerPort)) === 'over mTLS');
    } finally {
      await manager?.close();
      pki.remove();
    }
  });
});
