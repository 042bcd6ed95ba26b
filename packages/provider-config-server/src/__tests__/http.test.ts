// The HTTP API against a real server on an ephemeral port: writes, reads, validation, conflicts,
// auth, persistence across a restart, and the snapshots the provider publishes.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadResourcesFromText } from '@egts/api';
import { firstValueFrom } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ConfigServerOptions,
  type ConfigServerProvider,
  createConfigServerProvider,
  STATE_FILE,
} from '../index.js';

// biome-ignore lint/suspicious/noExplicitAny: the API's JSON, read loosely by the assertions
type Json = any;

const TOKEN = 's3cret-token';
let dir: string;
let server: ConfigServerProvider;

const start = async (options: Partial<ConfigServerOptions> = {}) => {
  server = await createConfigServerProvider({
    dataDir: dir,
    http: { host: '127.0.0.1', port: 0 },
    token: TOKEN,
    statuses: () => [{ kind: 'Gateway', metadata: { name: 'eg' }, status: { conditions: [] } }],
    ...options,
  });
  return server;
};

const call = async (
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` },
) => {
  const res = await fetch(`http://127.0.0.1:${server.httpPort}${path}`, {
    method,
    headers: { 'content-type': 'application/yaml', ...headers },
    ...(body === undefined ? {} : { body }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, Json> };
};

const gatewayYaml = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: eg, namespace: default}
spec:
  gatewayClassName: eg
  listeners: [{name: http, protocol: HTTP, port: 8080}]
