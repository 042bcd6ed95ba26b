// The Wasm cache: fetches a module once, checks its sha256, keeps it on disk under the checksum
// and serves it; a wrong checksum or a failed fetch leaves the module unavailable with the reason.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HTTPRouteIR, WasmModule, XdsIR } from '@egts/ir';
import { afterEach, describe, expect, it } from 'vitest';
import { createWasmCache, type WasmCache } from '../index.js';

const BODY = Buffer.from('\0asm\x01\0\0\0 a module');
const SHA = createHash('sha256').update(BODY).digest('hex');

const irWith = (modules: WasmModule[]): XdsIR => ({
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
          extensions: { policy: 'default/p', lua: [], extProc: [], wasm: modules },
        } satisfies HTTPRouteIR,
      ],
    },
  ],
  tcp: [],
  udp: [],
});

const wasmOf = (ir: XdsIR) => ir.http[0]?.routes[0]?.extensions?.wasm ?? [];

let source: Server | undefined;
let fetches = 0;
const caches: WasmCache[] = [];
const dirs: string[] = [];

const serveSource = async (): Promise<string> => {
  source = createServer((req, res) => {
    fetches += 1;
    if (req.url === '/plugin.wasm') res.end(BODY);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => source!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(source.address() as AddressInfo).port}`;
};

const cacheIn = (dir: string): WasmCache => {
  const cache = createWasmCache({ dir });
  caches.push(cache);
  return cache;
};

afterEach(async () => {
  await Promise.all(caches.splice(0).map((c) => c.close()));
  source?.close();
  source = undefined;
  fetches = 0;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const module = (url: string, sha256?: string): WasmModule => ({
  name: 'default/p/wasm/0',
  code: { url, ...(sha256 ? { sha256 } : {}) },
  failOpen: false,
  hostKeys: [],
});

describe('Wasm cache', () => {
  it('hands an IR without Wasm modules back as it is, at once (no promise)', () => {
    const ir = irWith([]);
    expect(cacheIn(mkdtempSync(join(tmpdir(), 'egts-wasm-test-'))).resolve(ir)).toBe(ir);
  });

  it('fetches, checks and serves a module, and keeps it on disk across restarts', async () => {
    const origin = await serveSource();
    const dir = mkdtempSync(join(tmpdir(), 'egts-wasm-test-'));
    dirs.push(dir);
    const cache = cacheIn(dir);
    const base = await cache.listen();
    const [withSha, withoutSha] = wasmOf(
      await cache.resolve(
        irWith([module(`${origin}/plugin.wasm`, SHA), module(`${origin}/plugin.wasm`)]),
      ),
    );
    expect(withSha?.served).toEqual({ url: `${base}/${SHA}.wasm`, sha256: SHA });
    expect(withoutSha?.served?.sha256).toBe(SHA);
    const served = Buffer.from(await (await fetch(`${base}/${SHA}.wasm`)).arrayBuffer());
    expect(served.equals(BODY)).toBe(true);
    expect(fetches).toBe(2);

    // A new cache on the same folder has the module without fetching it again.
    await cache.close();
    const restarted = cacheIn(dir);
    await restarted.listen();
    const [again] = wasmOf(await restarted.resolve(irWith([module(`${origin}/plugin.wasm`, SHA)])));
    expect(again?.served?.sha256).toBe(SHA);
    expect(fetches).toBe(2);
  });

  it('leaves a module unavailable on a wrong checksum or a failed fetch', async () => {
    const origin = await serveSource();
    const dir = mkdtempSync(join(tmpdir(), 'egts-wasm-test-'));
    dirs.push(dir);
    const cache = cacheIn(dir);
    await cache.listen();
    const [wrong, missing] = wasmOf(
      await cache.resolve(
        irWith([module(`${origin}/plugin.wasm`, 'b'.repeat(64)), module(`${origin}/missing.wasm`)]),
      ),
    );
    expect(wrong?.served).toBeUndefined();
    expect(wrong?.unavailable).toContain(`has sha256 ${SHA}`);
    expect(missing?.unavailable).toContain('answered 404');
    // Nothing the cache did not check is served.
    expect((await fetch(`${await cache.listen()}/${'b'.repeat(64)}.wasm`)).status).toBe(404);
  });

  it('fetches a module without sha256 again per policy version with pullPolicy Always only', async () => {
    const origin = await serveSource();
    const dir = mkdtempSync(join(tmpdir(), 'egts-wasm-test-'));
    dirs.push(dir);
    const cache = cacheIn(dir);
    await cache.listen();
    const pulled = (pullPolicy: 'Always' | 'IfNotPresent', pullVersion?: string): WasmModule => {
      const m = module(`${origin}/plugin.wasm`);
      return { ...m, code: { ...m.code, pullPolicy, ...(pullVersion ? { pullVersion } : {}) } };
    };
    await cache.resolve(irWith([pulled('IfNotPresent')]));
    expect(fetches).toBe(1);
    // IfNotPresent: the module fetched for the URL, whatever the policy became.
    await cache.resolve(irWith([pulled('IfNotPresent')]));
    expect(fetches).toBe(1);
    // Always: fetched for each version of the policy, once per version.
    await cache.resolve(irWith([pulled('Always', 'v1')]));
    expect(fetches).toBe(2);
    await cache.resolve(irWith([pulled('Always', 'v1')]));
    expect(fetches).toBe(2);
    await cache.resolve(irWith([pulled('Always', 'v2')]));
    expect(fetches).toBe(3);
  });

  it('names the host proxies reach it by (Kubernetes mode: the egts Service)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'egts-wasm-test-'));
    dirs.push(dir);
    const cache = createWasmCache({ dir, host: '127.0.0.1', publicHost: 'envoy-gateway.ns.svc' });
    caches.push(cache);
    expect(await cache.listen()).toMatch(/^http:\/\/envoy-gateway\.ns\.svc:\d+$/);
  });
});
