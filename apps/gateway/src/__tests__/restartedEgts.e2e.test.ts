// A restart of `egts run` in place (same xDS address and state directory) after `kill -9` (issue
// #24): the next egts takes over the Envoy the dead one left instead of replacing it, so no request
// fails through the crash and the restart, and a change made while egts was down is served once
// the proxy has reconnected. (A restart on another xDS address replaces the proxy:
// killedEgts.e2e.test.ts.)
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type RunningCli, startCli } from './runCli.js';
import {
  Backends,
  freePort,
  gatewayWith,
  getThroughEnvoy,
  route,
  service,
  waitFor,
} from './throughEnvoy.js';

const dir = mkdtempSync(join(tmpdir(), 'egts-restarted-'));
const backends = new Backends();
const started: RunningCli[] = [];

afterAll(async () => {
  for (const egts of started)
    if (egts.child.exitCode === null && egts.child.signalCode === null) await egts.stop();
  backends.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs, and is no zombie. */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
};

describe('egts restarted in place after SIGKILL', () => {
  it('takes over the Envoy left serving: no failed request, and the change made meanwhile served', async () => {
    const a = await backends.start('a');
    const b = await backends.start('b');
    const listenerPort = await freePort();
    const xdsPort = await freePort();
    const config = join(dir, 'config');
    mkdirSync(config);
    writeFileSync(
      join(config, 'base.yaml'),
      gatewayWith(listenerPort, service('a', a) + service('b', b)),
    );
    writeFileSync(join(config, 'one.yaml'), route('one', '/one', 'a', a));
    const start = async () => {
      const egts = await startCli(
        [
          'run',
          '-f',
          config,
          '--xds-address',
          `127.0.0.1:${xdsPort}`,
          '--admin-address',
          '127.0.0.1:0',
        ],
        120_000,
        { EGTS_STATE_DIR: join(dir, 'state') },
      );
      started.push(egts);
      return egts;
    };
    const proxyPid = async (egts: RunningCli) => {
      const response = await fetch(`http://127.0.0.1:${egts.adminPort}/proxies`);
      const proxies = (await response.json()) as { pid?: number }[];
      return proxies[0]?.pid ?? 0;
    };
    const first = await start();
    await waitFor(
      'first proxy serving',
      async () =>
        (await proxyPid(first)) !== 0 &&
        (await getThroughEnvoy(listenerPort, '/one')).backend === 'a',
      () => first.output().slice(-4000),
      120_000,
    );
    const envoy = await proxyPid(first);

    let stop = false;
    let requests = 0;
    let failed = 0;
    const traffic = (async () => {
      while (!stop) {
        requests++;
        if ((await getThroughEnvoy(listenerPort, '/one')).backend !== 'a') failed++;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    first.child.kill('SIGKILL');
    writeFileSync(join(config, 'two.yaml'), route('two', '/two', 'b', b));
    const second = await start();
    await waitFor(
      'the route added while egts was down served by the same Envoy',
      async () => (await getThroughEnvoy(listenerPort, '/two')).backend === 'b',
      () => second.output().slice(-4000),
      120_000,
    );
    stop = true;
    await traffic;
    console.log(`failed requests: ${failed} of ${requests} through the crash and the restart`);
    expect(requests).toBeGreaterThan(0);
    expect(failed).toBe(0);
    expect(alive(envoy)).toBe(true);
    expect(await proxyPid(second)).toBe(envoy);
    expect(second.output()).toMatch(/proxy default\/eg adopted/);
    expect(second.output()).not.toMatch(/orphan-stopped/);

    // The Envoy taken over is this egts's now: stopping egts stops it.
    expect(await second.stop()).toBe(0);
    await waitFor(
      'the Envoy stopped with egts',
      async () => !alive(envoy),
      () => '',
      30_000,
    );
  });
});
