// End to end through real Envoy: `egts run` watches a directory while traffic flows; new, changed
// and deleted routes are served as the files say, a broken file changes nothing else, a killed
// Envoy comes back, and stopping egts leaves no Envoy behind. Prints how long each change took.
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCli, startCli } from './runCli.js';
import {
  answerThroughEnvoy,
  Backends,
  freePort,
  gatewayWith,
  getThroughEnvoy,
  route,
  service,
  waitFor as waitUntil,
} from './throughEnvoy.js';

const dir = mkdtempSync(join(tmpdir(), 'egts-run-'));
const backends = new Backends();
let egts: RunningCli;
let listenerPort = 0;

const get = (path: string) => getThroughEnvoy(listenerPort, path);

/** Polls until `check` holds; returns the milliseconds it took. */
const waitFor = (what: string, check: () => Promise<boolean>, timeoutMs?: number) =>
  waitUntil(what, check, () => egts.output().slice(-4000), timeoutMs);

const admin = async (path: string) =>
  (await fetch(`http://127.0.0.1:${egts.adminPort}${path}`)).json() as Promise<unknown>;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

let portA = 0;
let portB = 0;

beforeAll(async () => {
  portA = await backends.start('a');
  portB = await backends.start('b');
  listenerPort = await freePort();
  writeFileSync(
    join(dir, 'base.yaml'),
    gatewayWith(listenerPort, `${service('a', portA)}${service('b', portB)}`),
  );
  writeFileSync(join(dir, 'one.yaml'), route('one', '/one', 'a', portA));
  egts = await startCli([
    'run',
    '-f',
    dir,
    '--xds-address',
    '127.0.0.1:0',
    '--admin-address',
    '127.0.0.1:0',
  ]);
});

afterAll(async () => {
  if (egts.child.exitCode === null) egts.child.kill('SIGKILL');
  backends.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('egts run', () => {
  it('serves the first route through Envoy', async () => {
    const ms = await waitFor('route one', async () => (await get('/one')).backend === 'a', 60_000);
    console.log(`first route served ${ms} ms after start`);
    expect(await admin('/statuses')).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'HTTPRoute' })]),
    );
  });

  it('serves a new route, a changed route and stops serving a deleted one', async () => {
    writeFileSync(join(dir, 'two.yaml'), route('two', '/two', 'b', portB));
    const added = await waitFor('new route two', async () => (await get('/two')).backend === 'b');
    writeFileSync(join(dir, 'one.yaml'), route('one', '/one', 'b', portB));
    const changed = await waitFor(
      'route one moved to b',
      async () => (await get('/one')).backend === 'b',
    );
    unlinkSync(join(dir, 'two.yaml'));
    const deleted = await waitFor('route two gone', async () => (await get('/two')).status === 404);
    console.log(
      `file written -> first correct response: added ${added} ms, changed ${changed} ms, deleted ${deleted} ms`,
    );
  });

  it('keeps the last good content of a broken file and reports it', async () => {
    writeFileSync(
      join(dir, 'one.yaml'),
      'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: one\n',
    );
    await waitFor('the problem reported', async () =>
      JSON.stringify(await admin('/problems')).includes('one.yaml'),
    );
    expect(await answerThroughEnvoy(listenerPort, '/one')).toEqual({ status: 200, backend: 'b' });
  });

  it('brings a killed Envoy back with its configuration', async () => {
    const proxies = (await admin('/proxies')) as Array<{ pid: number }>;
    const pid = proxies[0]!.pid;
    process.kill(pid, 'SIGKILL');
    const ms = await waitFor('Envoy back', async () => {
      const now = (await admin('/proxies')) as Array<{ pid?: number }>;
      return now[0]?.pid !== undefined && now[0].pid !== pid && (await get('/one')).backend === 'b';
    });
    console.log(`killed Envoy serving again after ${ms} ms`);
  });

  it('leaves no Envoy behind when stopped', async () => {
    const proxies = (await admin('/proxies')) as Array<{ pid: number }>;
    expect(await egts.stop()).toBe(0);
    for (const { pid } of proxies) expect(alive(pid)).toBe(false);
  });
});
