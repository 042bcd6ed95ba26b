// Integration (real Envoy): a translated bootstrap serves traffic to local Node backends on
// 127.0.0.1. Path and header matching, a redirect, prefix rewrites, a weighted split and an HTTPS
// listener with a certificate generated here must behave as the routes say.
import { createServer as createHttpServer, request as httpRequest, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer as createNetServer } from 'node:net';
import { type EnvoyHandle, startEnvoy } from '@egts/envoy-binary';
import type { DestinationSetting, HTTPRouteIR, RouteDestination, XdsIR } from '@egts/ir';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapToJson, translateBootstrap } from '../index.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Each backend answers with its name and the request it saw. */
const startBackend = (name: string): Promise<Server> =>
  new Promise((resolve) => {
    const server = createHttpServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ backend: name, path: req.url, host: req.headers.host }));
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });

const portOf = (server: Server): number => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening');
  return address.port;
};

/** A port free right now on 127.0.0.1, for Envoy to bind (listeners are keyed by port). */
const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

const get = (
  port: number,
  path: string,
  headers: Record<string, string> = {},
  tls?: { servername: string; ca: string },
): Promise<Reply> =>
  new Promise((resolve, reject) => {
    const options = { host: '127.0.0.1', port, path, headers, agent: false as const };
    const req =
      tls === undefined
        ? httpRequest(options)
        : httpsRequest({ ...options, servername: tls.servername, ca: tls.ca });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });

const backendOf = (reply: Reply): { backend: string; path: string } => JSON.parse(reply.body);

const setting = (name: string, port: number, weight = 1): DestinationSetting => ({
  name,
  weight,
  protocol: 'HTTP',
  addressType: 'IP',
  endpoints: [{ host: '127.0.0.1', port, ready: true }],
});

const destination = (name: string, settings: DestinationSetting[]): RouteDestination => ({
  name,
  settings,
});

const route = (name: string, fields: Partial<HTTPRouteIR>): HTTPRouteIR => ({
  name: `httproute/default/${name}/rule/0/match/0/_`,
  hostname: '*',
  headerMatches: [],
  queryParamMatches: [],
  addRequestHeaders: [],
  removeRequestHeaders: [],
  addResponseHeaders: [],
  removeResponseHeaders: [],
  mirrors: [],
  grpc: false,
  source: { kind: 'HTTPRoute', namespace: 'default', name },
  ...fields,
});

