// `kill -9` of `egts run` (issue #16, item 7): its Envoy keeps serving through the outage with no
// failed request, and the next `egts run` stops that Envoy before starting its own, so one
// process serves the port. Prints the failed requests during the outage and the restart.
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

const dir = mkdtempSync(join(tmpdir(), 'egts-killed-'));
const backends = new Backends();
const started: RunningCli[] = [];

afterAll(async () => {
  for (const egts of started)
    if (egts.child.exitCode === null && egts.child.signalCode === null) await egts.stop();
  backends.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs, and is no zombie (a stopped orphan may wait a while for its new parent to reap it). */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
};

describe('egts killed with SIGKILL', () => {
  it('leaves a proxy that serves meanwhile and is replaced, not doubled, by the next egts', async () => {
    const port = await backends.start('a');
    const listenerPort = await freePort();
    const config = join(dir, 'config');
    mkdirSync(config);
    writeFileSync(join(config, 'base.yaml'), gatewayWith(listenerPort, service('a', port)));
    writeFileSync(join(config, 'one.yaml'), route('one', '/one', 'a', port));
    const start = async () => {
      const egts = await startCli(
        ['run', '-f', config, '--xds-address', '127.0.0.1:0', '--admin-address', '127.0.0.1:0'],
        60_000,
        { EGTS_STATE_DIR: join(dir, 'state') },
      );
      started.push(egts);
      const proxyPid = async () => {
        const response = await fetch(`http://127.0.0.1:${egts.adminPort}/proxies`);
        const proxies = (await response.json()) as { pid?: number }[];
        return proxies[0]?.pid ?? 0;
      };
      // Its own proxy serving (an orphan may answer on the port before that one starts).
      await waitFor(
        'own proxy serving',
        async () =>
          (await proxyPid()) !== 0 && (await getThroughEnvoy(listenerPort, '/one')).backend === 'a',
        () => egts.output().slice(-4000),
        60_000,
      );
      return { egts, pid: await proxyPid() };
    };
    const first = await start();

    first.egts.child.kill('SIGKILL');
    let outageFailures = 0;
    for (let i = 0; i < 40; i++) {
      if ((await getThroughEnvoy(listenerPort, '/one')).backend !== 'a') outageFailures++;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(alive(first.pid)).toBe(true);

    const second = await start();
    console.log(`failed requests: ${outageFailures} of 40 during the outage`);
    expect(outageFailures).toBe(0);
    expect(alive(first.pid)).toBe(false);
    expect(second.pid).not.toBe(first.pid);
    expect(second.egts.output()).toMatch(/orphan-stopped/);
  });
});
