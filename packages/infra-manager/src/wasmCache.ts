// The control plane's Wasm cache (Envoy Gateway's wasm cache server): it fetches the modules
// EnvoyExtensionPolicies name over HTTP(S) or from OCI images (ociImage.ts, with the pull
// secret's credentials), checks each against its sha256 (an image: its manifest digest) when one
// is given, keeps it on disk under its checksum (so a restart refetches nothing it has) and
// serves it to the proxies from a local HTTP server. A module without a checksum is fetched once
// per URL (pullPolicy IfNotPresent) or again whenever its policy changes (Always). resolve() fills the xDS IR in with where each module is
// served, or why it cannot be; the xDS translator points Envoy's Wasm filter there.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { get as httpsGet } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { HTTPListener, HTTPRouteIR, WasmModule, XdsIR } from '@egts/ir';
import { pullWasmImage, type RegistryFetch } from './internal/ociImage.js';

export interface WasmCacheOptions {
  /** Folder the modules are kept in, as `<sha256>.wasm`; created when missing. */
  readonly dir: string;
  /** Address the proxies reach the cache on (default 127.0.0.1; host mode). */
  readonly host?: string;
  /** Port to serve on (default: any free one). */
  readonly port?: number;
  /**
   * The host the proxies reach the cache by, when not the one it listens on (Kubernetes mode:
   * the egts Service's DNS name, whose port of the same number leads here).
   */
  readonly publicHost?: string;
  /**
   * How modules are fetched (default: the global fetch, or Node's HTTPS client verifying with the
   * source's CA when it names one).
   */
  readonly fetch?: WasmFetch;
  /** How long a failed fetch is remembered before it is tried again (default 30s). */
  readonly retryAfterMs?: number;
}

export interface WasmCache {
  /** Starts serving; resolves to the base URL the proxies load modules from. */
  listen(): Promise<string>;
  /**
   * `ir` with every Wasm module served or unavailable; unchanged objects where none is used. An IR
   * without Wasm modules (the usual case) comes back as it is, at once rather than as a promise,
   * so a pipeline can go on to its xDS translation in the same turn.
   */
  resolve(ir: XdsIR): XdsIR | Promise<XdsIR>;
  close(): Promise<void>;
}

type Outcome = { sha256: string } | { error: string };

/**
 * Fetches a module or a registry's answer (a GET); `ca`: the PEM CA an HTTPS source is verified
 * with. A redirect it answers is followed by the caller, without credentials.
 */
export type WasmFetch = RegistryFetch;

/** Node's response headers as a Headers object (repeated ones joined). */
const headersOf = (raw: Record<string, string | string[] | undefined>): Headers => {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw))
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  return headers;
};

/** An HTTPS GET verified with `ca` (the global fetch takes no CA). */
const fetchWithCa: WasmFetch = (url, init) =>
  new Promise((resolve, reject) => {
    const options = { ca: init.ca, signal: init.signal, headers: init.headers ?? {} };
    const call = httpsGet(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve(
          new Response(Buffer.concat(chunks), {
            status: res.statusCode ?? 0,
            headers: headersOf(res.headers),
          }),
        ),
      );
      res.on('error', reject);
    });
    call.on('error', reject);
  });

const defaultFetch: WasmFetch = (url, init) =>
  init.ca === undefined
    ? fetch(url, { signal: init.signal, headers: init.headers ?? {} })
    : fetchWithCa(url, init);

const SHA256 = /^[0-9a-f]{64}\.wasm$/;

