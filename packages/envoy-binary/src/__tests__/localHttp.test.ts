import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, localHttp } from '../index.js';

describe('localHttp', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/hang') return; // never answers
      if (req.url === '/half') {
        res.writeHead(200, { 'content-length': '100' });
        res.write('partial');
        return; // the body never completes
      }
      res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-type': 'text/plain' });
      res.end(`${req.method} ${req.url} é`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('gives the status and the UTF-8 body, GET by default', async () => {
    expect(await localHttp(`${base}/ready`)).toEqual({
      status: 200,
      body: 'GET /ready é',
      ok: true,
    });
    expect(await localHttp(`${base}/drain`, { method: 'POST' })).toMatchObject({
      body: 'POST /drain é',
    });
    expect(await localHttp(`${base}/missing`)).toMatchObject({ status: 404, ok: false });
  });

  it('rejects when nothing listens, or the answer or its body outlasts the timeout', async () => {
    await expect(localHttp(`http://127.0.0.1:${await freePort()}/`)).rejects.toThrow(
      /ECONNREFUSED/,
    );
    await expect(localHttp(`${base}/hang`, { timeoutMs: 200 })).rejects.toThrow(
      /no answer within 200 ms/,
    );
    await expect(localHttp(`${base}/half`, { timeoutMs: 200 })).rejects.toThrow();
  });
});