describe('[envoy] traffic through a translated bootstrap', () => {
  let backendA: Server;
  let backendB: Server;
  let envoy: EnvoyHandle | undefined;
  let httpPort = 0;
  let httpsPort = 0;
  let certificate = '';

  beforeAll(async () => {
    [backendA, backendB] = await Promise.all([startBackend('a'), startBackend('b')]);
    const a = portOf(backendA);
    const b = portOf(backendB);
    [httpPort, httpsPort] = [await freePort(), await freePort()];
    const pems = await generate([{ name: 'commonName', value: 'www.example.com' }], {
      keyType: 'ec',
      curve: 'P-256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'www.example.com' }] }],
    });
    certificate = pems.cert;
    const toA = (name: string) => destination(`${name}/a`, [setting(`${name}/a/backend/0`, a)]);
    const ir: XdsIR = {
      name: 'default/traffic',
      http: [
        {
          name: 'default/traffic/http',
          address: '127.0.0.1',
          port: httpPort,
          externalPort: 80,
          hostnames: ['*'],
          routes: [
            route('exact', {
              pathMatch: { type: 'Exact', value: '/exact' },
              destination: toA('exact'),
            }),
            route('header', {
              pathMatch: { type: 'PathPrefix', value: '/' },
              headerMatches: [{ name: 'x-pick', type: 'Exact', value: 'b' }],
              destination: destination('header/b', [setting('header/b/backend/0', b)]),
            }),
            route('redirect', {
              pathMatch: { type: 'PathPrefix', value: '/old' },
              redirect: {
                scheme: 'https',
                hostname: 'example.org',
                path: { prefixMatchReplace: '/new' },
                statusCode: 301,
              },
            }),
            route('rewrite', {
              pathMatch: { type: 'PathPrefix', value: '/rewrite' },
              urlRewrite: { path: { prefixMatchReplace: '/rewritten' }, hostname: 'inner.test' },
              destination: toA('rewrite'),
            }),
            route('strip', {
              pathMatch: { type: 'PathPrefix', value: '/strip' },
              urlRewrite: { path: { prefixMatchReplace: '/' } },
              destination: toA('strip'),
            }),
            route('weighted', {
              pathMatch: { type: 'PathPrefix', value: '/weighted' },
              destination: destination('weighted', [
                setting('weighted/backend/0', a, 3),
                setting('weighted/backend/1', b, 1),
              ]),
            }),
            route('catchall', { destination: toA('catchall') }),
          ],
        },
        {
          name: 'default/traffic/https',
          address: '127.0.0.1',
          port: httpsPort,
          externalPort: 443,
          hostnames: ['www.example.com'],
          tls: {
            mode: 'Terminate',
            certificates: [
              { name: 'default/www-cert', certificate: pems.cert, privateKey: pems.private },
            ],
            alpnProtocols: ['http/1.1'],
          },
          routes: [
            route('secure', {
              hostname: 'www.example.com',
              destination: destination('secure/b', [setting('secure/b/backend/0', b)]),
            }),
          ],
        },
      ],
      tcp: [],
      udp: [],
    };
    envoy = startEnvoy({
      config: bootstrapToJson(translateBootstrap(ir)) as object,
      logLevel: 'warn',
    });
    await envoy.ready();
  }, 30_000);

  afterAll(async () => {
    await envoy?.stop();
    await Promise.all(
      [backendA, backendB].map(
        (server) => new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined))),
      ),
    );
  });

  it('matches paths and headers', async () => {
    expect(backendOf(await get(httpPort, '/exact'))).toMatchObject({
      backend: 'a',
      path: '/exact',
    });
    expect(backendOf(await get(httpPort, '/anything', { 'x-pick': 'b' })).backend).toBe('b');
    expect(backendOf(await get(httpPort, '/anything', { 'x-pick': 'c' })).backend).toBe('a');
  });

  it('redirects', async () => {
    const reply = await get(httpPort, '/old/page');
    expect(reply.status).toBe(301);
    expect(reply.headers.location).toBe('https://example.org/new/page');
  });

  it('rewrites path prefixes and the host', async () => {
    const rewritten = JSON.parse((await get(httpPort, '/rewrite/x?q=1')).body);
    expect(rewritten).toMatchObject({ backend: 'a', path: '/rewritten/x?q=1', host: 'inner.test' });
    expect(backendOf(await get(httpPort, '/strip/y')).path).toBe('/y');
    expect(backendOf(await get(httpPort, '/strip')).path).toBe('/');
    // Whole segments only: "/stripped" is not under "/strip".
    expect(backendOf(await get(httpPort, '/stripped')).path).toBe('/stripped');
  });

  it('splits traffic by weight (3:1)', async () => {
    const counts = { a: 0, b: 0 };
    for (let i = 0; i < 200; i++) {
      const { backend } = backendOf(await get(httpPort, '/weighted'));
      counts[backend as 'a' | 'b'] += 1;
    }
    // Expected 150/50; bounds leave ~5 standard deviations either side.
    expect(counts.a).toBeGreaterThan(120);
    expect(counts.a).toBeLessThan(180);
    expect(counts.a + counts.b).toBe(200);
  });

  it('terminates TLS for the listener hostname with the generated certificate', async () => {
    const reply = await get(
      httpsPort,
      '/secure',
      { host: 'www.example.com' },
      {
        servername: 'www.example.com',
        ca: certificate,
      },
    );
    expect(reply.status).toBe(200);
    expect(backendOf(reply).backend).toBe('b');
    // Another SNI has no filter chain: the handshake fails.
    await expect(
      get(
        httpsPort,
        '/secure',
        { host: 'other.example.com' },
        {
          servername: 'other.example.com',
          ca: certificate,
        },
      ),
    ).rejects.toThrow();
  });
});
