// End to end through real Envoy with the config server as the provider: `egts run --config-server`
// takes a Gateway and routes over HTTP and over gRPC and serves them; a bad request and stale
// writers change nothing; an unauthenticated write is refused; after a delete and a restart the
// rest is still served. Prints how long each change took to reach Envoy.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ApplyResponse,
  ConfigServiceClient,
  type DeleteResponse,
} from '@egts/provider-config-server';
import { credentials, Metadata, type ServiceError, status } from '@grpc/grpc-js';
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

const dir = mkdtempSync(join(tmpdir(), 'egts-config-server-e2e-'));
const dataDir = join(dir, 'data');
const tokenFile = join(dir, 'token');
const TOKEN = 'e2e-token-0123456789';
const backends = new Backends();
let egts: RunningCli;
let httpPort = 0;
let grpcPort = 0;
let listenerPort = 0;
let portA = 0;
let portB = 0;

/** Starts `egts run --config-server` on ephemeral ports; reads back the config server's ports. */
async function startEgts(): Promise<void> {
  egts = await startCli([
    'run',
    '--config-server',
    '127.0.0.1:0',
    '--config-server-grpc',
    '127.0.0.1:0',
    '--config-server-token-file',
    tokenFile,
    '--config-server-data',
    dataDir,
    '--xds-address',
    '127.0.0.1:0',
    '--admin-address',
    '127.0.0.1:0',
  ]);
  const match = /"httpPort":(\d+),"grpcPort":(\d+)/.exec(egts.output());
  if (!match) throw new Error(`no config server ports logged:\n${egts.output()}`);
  httpPort = Number(match[1]);
  grpcPort = Number(match[2]);
}

const base = () => gatewayWith(listenerPort, `${service('a', portA)}${service('b', portB)}`);

/** One HTTP API call with the token (or the headers given). */
async function api(
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` },
  // biome-ignore lint/suspicious/noExplicitAny: the API's JSON, read loosely by the assertions
): Promise<{ status: number; body: any }> {
  const res = await fetch(`http://127.0.0.1:${httpPort}${path}`, {
    method,
    headers: { 'content-type': 'application/yaml', ...headers },
    ...(body === undefined ? {} : { body }),
  });
  return { status: res.status, body: await res.json() };
}

