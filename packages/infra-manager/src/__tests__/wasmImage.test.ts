// Wasm modules from OCI images through the Wasm cache, against a registry written here (the OCI
// distribution API, Bearer tokens from a token service as Docker Hub and GHCR issue them, or
// plain HTTP with Basic login as registry:2): the pull secret's login, the manifest digest check,
// both image layouts, HTTPS with the source's CA, and a check of the login on every pull even
// when the module is cached.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { generateCertificates } from '@egts/certgen';
import type { HTTPRouteIR, WasmModule, XdsIR } from '@egts/ir';
import { pack } from 'tar-stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createWasmCache, type WasmCache } from '../index.js';

const WASM = Buffer.from('\0asm\x01\0\0\0 an image module');
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const certificates = generateCertificates({ extraServerNames: ['127.0.0.1'] });

const tarGzip = async (name: string, content: Buffer): Promise<Buffer> => {
  const archive = pack();
  archive.entry({ name, size: content.length }, content);
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return gzipSync(Buffer.concat(chunks));
};

/** A one-image registry; `token`: Bearer auth from its token service, else Basic. */
const startRegistry = async (options: {
  tls: boolean;
  token: boolean;
  layout: 'oci' | 'docker';
}) => {
  const layer = options.layout === 'oci' ? WASM : await tarGzip('plugin.wasm', WASM);
  const config = Buffer.from('{}');
  const descriptor = (mediaType: string, bytes: Buffer) => ({
    mediaType,
    size: bytes.length,
    digest: `sha256:${sha(bytes)}`,
  });
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType:
        options.layout === 'oci'
          ? 'application/vnd.oci.image.manifest.v1+json'
          : 'application/vnd.docker.distribution.manifest.v2+json',
      config: descriptor('application/vnd.oci.image.config.v1+json', config),
      layers:
        options.layout === 'oci'
          ? [descriptor('application/vnd.module.wasm.content.layer.v1+wasm', layer)]
          : [descriptor('application/vnd.docker.image.rootfs.diff.tar.gzip', layer)],
    }),
  );
  const blobs = new Map([config, layer].map((b) => [`sha256:${sha(b)}`, b]));
  const basic = `Basic ${Buffer.from('user:secret').toString('base64')}`;
  const seen = { manifests: 0, blobs: 0 };
  let base = '';
  const serve: RequestListener = (req, res) => {
    const url = new URL(req.url ?? '/', 'http://registry');
    if (url.pathname === '/token') {
      const granted =
        req.headers.authorization === basic &&
        url.searchParams.get('scope') === 'repository:team/filter:pull';
      if (!granted) res.writeHead(401).end('{}');
      else res.writeHead(200).end(JSON.stringify({ token: 'granted' }));
      return;
    }
    const expected = options.token ? 'Bearer granted' : basic;
    if (req.headers.authorization !== expected) {
      res.setHeader(
        'www-authenticate',
        options.token
          ? `Bearer realm="${base}/token",service="registry.test"`
          : 'Basic realm="Registry Realm"',
      );
      res.writeHead(401).end(
        JSON.stringify({
          errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }],
        }),
      );
      return;
    }
    if (url.pathname === '/v2/team/filter/manifests/v1') {
      seen.manifests += 1;
      res
        .writeHead(200, { 'content-type': JSON.parse(manifest.toString()).mediaType })
        .end(manifest);
      return;
    }
    const blob = blobs.get(url.pathname.replace('/v2/team/filter/blobs/', ''));
    if (blob) seen.blobs += 1;
    res.writeHead(blob ? 200 : 404).end(blob);
  };
  const server: Server = options.tls
    ? createTlsServer({ ...certificates.envoyGateway }, serve)
    : createServer(serve);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  base = `${options.tls ? 'https' : 'http'}://${address}`;
  servers.push(server);
  return { image: `${address}/team/filter:v1`, address, digest: sha(manifest), seen };
};

