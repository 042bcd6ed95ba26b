// Bad files dropped next to 50 working routes under steady traffic (issue #16, "Done when"): a
// FIFO, a regex RE2 refuses, a regex over Envoy's program size, a duplicate route name in a new
// file, broken YAML and an unresolved alias. The good routes lose no request, every later change
// is served, and /healthz stays good. Prints the figures.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

const dir = mkdtempSync(join(tmpdir(), 'egts-bad-files-'));
const backends = new Backends();
let egts: RunningCli | undefined;

afterAll(async () => {
  if (egts?.child.exitCode === null) await egts.stop();
  backends.close();
  rmSync(dir, { recursive: true, force: true });
});

const regexRoute = (
  name: string,
  regex: string,
  port: number,
) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: default}
spec:
  parentRefs: [{name: eg}]
  rules:
  - matches: [{path: {type: RegularExpression, value: ${JSON.stringify(regex)}}}]
    backendRefs: [{name: a, port: ${port}}]
`;

describe('bad files beside 50 routes under traffic', () => {
  it('fail no request on the good routes and stop no later change', {
    timeout: 240_000,
  }, async () => {
    const port = await backends.start('a');
    const listenerPort = await freePort();
    const config = join(dir, 'config');
    mkdirSync(config);
    writeFileSync(join(config, 'base.yaml'), gatewayWith(listenerPort, service('a', port)));
    for (let i = 0; i < 50; i++)
      writeFileSync(join(config, `route-${i}.yaml`), route(`r${i}`, `/r${i}/`, 'a', port));
    egts = await startCli(
      ['run', '-f', config, '--xds-address', '127.0.0.1:0', '--admin-address', '127.0.0.1:0'],
      60_000,
      { EGTS_STATE_DIR: join(dir, 'state') },
    );
    const running = egts;
    const served = async (path: string) =>
      (await getThroughEnvoy(listenerPort, path)).backend === 'a';
    await waitFor(
      '50 routes',
      async () => (await served('/r0/')) && (await served('/r49/')),
      () => running.output().slice(-4000),
      60_000,
    );

    let requests = 0;
    let failures = 0;
    let traffic = true;
    const loop = (async () => {
      while (traffic) {
        const i = requests % 50;
        requests++;
        if (!(await served(`/r${i}/`))) failures++;
      }
    })();

    const change = async (what: string, bad: () => void, index: number) => {
      bad();
      // A later change next to the bad file: a new route must be served.
      writeFileSync(
        join(config, `later-${index}.yaml`),
        route(`later${index}`, `/later${index}/`, 'a', port),
      );
      const ms = await waitFor(
        `a change after ${what}`,
        () => served(`/later${index}/`),
        () => running.output().slice(-4000),
        30_000,
      );
      console.log(`${what}: the next change was served ${ms} ms later`);
    };
    await change('a FIFO', () => execFileSync('mkfifo', [join(config, 'fifo.yaml')]), 0);
    await change(
      'a regex RE2 refuses',
      () => writeFileSync(join(config, 'bad-re2.yaml'), regexRoute('bad-re2', '/\\u0041', port)),
      1,
    );
    await change(
      'a regex over Envoy’s program size',
      () =>
        writeFileSync(join(config, 'bad-size.yaml'), regexRoute('bad-size', '/[a-z]{200}', port)),
      2,
    );
    await change(
      'a duplicate route name in a new file',
      () => writeFileSync(join(config, 'a-dup.yaml'), route('r7', '/stolen/', 'a', port)),
      3,
    );
    await change(
      'broken YAML',
      () => writeFileSync(join(config, 'broken.yaml'), 'kind: HTTPRoute\nmetadata: {name: [\n'),
      4,
    );
    await change(
      'an unresolved alias',
      () =>
        writeFileSync(
          join(config, 'alias.yaml'),
          `${route('alias', '/alias/', 'a', port)}  labels: *nope\n`,
        ),
      5,
    );
    traffic = false;
    await loop;

    console.log(`good routes: ${failures} failed of ${requests} requests`);
    expect(failures).toBe(0);
    // The route that was there first keeps serving; the newcomer's path is not served.
    expect(await served('/r7/')).toBe(true);
    expect(await served('/stolen/')).toBe(false);
    expect((await fetch(`http://127.0.0.1:${running.adminPort}/healthz`)).status).toBe(200);
  });
});
