// Integration (real Envoy): what happens to a proxy when its egts dies without stopping it
// (issue #16, item 7). It keeps serving through a short outage, drains and exits once egts has
// been gone for the grace period; the next egts takes it over when it would start it alike
// (issue #24: a restart costs no request), and stops it before starting its own otherwise.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createSnapshot,
  createSnapshotCache,
  createXdsServer,
  type XdsServer,
} from '@egts/xds-server';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createHostInfraManager,
  type HostInfraManager,
  type HostInfraManagerOptions,
  type ProxyEvent,
} from '../index.js';
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

describe('proxies outliving egts', () => {
  let server: XdsServer | undefined;
  let backend: Backend | undefined;
  let owner: ChildProcess | undefined;
  const managers: HostInfraManager[] = [];
  let stateDir = '';
  afterEach(async () => {
    for (const manager of managers.splice(0)) await manager.close();
    await server?.close();
    await backend?.close();
    owner?.kill('SIGKILL');
    rmSync(stateDir, { recursive: true, force: true });
  });

  const setup = async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'egts-orphans-'));
    backend = await startBackend('hello');
    const cache = createSnapshotCache();
    server = createXdsServer(cache);
    const xdsPort = await server.listen('127.0.0.1:0');
    const listenerPort = await ephemeralPort();
    cache.setSnapshot('default/eg', createSnapshot(httpToBackend(listenerPort, backend.port)));
    const manage = (
      ownerPid: number,
      orphanGraceMs: number,
      more: Partial<HostInfraManagerOptions> = {},
    ) => {
      const events: ProxyEvent[] = [];
      const manager = createHostInfraManager({
        xds: { host: '127.0.0.1', port: xdsPort },
        stateDir,
        ownerPid,
        orphanGraceMs,
        drainMs: 300,
        backoff: { initialMs: 100, maxMs: 1_000 },
        onEvent: (event) => events.push(event),
        ...more,
      });
      managers.push(manager);
      return { manager, events };
    };
    return { listenerPort, ir: infraIR(proxyInfra('default/eg', listenerPort)), manage };
  };

  const firstPid = (events: ProxyEvent[]) => {
    const started = events.find((e) => e.type === 'started');
    return started?.type === 'started' ? started.pid : 0;
  };

  it('serves through a short outage of its egts, then drains and exits', async () => {
    const { listenerPort, ir, manage } = await setup();
    // Stands in for the egts process: the proxy is orphaned when it dies.
    owner = spawn('sleep', ['600'], { stdio: 'ignore' });
    const { manager, events } = manage(owner.pid ?? 0, 3000);
    await manager.apply(ir);
    await eventually(async () => (await get(listenerPort)) === 'hello');
    const pid = firstPid(events);
    expect(readdirSync(join(stateDir, 'proxies'))).toHaveLength(1);

    owner.kill('SIGKILL');
    let failed = 0;
    for (let i = 0; i < 20; i++) {
      if ((await get(listenerPort)) !== 'hello') failed++;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(failed).toBe(0);
    await eventually(() => !isAlive(pid), 30_000);
  });

  // The manager of a dead egts lives on in this process: it must not restart the proxy once the
  // next one stopped it or took it over (ten minutes of backoff), as a dead egts would not.
  const deadEgts = { backoff: { initialMs: 600_000, maxMs: 600_000 } };

  it('is taken over by the next egts that starts it alike: same process, no failed request', async () => {
    const { listenerPort, ir, manage } = await setup();
    const dead = spawnSync('true').pid;
    const before = manage(dead, 600_000, deadEgts);
    await before.manager.apply(ir);
    await eventually(async () => (await get(listenerPort)) === 'hello');
    const orphan = firstPid(before.events);

    let stop = false;
    let failed = 0;
    const traffic = (async () => {
      while (!stop) {
        if ((await get(listenerPort)) !== 'hello') failed++;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const after = manage(process.pid, 60_000);
    await after.manager.apply(ir);
    await new Promise((resolve) => setTimeout(resolve, 500));
    stop = true;
    await traffic;
    expect(failed).toBe(0);
    expect(after.events.find((e) => e.type === 'adopted')).toMatchObject({ pid: orphan });
    expect(after.events.some((e) => e.type === 'started' || e.type === 'orphan-stopped')).toBe(
      false,
    );
    expect(after.manager.proxies()).toMatchObject([{ pid: orphan, state: 'running' }]);
    const [record] = readdirSync(join(stateDir, 'proxies'));
    const recorded = JSON.parse(readFileSync(join(stateDir, 'proxies', record!), 'utf8'));
    expect(recorded).toMatchObject({ pid: orphan, ownerPid: process.pid });
    expect(isAlive(recorded.watchdogPid)).toBe(true);

    // Supervised like its own: when it dies, it is replaced.
    process.kill(orphan, 'SIGKILL');
    await eventually(() => after.events.some((e) => e.type === 'started'));
    expect(firstPid(after.events)).not.toBe(orphan);
    await eventually(async () => (await get(listenerPort)) === 'hello');
  });

  it('is stopped by the next egts that starts it otherwise, before that one starts its own', async () => {
    const { listenerPort, ir, manage } = await setup();
    // An egts that is already dead: its proxy is an orphan from the start (grace: ten minutes).
    const dead = spawnSync('true').pid;
    const before = manage(dead, 600_000, deadEgts);
    await before.manager.apply(ir);
    await eventually(async () => (await get(listenerPort)) === 'hello');
    const orphan = firstPid(before.events);

    // Another log level: another command line, so not the proxy this egts would start.
    const after = manage(process.pid, 60_000, { logLevel: 'error' });
    await after.manager.apply(ir);
    expect(after.events.find((e) => e.type === 'orphan-stopped')).toMatchObject({ pid: orphan });
    // Gone: it exited before the new one started; this process (its parent here) reaps it soon.
    await eventually(() => !isAlive(orphan), 10_000);
    expect(firstPid(after.events)).not.toBe(0);
    await eventually(async () => (await get(listenerPort)) === 'hello');
  });
});
