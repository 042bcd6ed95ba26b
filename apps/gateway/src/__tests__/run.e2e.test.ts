// End to end through real Envoy: `egts run` watches a directory while traffic flows; new, changed
// and deleted routes are served as the files say, a broken file changes nothing else, a killed
// Envoy comes back, and stopping egts leaves no Envoy behind. Prints how long each change took.
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCli, startCli } from './runCli.js';

const dir = mkdtempSync(join(tmpdir(), 'egts-run-'));
const backends: Server[] = [];
let egts: RunningCli;
let listenerPort = 0;

async function startBackend(name: string): Promise<number> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ backend: name, path: req.url }));
  });
  backends.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const service = (name: string, port: number) => `---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: default}
spec: {ports: [{name: http, port: ${port}}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ${name}-1, namespace: default, labels: {kubernetes.io/service-name: ${name}}}
addressType: IPv4
endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
ports: [{name: http, port: ${port}}]
`;

const route = (
  name: string,
  prefix: string,
  backend: string,
  port: number,
) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: default}
spec:
  parentRefs: [{name: eg}]
  rules:
  - matches: [{path: {type: PathPrefix, value: ${prefix}}}]
    backendRefs: [{name: ${backend}, port: ${port}}]
`;

/** Status and backend of one request through Envoy; status 0 when the connection fails. */
async function get(path: string): Promise<{ status: number; backend?: string }> {
  try {
    const res = await fetch(`http://127.0.0.1:${listenerPort}${path}`, {
      signal: AbortSignal.timeout(2000),
    });
    const text = await res.text();
    if (res.status !== 200) return { status: res.status };
    return { status: 200, backend: (JSON.parse(text) as { backend: string }).backend };
  } catch {
    return { status: 0 };
  }
}

/** Polls until `check` holds; returns the milliseconds it took. */
async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 30_000,
): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (await check()) return Math.round(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}\n${egts.output().slice(-4000)}`);
}

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
  portA = await startBackend('a');
  portB = await startBackend('b');
  listenerPort = await freePort();
  writeFileSync(
    join(dir, 'base.yaml'),
    `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: eg, namespace: default}
spec:
  gatewayClassName: eg
  listeners: [{name: http, protocol: HTTP, port: ${listenerPort}}]
${service('a', portA)}${service('b', portB)}`,
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
}, 60_000);

afterAll(async () => {
  if (egts.child.exitCode === null) egts.child.kill('SIGKILL');
  for (const server of backends) server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('egts run', () => {
  it('serves the first route through Envoy', async () => {
    const ms = await waitFor('route one', async () => (await get('/one')).backend === 'a', 60_000);
    console.log(`first route served ${ms} ms after start`);
    expect(await admin('/statuses')).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'HTTPRoute' })]),
    );
  }, 70_000);

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
  }, 60_000);

  it('keeps the last good content of a broken file and reports it', async () => {
    writeFileSync(
      join(dir, 'one.yaml'),
      'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: one\n',
    );
    await waitFor('the problem reported', async () =>
      JSON.stringify(await admin('/problems')).includes('one.yaml'),
    );
    expect(await get('/one')).toEqual({ status: 200, backend: 'b' });
  }, 30_000);

  it('brings a killed Envoy back with its configuration', async () => {
    const proxies = (await admin('/proxies')) as Array<{ pid: number }>;
    const pid = proxies[0]!.pid;
    process.kill(pid, 'SIGKILL');
    const ms = await waitFor('Envoy back', async () => {
      const now = (await admin('/proxies')) as Array<{ pid?: number }>;
      return now[0]?.pid !== undefined && now[0].pid !== pid && (await get('/one')).backend === 'b';
    });
    console.log(`killed Envoy serving again after ${ms} ms`);
  }, 40_000);

  it('leaves no Envoy behind when stopped', async () => {
    const proxies = (await admin('/proxies')) as Array<{ pid: number }>;
    expect(await egts.stop()).toBe(0);
    for (const { pid } of proxies) expect(alive(pid)).toBe(false);
  }, 30_000);
});