export const createWasmCache = (options: WasmCacheOptions): WasmCache => {
  const host = options.host ?? '127.0.0.1';
  const retryAfterMs = options.retryAfterMs ?? 30_000;
  const fetchUrl = options.fetch ?? defaultFetch;
  const fetched = new Map<string, { outcome: Promise<Outcome>; at: number }>();
  let server: Server | undefined;
  let base: string | undefined;

  /** Keeps `body` under its checksum; written aside then renamed (never half a module served). */
  const keep = async (body: Buffer): Promise<string> => {
    const sha256 = createHash('sha256').update(body).digest('hex');
    await mkdir(options.dir, { recursive: true });
    const file = join(options.dir, `${sha256}.wasm`);
    // A unique name each time: two sources of the same module may be fetched at once.
    const temporary = `${file}.${randomUUID()}.tmp`;
    await writeFile(temporary, body);
    await rename(temporary, file);
    return sha256;
  };

  /**
   * A module from an OCI image: the manifest is checked with the pull secret every time (as
   * Envoy Gateway's permission check), the layers fetched only when the module of that image
   * digest is not on disk yet (`images/<digest>` names its checksum).
   */
  const pullModule = async (code: WasmModule['code']): Promise<Outcome> => {
    let digest: string;
    let image: Awaited<ReturnType<typeof pullWasmImage>>;
    try {
      image = await pullWasmImage(code.url, {
        fetch: fetchUrl,
        expectedDigest: code.sha256,
        pullSecret: code.pullSecret,
        ca: code.ca,
        signal: AbortSignal.timeout(60_000),
      });
      digest = image.digest;
    } catch (error) {
      return { error: (error as Error).message };
    }
    const index = join(options.dir, 'images', digest);
    const known = await readFile(index, 'utf8').catch(() => undefined);
    if (known && existsSync(join(options.dir, `${known}.wasm`))) return { sha256: known };
    let body: Buffer;
    try {
      body = await image.module();
    } catch (error) {
      return { error: `pulling ${code.url}: ${(error as Error).message}` };
    }
    const sha256 = await keep(body);
    await mkdir(join(options.dir, 'images'), { recursive: true });
    await writeFile(index, sha256);
    return { sha256 };
  };

  const fetchModule = async (
    url: string,
    expected: string | undefined,
    ca: string | undefined,
  ): Promise<Outcome> => {
    // Already on disk under the checksum asked for: nothing to fetch (Envoy Gateway's pullPolicy
    // IfNotPresent).
    if (expected && existsSync(join(options.dir, `${expected}.wasm`))) return { sha256: expected };
    let body: Buffer;
    try {
      const response = await fetchUrl(url, { signal: AbortSignal.timeout(60_000), ca });
      if (!response.ok) return { error: `fetching ${url} answered ${response.status}` };
      body = Buffer.from(await response.arrayBuffer());
    } catch (error) {
      return { error: `fetching ${url} failed: ${(error as Error).message}` };
    }
    const sha256 = createHash('sha256').update(body).digest('hex');
    if (expected && sha256 !== expected)
      return { error: `the module at ${url} has sha256 ${sha256}, not ${expected}` };
    return { sha256: await keep(body) };
  };

  const outcomeOf = (module: WasmModule): Promise<Outcome> => {
    const { code } = module;
    // Each pull secret is checked on its own: a policy without the right one never loads an
    // image another policy could pull.
    const secret = code.pullSecret && createHash('sha256').update(code.pullSecret).digest('hex');
    // pullPolicy Always: fetched again for each version of the policy (the translator's
    // pullVersion); IfNotPresent (and a checksum) reuses what was fetched for the URL.
    const version = code.pullPolicy === 'Always' ? `|${module.name}@${code.pullVersion ?? ''}` : '';
    const key = `${code.type ?? 'HTTP'}|${code.url}|${code.sha256 ?? ''}|${secret ?? ''}${version}`;
    const known = fetched.get(key);
    if (known) return known.outcome;
    const fetching =
      code.type === 'Image' ? pullModule(code) : fetchModule(code.url, code.sha256, code.ca);
    const entry = {
      outcome: fetching.catch(
        (error: Error): Outcome => ({ error: `keeping ${module.code.url}: ${error.message}` }),
      ),
      at: Date.now(),
    };
    fetched.set(key, entry);
    // A failure is retried on a later resolve, once retryAfterMs has passed.
    void entry.outcome.then((outcome) => {
      if ('error' in outcome) setTimeout(() => fetched.delete(key), retryAfterMs).unref();
    });
    return entry.outcome;
  };

  const servedModule = async (module: WasmModule): Promise<WasmModule> => {
    const outcome = await outcomeOf(module);
    const { served: _served, unavailable: _unavailable, ...rest } = module;
    if ('error' in outcome) return { ...rest, unavailable: outcome.error };
    if (base === undefined) return { ...rest, unavailable: 'the Wasm cache is not serving' };
    return { ...rest, served: { url: `${base}/${outcome.sha256}.wasm`, sha256: outcome.sha256 } };
  };

  const resolveRoute = async (route: HTTPRouteIR): Promise<HTTPRouteIR> => {
    const modules = route.extensions?.wasm;
    if (!modules || modules.length === 0 || !route.extensions) return route;
    const wasm = await Promise.all(modules.map(servedModule));
    return { ...route, extensions: { ...route.extensions, wasm } };
  };

  const resolveListener = async (listener: HTTPListener): Promise<HTTPListener> => {
    if (!listener.routes.some((route) => (route.extensions?.wasm ?? []).length > 0))
      return listener;
    return { ...listener, routes: await Promise.all(listener.routes.map(resolveRoute)) };
  };

  return {
    async listen() {
      if (base !== undefined) return base;
      await mkdir(options.dir, { recursive: true });
      server = createServer((req, res) => {
        const name = (req.url ?? '/').slice(1).split('?')[0] ?? '';
        if (req.method !== 'GET' || !SHA256.test(name)) {
          res.writeHead(404).end();
          return;
        }
        readFile(join(options.dir, name)).then(
          (body) => res.writeHead(200, { 'content-type': 'application/wasm' }).end(body),
          () => res.writeHead(404).end(),
        );
      });
      const listening = server;
      await new Promise<void>((resolve, reject) => {
        listening.once('error', reject);
        listening.listen(options.port ?? 0, host, () => resolve());
      });
      const { port } = listening.address() as AddressInfo;
      const reachedAt = options.publicHost ?? host;
      base = `http://${reachedAt.includes(':') ? `[${reachedAt}]` : reachedAt}:${port}`;
      return base;
    },
    resolve(ir) {
      if (!ir.http.some((l) => l.routes.some((r) => (r.extensions?.wasm ?? []).length > 0)))
        return ir;
      return Promise.all(ir.http.map(resolveListener)).then((http) => ({ ...ir, http }));
    },
    async close() {
      const open = server;
      server = undefined;
      base = undefined;
      if (!open) return;
      open.closeAllConnections();
      await new Promise<void>((resolve) => open.close(() => resolve()));
    },
  };
};
