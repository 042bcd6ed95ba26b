// The gRPC API with the generated client: apply (unary and streamed), list, get, delete, statuses,
// validation errors with their problems trailer, conflicts, auth, and mutual TLS.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ApplyResponse,
  type ConfigServerOptions,
  type ConfigServerProvider,
  ConfigServiceClient,
  createConfigServerProvider,
  type DeleteResponse,
  type ListResponse,
  Problems,
  type ResourceMessage,
  type StatusesResponse,
} from '../index.js';
import { PROBLEMS_TRAILER } from '../internal/grpcApi.js';

const TOKEN = 'grpc-token';
let dir: string;
let server: ConfigServerProvider;
let client: ConfigServiceClient;

const auth = (token = TOKEN) => {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
};

const start = async (options: Partial<ConfigServerOptions> = {}) => {
  server = await createConfigServerProvider({
    dataDir: dir,
    grpc: { host: '127.0.0.1', port: 0 },
    token: TOKEN,
    statuses: () => [{ kind: 'HTTPRoute', metadata: { name: 'one' }, status: { parents: [] } }],
    ...options,
  });
  client = new ConfigServiceClient(`127.0.0.1:${server.grpcPort}`, credentials.createInsecure());
};

/** Calls a unary method; resolves with the response or the error. */
const unary = <Res>(
  invoke: (callback: (error: ServiceError | null, response: Res) => void) => unknown,
): Promise<{ error?: ServiceError; response?: Res }> =>
  new Promise((resolve) => {
    invoke((error, response) => resolve(error ? { error } : { response }));
  });

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
  dir = mkdtempSync(join(tmpdir(), 'egts-config-grpc-'));
});
afterEach(async () => {
  client?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('config server gRPC API', () => {
  it('applies, streams, lists, gets, deletes and reads statuses', async () => {
    await start();
    const applied = await unary<ApplyResponse>((cb) =>
      client.apply({ manifest: route('one', '/one') }, auth(), cb),
    );
    expect(applied.response?.items[0]?.object?.metadata.resourceVersion).toBe('1');

    const streamed = await new Promise<ApplyResponse>((resolve, reject) => {
      const call = client.applyStream(auth(), (error, response) =>
        error ? reject(error) : resolve(response),
      );
      const text = `${route('two', '/two')}---\n${route('three', '/three')}`;
      // Chunks split mid-document: the server joins them before parsing.
      for (let i = 0; i < text.length; i += 40) call.write({ manifest: text.slice(i, i + 40) });
      call.end();
    });
    expect(streamed.items.map((i) => i.object?.metadata.name)).toEqual(['two', 'three']);

    const listed = await unary<ListResponse>((cb) =>
      client.list({ kind: 'HTTPRoute', namespace: '' }, auth(), cb),
    );
    expect(listed.response?.items.map((i) => i.object?.metadata.name)).toEqual([
      'one',
      'three',
      'two',
    ]);
    const got = await unary<ResourceMessage>((cb) =>
      client.get({ kind: 'HTTPRoute', namespace: 'default', name: 'two' }, auth(), cb),
    );
    expect(got.response?.object?.spec.rules[0].matches[0].path.value).toBe('/two');

    const deleted = await unary<DeleteResponse>((cb) =>
      client.delete(
        {
          key: { kind: 'HTTPRoute', namespace: 'default', name: 'two' },
        },
        auth(),
        cb,
      ),
    );
    expect(deleted.response?.revision).toBe('3');
    const gone = await unary<ResourceMessage>((cb) =>
      client.get({ kind: 'HTTPRoute', namespace: 'default', name: 'two' }, auth(), cb),
    );
    expect(gone.error?.code).toBe(status.NOT_FOUND);

    const statuses = await unary<StatusesResponse>((cb) => client.statuses({}, auth(), cb));
    expect(statuses.response?.items).toEqual([
      { kind: 'HTTPRoute', metadata: { name: 'one' }, status: { parents: [] } },
    ]);
  });

  it('rejects an invalid manifest with INVALID_ARGUMENT and its problems, applying nothing', async () => {
    await start();
    const manifest = `${route('good', '/good')}---\n${route('bad', 'no-slash').replace('PathPrefix', 'Nope')}`;
    const { error } = await unary<ApplyResponse>((cb) => client.apply({ manifest }, auth(), cb));
    expect(error?.code).toBe(status.INVALID_ARGUMENT);
    expect(error?.details).toMatch(
      /HTTPRoute default\/bad: spec\.rules\[0\]\.matches\[0\]\.path\.type/,
    );
    const trailer = error?.metadata.get(PROBLEMS_TRAILER)[0] as Buffer;
    const problems = Problems.decode(trailer).items;
    expect(problems).toContainEqual(
      expect.objectContaining({ name: 'bad', field: 'spec.rules[0].matches[0].path.type' }),
    );
    const listed = await unary<ListResponse>((cb) =>
      client.list({ kind: '', namespace: '' }, auth(), cb),
    );
    expect(listed.response?.items).toEqual([]);
  });

  it('answers a stale resourceVersion with ABORTED and keeps the first writer', async () => {
    await start();
    const created = await unary<ApplyResponse>((cb) =>
      client.apply({ manifest: route('shared', '/a') }, auth(), cb),
    );
    const version = created.response?.items[0]?.object?.metadata.resourceVersion as string;
    const a = await unary<ApplyResponse>((cb) =>
      client.apply({ manifest: route('shared', '/from-a', version) }, auth(), cb),
    );
    const b = await unary<ApplyResponse>((cb) =>
      client.apply({ manifest: route('shared', '/from-b', version) }, auth(), cb),
    );
    expect(a.error).toBeUndefined();
    expect(b.error?.code).toBe(status.ABORTED);
    const staleDelete = await unary<DeleteResponse>((cb) =>
      client.delete(
        {
          key: { kind: 'HTTPRoute', namespace: 'default', name: 'shared' },
          resourceVersion: version,
        },
        auth(),
        cb,
      ),
    );
    expect(staleDelete.error?.code).toBe(status.ABORTED);
    const got = await unary<ResourceMessage>((cb) =>
      client.get(
        {
          kind: 'HTTPRoute',
          namespace: 'default',
          name: 'shared',
        },
        auth(),
        cb,
      ),
    );
    expect(got.response?.object?.spec.rules[0].matches[0].path.value).toBe('/from-a');
  });

  it('refuses calls without the token with UNAUTHENTICATED', async () => {
    await start();
    const anonymous = await unary<ApplyResponse>((cb) =>
      client.apply({ manifest: route('x', '/x') }, new Metadata(), cb),
    );
    expect(anonymous.error?.code).toBe(status.UNAUTHENTICATED);
    const wrong = await unary<ApplyResponse>((cb) =>
      client.apply({ manifest: route('x', '/x') }, auth('wrong'), cb),
    );
    expect(wrong.error?.code).toBe(status.UNAUTHENTICATED);
    const read = await unary<ListResponse>((cb) =>
      client.list({ kind: '', namespace: '' }, new Metadata(), cb),
    );
    expect(read.error?.code).toBe(status.UNAUTHENTICATED);
  });

  it('with mutual TLS, serves a client with a certificate and refuses one without', async () => {
    const pki = makePki(dir);
    await start({
      token: undefined,
      tls: { cert: pki.serverCert, key: pki.serverKey, clientCa: pki.caCert },
    });
    const withCert = new ConfigServiceClient(
      `127.0.0.1:${server.grpcPort}`,
      credentials.createSsl(pki.caCert, pki.clientKey, pki.clientCert),
    );
    const withoutCert = new ConfigServiceClient(
      `127.0.0.1:${server.grpcPort}`,
      credentials.createSsl(pki.caCert),
    );
    try {
      const ok = await new Promise<ServiceError | null>((resolve) =>
        withCert.apply({ manifest: route('m', '/m') }, (error) => resolve(error)),
      );
      expect(ok).toBeNull();
      const refused = await new Promise<ServiceError | null>((resolve) =>
        withoutCert.apply(
          { manifest: route('n', '/n') },
          new Metadata(),
          { deadline: Date.now() + 5000 },
          (error) => resolve(error),
        ),
      );
      expect(refused?.code).toBe(status.UNAVAILABLE);
    } finally {
      withCert.close();
      withoutCert.close();
    }
  });
});

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl. */
function makePki(dir: string) {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  openssl([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-subj',
    '/CN=ca',
    '-days',
    '1',
  ]);
  const leaf = (name: string, ext: string) => {
    writeFileSync(join(dir, `${name}.ext`), ext);
    openssl([
      'req',
      ...ec,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=${name}`,
    ]);
    openssl([
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '1',
      '-extfile',
      `${name}.ext`,
    ]);
  };
  leaf('server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  leaf('client', 'extendedKeyUsage=clientAuth\n');
  const read = (file: string) => readFileSync(join(dir, file));
  return {
    caCert: read('ca.crt'),
    serverCert: read('server.crt'),
    serverKey: read('server.key'),
    clientCert: read('client.crt'),
    clientKey: read('client.key'),
  };
}