`;

const route = (
  name: string,
  prefix: string,
  resourceVersion?: string,
) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: default${resourceVersion ? `, resourceVersion: "${resourceVersion}"` : ''}}
spec:
  parentRefs: [{name: eg}]
  rules: [{matches: [{path: {type: PathPrefix, value: ${prefix}}}]}]
`;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'egts-config-server-'));
});
afterEach(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('config server HTTP API', () => {
  it('creates many at once, reads, lists, replaces and deletes, publishing each change', async () => {
    await start();
    const created = await call(
      'POST',
      '/v1/resources',
      `${gatewayYaml}---\n${route('one', '/one')}`,
    );
    expect(created.status).toBe(200);
    expect(created.body.items.map((i: Json) => i.kind)).toEqual([
      'GatewayClass',
      'Gateway',
      'HTTPRoute',
    ]);
    const version = created.body.items[2].metadata.resourceVersion as string;
    expect(version).toBe('1');

    const got = await call('GET', '/v1/resources/HTTPRoute/default/one');
    expect(got.body.metadata).toMatchObject({
      name: 'one',
      namespace: 'default',
      resourceVersion: '1',
    });
    expect((await call('GET', '/v1/resources/GatewayClass/eg')).status).toBe(200);
    const listed = await call('GET', '/v1/resources?kind=HTTPRoute');
    expect(listed.body.items.map((i: Json) => i.metadata.name)).toEqual(['one']);

    const snapshot = await firstValueFrom(server.resources$);
    expect(snapshot.resources.httpRoutes.map((r) => r.metadata.name)).toEqual(['one']);
    expect(snapshot.resources.gateways).toHaveLength(1);

    const replaced = await call(
      'PUT',
      '/v1/resources/HTTPRoute/default/one',
      route('one', '/uno', version),
    );
    expect(replaced.status).toBe(200);
    expect(replaced.body.metadata.resourceVersion).toBe('2');
    expect(replaced.body.metadata.generation).toBe(2);

    const deleted = await call('DELETE', '/v1/resources/HTTPRoute/default/one?resourceVersion=2');
    expect(deleted.status).toBe(200);
    expect((await call('GET', '/v1/resources/HTTPRoute/default/one')).status).toBe(404);
    expect((await firstValueFrom(server.resources$)).resources.httpRoutes).toEqual([]);
    expect((await call('GET', '/v1/statuses')).body.items[0].kind).toBe('Gateway');
  });

  it('rejects a request with errors, naming each field, and applies nothing of it', async () => {
    await start();
    await call('POST', '/v1/resources', gatewayYaml);
    const before = readFileSync(join(dir, STATE_FILE), 'utf8');
    const bad = `${route('good', '/good')}---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: bad, namespace: default}
spec:
  parentRefs: [{name: eg}]
  rules: [{matches: [{path: {type: Nope, value: /x}}]}]
`;
    const res = await call('POST', '/v1/resources', bad);
    expect(res.status).toBe(422);
    expect(res.body.reason).toBe('Invalid');
    expect(res.body.problems).toEqual([
      expect.objectContaining({
        severity: 'error',
        kind: 'HTTPRoute',
        name: 'bad',
        document: 2,
        line: 13,
        field: 'spec.rules[0].matches[0].path.type',
      }),
    ]);
    // The same problems `egts validate` reports for that text.
    const validate = loadResourcesFromText(bad, '<POST /v1/resources>').problems;
    expect(res.body.problems.map(({ field: _f, ...problem }: Json) => problem)).toEqual(
      JSON.parse(JSON.stringify(validate)),
    );
    expect((await call('GET', '/v1/resources?kind=HTTPRoute')).body.items).toEqual([]);
    expect(readFileSync(join(dir, STATE_FILE), 'utf8')).toBe(before);
    const broken = await call('POST', '/v1/resources', 'kind: [unclosed');
    expect(broken.status).toBe(422);
    expect(broken.body.problems[0].message).toMatch(/invalid YAML/);
    // YAML aliases to no anchor, or past the expansion bound: 422 naming the line, never a 500.
    const unresolved = await call(
      'POST',
      '/v1/resources',
      `${route('a', '/a')}\n  hostnames: [*none]`,
    );
    expect(unresolved.status).toBe(422);
    expect(unresolved.body.problems[0]).toMatchObject({
      line: 8,
      message: expect.stringMatching(/alias/),
    });
    const bomb = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++)
      bomb.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    const laughs = await call(
      'POST',
      '/v1/resources',
      `${gatewayYaml}\n  x:\n    ${bomb.join('\n    ')}`,
    );
    expect(laughs.status).toBe(422);
    expect(laughs.body.problems[0].message).toMatch(/alias/);
  });

  it('gives the second of two writers holding the same version a 409 Conflict', async () => {
    await start();
    const first = await call('POST', '/v1/resources', route('shared', '/a'));
    const version = first.body.items[0].metadata.resourceVersion as string;
    const writerA = await call(
      'PUT',
      '/v1/resources/HTTPRoute/default/shared',
      route('shared', '/from-a', version),
    );
    const writerB = await call(
      'PUT',
      '/v1/resources/HTTPRoute/default/shared',
      route('shared', '/from-b', version),
    );
    expect(writerA.status).toBe(200);
    expect(writerB.status).toBe(409);
    expect(writerB.body.problems[0]).toMatchObject({ field: 'metadata.resourceVersion' });
    const stored = await call('GET', '/v1/resources/HTTPRoute/default/shared');
    expect(stored.body.spec.rules[0].matches[0].path.value).toBe('/from-a');
    // A stale whole-set replace and a stale delete conflict as well.
    expect(
      (await call('PUT', `/v1/resources?revision=${first.body.revision}`, gatewayYaml)).status,
    ).toBe(409);
    expect(
      (await call('DELETE', `/v1/resources/HTTPRoute/default/shared?resourceVersion=${version}`))
        .status,
    ).toBe(409);
  });

  it('serializes concurrent writers: of three holding the same version exactly one wins', async () => {
    await start();
    const first = await call('POST', '/v1/resources', route('race', '/a'));
    const version = first.body.items[0].metadata.resourceVersion as string;
    const results = await Promise.all(
      ['/x', '/y', '/z'].map((prefix) =>
        call('PUT', '/v1/resources/HTTPRoute/default/race', route('race', prefix, version)),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
  });

  it('keeps the version of an identical write, and applies nothing when the disk write fails', async () => {
    await start();
    const first = await call('POST', '/v1/resources', route('same', '/same'));
    const again = await call('POST', '/v1/resources', route('same', '/same'));
    expect(again.body.revision).toBe(first.body.revision);
    expect(again.body.items[0].metadata.resourceVersion).toBe('1');
    await server.close();

    const dataDir = join(dir, 'not-a-dir');
    await start({ dataDir });
    writeFileSync(dataDir, 'a file where the data directory should be');
    const failed = await call('POST', '/v1/resources', route('lost', '/lost'));
    expect(failed.status).toBe(500);
    expect((await call('GET', '/v1/resources')).body).toEqual({ revision: '0', items: [] });
    expect((await firstValueFrom(server.resources$)).resources.httpRoutes).toEqual([]);
  });

  it('refuses requests without the token, and anonymous writes even when reads are open', async () => {
    await start({ anonymous: 'read' });
    const none = await call('POST', '/v1/resources', route('x', '/x'), {});
    expect(none.status).toBe(401);
    expect(none.body.message).toMatch(/anonymous writes are not allowed/);
    const wrong = await call('POST', '/v1/resources', route('x', '/x'), {
      authorization: 'Bearer nope',
    });
    expect(wrong.status).toBe(401);
    expect((await call('GET', '/v1/resources', undefined, {})).status).toBe(200);
    expect((await call('GET', '/v1/resources')).body.items).toEqual([]);
    await server.close();
    await start({ token: undefined });
    expect((await call('GET', '/v1/resources', undefined, {})).status).toBe(401);
    expect((await call('POST', '/v1/resources', route('x', '/x'), {})).status).toBe(401);
  });

  it('replaces the whole set atomically and keeps it across a restart', async () => {
    await start();
    await call(
      'POST',
      '/v1/resources',
      `${gatewayYaml}---\n${route('one', '/one')}---\n${route('two', '/two')}`,
    );
    const replaced = await call(
      'PUT',
      '/v1/resources',
      `${gatewayYaml}---\n${route('two', '/two')}`,
    );
    expect(replaced.status).toBe(200);
    const revision = replaced.body.revision as string;
    await server.close();
    expect(readdirSync(dir)).toEqual([STATE_FILE]); // no temp file left behind
    await start();
    const listed = await call('GET', '/v1/resources');
    expect(listed.body.revision).toBe(revision);
    expect(listed.body.items.map((i: Json) => `${i.kind}/${i.metadata.name}`)).toEqual([
      'Gateway/eg',
      'GatewayClass/eg',
      'HTTPRoute/two',
    ]);
    expect((await firstValueFrom(server.resources$)).resources.httpRoutes).toHaveLength(1);
  });

  it('reads a JSON array and newline-delimited JSON as many resources', async () => {
    await start();
    const object = (name: string) => ({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name, namespace: 'default' },
      spec: { parentRefs: [{ name: 'eg' }] },
    });
    const array = await call('POST', '/v1/resources', JSON.stringify([object('a'), object('b')]), {
      authorization: `Bearer ${TOKEN}`,
      'content-type': 'application/json',
    });
    expect(array.body.items).toHaveLength(2);
    const lines = await call(
      'POST',
      '/v1/resources',
      `${JSON.stringify(object('c'))}\n${JSON.stringify(object('d'))}\n`,
      {
        authorization: `Bearer ${TOKEN}`,
        'content-type': 'application/x-ndjson',
      },
    );
    expect(lines.body.items.map((i: Json) => i.metadata.name)).toEqual(['c', 'd']);
  });
});

describe('extension server kinds', () => {
  const bucket = `apiVersion: storage.example.io/v1
kind: Bucket
metadata: {name: b, namespace: default}
spec: {region: here}
`;

  it('are stored unstructured and published when registered, refused otherwise', async () => {
    await start();
    expect((await call('POST', '/v1/resources', bucket)).status).toBe(422);
    await server.close();

    await start({ extensionKinds: new Set(['storage.example.io/Bucket']) });
    const written = await call('POST', '/v1/resources', bucket);
    expect(written.status).toBe(200);
    const snapshot = await firstValueFrom(server.resources$);
    expect(snapshot.resources.extensionResources?.map((o) => o.spec)).toEqual([{ region: 'here' }]);
    // Kept across a restart, read back with the same kinds.
    await server.close();
    await start({ extensionKinds: new Set(['storage.example.io/Bucket']) });
    const reopened = await firstValueFrom(server.resources$);
    expect(reopened.problems).toEqual([]);
    expect(reopened.resources.extensionResources).toHaveLength(1);
  });
});
