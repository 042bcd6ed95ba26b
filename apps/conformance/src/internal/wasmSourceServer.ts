// A stand-in for a web server publishing a Wasm module that its author updates: it serves Envoy
// Gateway's example module (its response header `x-wasm-custom: FOO`) at any `.wasm` path until
// `GET /publish/bar` replaces it with a copy answering `BAR` (the same bytes with the header value
// changed: still a valid module). egts's pullPolicy test (wasmPullPolicy.ts) reads it through the
// control plane's Wasm cache.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { StandInServer } from './cluster.js';
import { listenLocally } from './listenLocally.js';

const HEADER = 'X-Wasm-custom\0';

/** The example module at `path`, and its copy whose header value is `BAR`. */
export function exampleModules(path: string): { foo: Buffer; bar: Buffer } {
  const foo = readFileSync(path);
  const at = foo.indexOf(`${HEADER}FOO\0`);
  if (at < 0) throw new Error(`${path}: the header value FOO is not where expected`);
  const bar = Buffer.from(foo);
  bar.write('BAR', at + HEADER.length);
  return { foo, bar };
}

export async function startWasmSourceServer(modulePath: string): Promise<StandInServer> {
  const { foo, bar } = exampleModules(modulePath);
  let published = foo;
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://source').pathname;
    if (path === '/publish/bar') {
      published = bar;
      res.writeHead(200).end('published BAR');
    } else if (path.endsWith('.wasm')) {
      res.writeHead(200, { 'content-type': 'application/wasm' }).end(published);
    } else res.writeHead(404).end();
  });
  return listenLocally(server);
}