const grpcAuth = () => {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${TOKEN}`);
  return metadata;
};

function withClient<T>(
  call: (
    client: ConfigServiceClient,
    done: (error: ServiceError | null, value?: T) => void,
  ) => void,
): Promise<{ error: ServiceError | null; value?: T | undefined }> {
  const client = new ConfigServiceClient(`127.0.0.1:${grpcPort}`, credentials.createInsecure());
  return new Promise((resolve) =>
    call(client, (error, value) => {
      client.close();
      resolve({ error, value });
    }),
  );
}

const get = (path: string) => getThroughEnvoy(listenerPort, path);

const waitFor = (what: string, check: () => Promise<boolean>, timeoutMs?: number) =>
  waitUntil(what, check, () => egts.output().slice(-4000), timeoutMs);

beforeAll(async () => {
  portA = await backends.start('a');
  portB = await backends.start('b');
  listenerPort = await freePort();
  writeFileSync(tokenFile, `${TOKEN}\n`);
  await startEgts();
});

afterAll(async () => {
  if (egts.child.exitCode === null) egts.child.kill('SIGKILL');
  backends.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('egts run --config-server', () => {
  it('refuses an unauthenticated write and serves nothing from it', async () => {
    const res = await api('POST', '/v1/resources', base(), {});
    expect(res.status).toBe(401);
    const grpc = await withClient<ApplyResponse>((client, done) =>
      client.apply({ manifest: base() }, done),
    );
    expect(grpc.error?.code).toBe(status.UNAUTHENTICATED);
    expect((await api('GET', '/v1/resources')).body.items).toEqual([]);
  });

  it('serves a Gateway and a route applied over HTTP, and a route applied over gRPC', async () => {
    const http = await api(
      'POST',
      '/v1/resources',
      `${base()}---\n${route('one', '/one', 'a', portA)}`,
    );
    expect(http.status).toBe(200);
    const viaHttp = await waitFor(
      'route one',
      async () => (await get('/one')).backend === 'a',
      60_000,
    );
    const grpc = await withClient<ApplyResponse>((client, done) =>
      client.apply({ manifest: route('two', '/two', 'b', portB) }, grpcAuth(), done),
    );
    expect(grpc.error).toBeNull();
    const viaGrpc = await waitFor('route two', async () => (await get('/two')).backend === 'b');
    console.log(
      `write acknowledged -> served by Envoy: HTTP ${viaHttp} ms (Envoy started for the new Gateway), gRPC ${viaGrpc} ms`,
    );
    const statuses = await api('GET', '/v1/statuses');
    expect(statuses.body.items).toContainEqual(
      expect.objectContaining({
        kind: 'HTTPRoute',
        metadata: { name: 'two', namespace: 'default' },
      }),
    );
  });

  it('rejects a bad request with its errors and changes nothing', async () => {
    const before = await api('GET', '/v1/resources');
    const bad = `${route('one', '/elsewhere', 'b', portB)}---\n${route('three', 'no-slash', 'a', portA).replace('PathPrefix', 'Prefix')}`;
    const res = await api('POST', '/v1/resources', bad);
    expect(res.status).toBe(422);
    expect(res.body.problems).toContainEqual(
      expect.objectContaining({
        name: 'three',
        document: 2,
        field: 'spec.rules[0].matches[0].path.type',
      }),
    );
    expect(await api('GET', '/v1/resources')).toEqual(before);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await answerThroughEnvoy(listenerPort, '/one')).toEqual({ status: 200, backend: 'a' });
    expect((await get('/elsewhere')).status).toBe(404);
  });

  it('gives two writers holding the same version a conflict: 409 over HTTP, ABORTED over gRPC', async () => {
    const current = await api('GET', '/v1/resources/HTTPRoute/default/one');
    const version = current.body.metadata.resourceVersion as string;
    const first = await api(
      'PUT',
      '/v1/resources/HTTPRoute/default/one',
      route('one', '/one', 'b', portB, version),
    );
    expect(first.status).toBe(200);
    const second = await api(
      'PUT',
      '/v1/resources/HTTPRoute/default/one',
      route('one', '/one', 'a', portA, version),
    );
    expect(second.status).toBe(409);
    const third = await withClient<ApplyResponse>((client, done) =>
      client.apply({ manifest: route('one', '/one', 'a', portA, version) }, grpcAuth(), done),
    );
    expect(third.error?.code).toBe(status.ABORTED);
    await waitFor('route one moved to b', async () => (await get('/one')).backend === 'b');
  });

  it('stops serving a deleted route, and after a restart serves the rest', async () => {
    const deleted = await withClient<DeleteResponse>((client, done) =>
      client.delete(
        { key: { kind: 'HTTPRoute', namespace: 'default', name: 'one' } },
        grpcAuth(),
        done,
      ),
    );
    expect(deleted.error).toBeNull();
    await waitFor('route one gone', async () => (await get('/one')).status === 404);
    expect(await egts.stop()).toBe(0);
    expect((await get('/two')).status).toBe(0); // no Envoy left behind

    const restarted = performance.now();
    await startEgts();
    await waitFor(
      'route two after restart',
      async () => (await get('/two')).backend === 'b',
      60_000,
    );
    console.log(
      `restart -> persisted route served in ${Math.round(performance.now() - restarted)} ms`,
    );
    expect((await get('/one')).status).toBe(404);
    const listed = await api('GET', '/v1/resources?kind=HTTPRoute');
    expect(
      listed.body.items.map((item: { metadata: { name: string } }) => item.metadata.name),
    ).toEqual(['two']);
    expect(await egts.stop()).toBe(0);
  }, 120_000);
});