const irWith = (module: WasmModule): XdsIR => ({
  name: 'default/eg',
  http: [
    {
      name: 'default/eg/http',
      address: '0.0.0.0',
      port: 10080,
      externalPort: 80,
      hostnames: ['*'],
      routes: [
        {
          name: 'r',
          hostname: '*',
          headerMatches: [],
          queryParamMatches: [],
          addRequestHeaders: [],
          removeRequestHeaders: [],
          addResponseHeaders: [],
          removeResponseHeaders: [],
          mirrors: [],
          grpc: false,
          source: { kind: 'HTTPRoute', namespace: 'default', name: 'r' },
          extensions: { policy: 'default/p', lua: [], extProc: [], wasm: [module] },
        } satisfies HTTPRouteIR,
      ],
    },
  ],
  tcp: [],
  udp: [],
});

const dockerConfig = (address: string, password = 'secret') =>
  JSON.stringify({
    auths: { [address]: { auth: Buffer.from(`user:${password}`).toString('base64') } },
  });

const servers: Server[] = [];
const caches: WasmCache[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(caches.splice(0).map((c) => c.close()));
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const newCache = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'egts-wasm-image-'));
  dirs.push(dir);
  const cache = createWasmCache({ dir });
  caches.push(cache);
  await cache.listen();
  return cache;
};

const resolved = async (cache: WasmCache, code: WasmModule['code']) => {
  const ir = await cache.resolve(
    irWith({ name: 'default/p/wasm/0', code, failOpen: false, hostKeys: [] }),
  );
  return ir.http[0]!.routes[0]!.extensions!.wasm![0]!;
};

describe('Wasm from OCI images', () => {
  it('pulls a module from a registry over HTTPS with its CA', async () => {
    const registry = await startRegistry({ tls: true, token: true, layout: 'oci' });
    const cache = await newCache();
    const module = await resolved(cache, {
      type: 'Image',
      url: registry.image,
      sha256: registry.digest,
      ca: certificates.ca,
      pullSecret: dockerConfig(registry.address),
    });
    expect(module.unavailable).toBeUndefined();
    expect(module.served?.sha256).toBe(sha(WASM));
    const served = await fetch(module.served!.url);
    expect(Buffer.from(await served.arrayBuffer())).toEqual(WASM);
  });

  it('extracts plugin.wasm from a Docker image on a plain HTTP registry', async () => {
    const registry = await startRegistry({ tls: false, token: false, layout: 'docker' });
    const cache = await newCache();
    const module = await resolved(cache, {
      type: 'Image',
      url: registry.image,
      pullSecret: dockerConfig(registry.address),
    });
    expect(module.unavailable).toBeUndefined();
    expect(module.served?.sha256).toBe(sha(WASM));
  });

  it('checks the login on every pull, though the module is cached', async () => {
    const registry = await startRegistry({ tls: false, token: false, layout: 'docker' });
    const cache = await newCache();
    const image = { type: 'Image' as const, url: registry.image, sha256: registry.digest };
    const pulled = await resolved(cache, { ...image, pullSecret: dockerConfig(registry.address) });
    expect(pulled.served).toBeDefined();
    const blobsFetched = registry.seen.blobs;
    const anonymous = await resolved(cache, image);
    expect(anonymous.unavailable).toContain('UNAUTHORIZED: authentication required');
    const wrong = await resolved(cache, {
      ...image,
      pullSecret: dockerConfig(registry.address, 'wrong'),
    });
    expect(wrong.unavailable).toContain('UNAUTHORIZED: authentication required');
    // The same image with another (right) secret: the manifest is checked, the layers are not
    // fetched again.
    const manifestsBefore = registry.seen.manifests;
    const again = await resolved(cache, {
      ...image,
      pullSecret: JSON.stringify({
        auths: { [`https://${registry.address}`]: { username: 'user', password: 'secret' } },
      }),
    });
    expect(again.served?.sha256).toBe(sha(WASM));
    expect(registry.seen.manifests).toBeGreaterThan(manifestsBefore);
    expect(registry.seen.blobs).toBe(blobsFetched);
  });

  it('refuses an image whose manifest digest is not the one asked for', async () => {
    const registry = await startRegistry({ tls: true, token: true, layout: 'oci' });
    const cache = await newCache();
    const module = await resolved(cache, {
      type: 'Image',
      url: registry.image,
      sha256: '0'.repeat(64),
      ca: certificates.ca,
      pullSecret: dockerConfig(registry.address),
    });
    expect(module.served).toBeUndefined();
    expect(module.unavailable).toContain(`has digest sha256:${registry.digest}`);
  });
});
