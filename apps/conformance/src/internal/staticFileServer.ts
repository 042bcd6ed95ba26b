// A local stand-in for Envoy Gateway's e2e static-file-server: serves the files of a folder
// (the suite's servers/static-file-server/files: JWKS documents, Wasm modules) over plain HTTP,
// or over HTTPS when its Deployment mounts a serving certificate (as the Go server does when its
// certificate folder holds tls.crt).
import { readFile } from 'node:fs/promises';
import { createServer, type RequestListener } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { join, normalize } from 'node:path';
import type { EchoServer } from './echoServer.js';
import { listenLocally } from './listenLocally.js';

export const startStaticFileServer = (
  root: string,
  namespace: string,
  pod: string,
  tls?: { cert: Buffer; key: Buffer },
): Promise<EchoServer> => {
  const serve: RequestListener = (req, res) => {
    const path = normalize(new URL(req.url ?? '/', 'http://files').pathname);
    // normalize() resolves `..`; anything still escaping the root is refused.
    if (path.includes('..')) {
      res.writeHead(400).end();
      return;
    }
    readFile(join(root, path)).then(
      (body) => {
        const type = path.endsWith('.json') ? 'application/json' : 'application/octet-stream';
        res.writeHead(200, { 'content-type': type }).end(body);
      },
      () => res.writeHead(404).end(),
    );
  };
  const server = tls ? createTlsServer(tls, serve) : createServer(serve);
  return listenLocally(server).then((listening) => ({ namespace, pod, ...listening }));
};
