// Integration (real Envoy): a translated bootstrap serves traffic to local Node backends on
// 127.0.0.1. Path and header matching, a redirect, prefix rewrites, a weighted split, an HTTPS
// listener with a certificate generated here, header modifiers, a mirror, CORS, cookie session
// persistence, TCP and UDP proxies and TLS passthrough by SNI must behave as the routes say.
import { createSocket } from 'node:dgram';
import { createServer as createHttpServer, request as httpRequest, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect, createServer as createNetServer } from 'node:net';
import { createServer as createTlsServer, connect as tlsConnect } from 'node:tls';
import { type EnvoyHandle, freePort, startEnvoy } from '@egts/envoy-binary';
import type { DestinationSetting, HTTPRouteIR, RouteDestination, XdsIR } from '@egts/ir';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapToJson, translateBootstrap } from '../index.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Paths each backend has been asked for, by backend name. */
const seen = new Map<string, string[]>();

/** Each backend answers with its name and the request it saw. */
const startBackend = (name: string): Promise<Server> =>
  new Promise((resolve) => {
    seen.set(name, []);
    const server = createHttpServer((req, res) => {
      seen.get(name)?.push(req.url ?? '');
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          backend: name,
          path: req.url,
          host: req.headers.host,
          headers: req.headers,
        }),
      );
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });

/** A TCP echo server that prefixes what it sends back. */
const startEcho = (): Promise<ReturnType<typeof createNetServer>> =>
  new Promise((resolve) => {
    const server = createNetServer((socket) =>
      socket.on('data', (data) => socket.write(`echo:${data}`)),
    );
    server.listen(0, '127.0.0.1', () => resolve(server));
  });

/** A UDP echo server on 127.0.0.1. */
const startUdpEcho = (): Promise<ReturnType<typeof createSocket>> =>
  new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.on('message', (message, peer) => socket.send(`udp:${message}`, peer.port, peer.address));
    socket.bind(0, '127.0.0.1', () => resolve(socket));
  });

const udpRoundTrip = (port: number, message: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error('no UDP reply'));
    }, 30_000);
    socket.once('message', (reply) => {
      clearTimeout(timer);
      socket.close();
      resolve(reply.toString());
    });
    socket.send(message, port, '127.0.0.1');
  });

/** TLS client: the peer certificate's CN and the first bytes the server sends. */
const tlsRoundTrip = (port: number, servername: string, ca: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, servername, ca }, () =>
      socket.write('hi'),
    );
    socket.setEncoding('utf8');
    socket.once('data', (data: string) => {
      socket.end();
      resolve(data);
    });
    socket.once('error', reject);
  });

const tcpRoundTrip = (port: number, message: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(message));
    socket.setEncoding('utf8');
    socket.once('data', (data: string) => {
      socket.end();
      resolve(data);
    });
    socket.once('error', reject);
  });

const portOf = (server: Server): number => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening');
  return address.port;
};

const get = (
  port: number,
  path: string,
  headers: Record<string, string> = {},
  tls?: { servername: string; ca: string },
  method = 'GET',
): Promise<Reply> =>
  new Promise((resolve, reject) => {
    const options = { host: '127.0.0.1', port, path, headers, method, agent: false as const };
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

const backendOf = (
  reply: Reply,
): { backend: string; path: string; headers: Record<string, string> } => JSON.parse(reply.body);

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
  let echo: ReturnType<typeof createNetServer>;
  let tcpPort = 0;
  let tlsPort = 0;
  let udpPort = 0;
  let udpEcho: ReturnType<typeof createSocket>;
  let tlsBackend: ReturnType<typeof createTlsServer>;
  let envoy: EnvoyHandle | undefined;
  let httpPort = 0;
  let httpsPort = 0;
  let certificate = '';
  let passCertificate = '';

  beforeAll(async () => {
    [backendA, backendB] = await Promise.all([startBackend('a'), startBackend('b')]);
    const a = portOf(backendA);
    const b = portOf(backendB);
    echo = await startEcho();
    const echoAddress = echo.address();
    const echoPort = typeof echoAddress === 'object' && echoAddress ? echoAddress.port : 0;
    [httpPort, httpsPort, tcpPort, tlsPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    udpEcho = await startUdpEcho();
    const udpBackendPort = udpEcho.address().port;
    // Any free number will do for Envoy's UDP listener; TCP and UDP port spaces are separate.
    udpPort = await freePort();
    const pems = await generate([{ name: 'commonName', value: 'www.example.com' }], {
      keyType: 'ec',
      curve: 'P-256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'www.example.com' }] }],
    });
    certificate = pems.cert;
    // Passthrough: the backend, not Envoy, terminates TLS for pass.example.com.
    const passPems = await generate([{ name: 'commonName', value: 'pass.example.com' }], {
      keyType: 'ec',
      curve: 'P-256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'pass.example.com' }] }],
    });
    passCertificate = passPems.cert;
    tlsBackend = createTlsServer({ cert: passPems.cert, key: passPems.private }, (socket) =>
      socket.once('data', () => socket.write('from-tls-backend')),
    );
    await new Promise<void>((resolve) => tlsBackend.listen(0, '127.0.0.1', resolve));
    const tlsBackendAddress = tlsBackend.address();
    const tlsBackendPort =
      typeof tlsBackendAddress === 'object' && tlsBackendAddress ? tlsBackendAddress.port : 0;
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
            route('modify', {
              pathMatch: { type: 'PathPrefix', value: '/modify' },
              addRequestHeaders: [{ name: 'x-set', value: 'by-envoy', append: false }],
              removeRequestHeaders: ['x-secret'],
              addResponseHeaders: [{ name: 'x-served-by', value: 'egts', append: false }],
              mirrors: [
                {
                  destination: destination('modify/mirror', [
                    setting('modify/mirror/backend/0', b),
                  ]),
                },
              ],
              destination: toA('modify'),
            }),
            route('cors', {
              pathMatch: { type: 'PathPrefix', value: '/cors' },
              cors: {
                allowOrigins: ['https://*.example.com'],
                allowMethods: ['GET', 'PUT'],
                allowHeaders: ['x-requested-with'],
                exposeHeaders: [],
                maxAgeSeconds: 60,
                allowCredentials: false,
              },
              destination: toA('cors'),
            }),
            route('sticky', {
              pathMatch: { type: 'PathPrefix', value: '/sticky' },
              sessionPersistence: { type: 'Cookie', name: 'egts-session', ttlSeconds: 300 },
              destination: destination('sticky', [
                {
                  ...setting('sticky/backend/0', a),
                  endpoints: [
                    { host: '127.0.0.1', port: a, ready: true },
                    { host: '127.0.0.1', port: b, ready: true },
                  ],
                },
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
      tcp: [
        {
          name: 'default/traffic/tcp',
          address: '127.0.0.1',
          port: tcpPort,
          externalPort: 5000,
          routes: [
            {
              name: 'tcproute/default/echo',
              source: { kind: 'TCPRoute', namespace: 'default', name: 'echo', ruleIndex: 0 },
              sniHostnames: [],
              destination: destination('echo', [
                { ...setting('echo/backend/0', echoPort), protocol: 'TCP' },
              ]),
            },
          ],
        },
        {
          name: 'default/traffic/tls',
          address: '127.0.0.1',
          port: tlsPort,
          externalPort: 443,
          routes: [
            {
              name: 'tlsroute/default/pass',
              source: { kind: 'TLSRoute', namespace: 'default', name: 'pass', ruleIndex: 0 },
              sniHostnames: ['pass.example.com'],
              tls: { mode: 'Passthrough', certificates: [], alpnProtocols: [] },
              destination: destination('pass', [
                { ...setting('pass/backend/0', tlsBackendPort), protocol: 'TLS' },
              ]),
            },
          ],
        },
      ],
      udp: [
        {
          name: 'default/traffic/udp',
          address: '127.0.0.1',
          port: udpPort,
          externalPort: 53,
          route: {
            name: 'udproute/default/echo',
            source: { kind: 'UDPRoute', namespace: 'default', name: 'echo', ruleIndex: 0 },
            destination: destination('udp-echo', [
              { ...setting('udp-echo/backend/0', udpBackendPort), protocol: 'UDP' },
            ]),
          },
        },
      ],
    };
    envoy = startEnvoy({
      config: bootstrapToJson(translateBootstrap(ir)) as object,
      logLevel: 'warn',
    });
    await envoy.ready();
  });

  afterAll(async () => {
    await envoy?.stop();
    await new Promise((resolve) => (echo ? echo.close(resolve) : resolve(undefined)));
    await new Promise((resolve) => (tlsBackend ? tlsBackend.close(resolve) : resolve(undefined)));
    udpEcho?.close();
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

  it('modifies request and response headers and mirrors requests', async () => {
    const reply = await get(httpPort, '/modify/m1', { 'x-secret': 'hidden', 'x-set': 'client' });
    const seenBy = backendOf(reply);
    expect(seenBy.backend).toBe('a');
    expect(seenBy.headers['x-set']).toBe('by-envoy');
    expect(seenBy.headers['x-secret']).toBeUndefined();
    expect(reply.headers['x-served-by']).toBe('egts');
    // The mirror copy reaches backend b asynchronously.
    const deadline = Date.now() + 5_000;
    while (!seen.get('b')?.includes('/modify/m1') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(seen.get('b')).toContain('/modify/m1');
  });

  it('answers CORS preflights for allowed origins only', async () => {
    const preflight = (origin: string) =>
      get(
        httpPort,
        '/cors',
        { origin, 'access-control-request-method': 'PUT' },
        undefined,
        'OPTIONS',
      );
    const allowed = await preflight('https://app.example.com');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(allowed.headers['access-control-allow-methods']).toBe('GET,PUT');
    const denied = await preflight('https://evil.test');
    expect(denied.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('keeps a session on one endpoint with the cookie Envoy sets', async () => {
    const first = await get(httpPort, '/sticky');
    const setCookie = [first.headers['set-cookie'] ?? []].flat();
    const cookie = setCookie.find((c) => c.startsWith('egts-session='))?.split(';')[0];
    expect(cookie).toBeDefined();
    const pinned = backendOf(first).backend;
    for (let i = 0; i < 20; i++) {
      const reply = await get(httpPort, '/sticky', { cookie: cookie ?? '' });
      expect(backendOf(reply).backend).toBe(pinned);
    }
  });

  it('proxies TCP', async () => {
    expect(await tcpRoundTrip(tcpPort, 'hello')).toBe('echo:hello');
  });

  it('proxies UDP', async () => {
    expect(await udpRoundTrip(udpPort, 'ping')).toBe('udp:ping');
  });

  it('passes TLS through by SNI to the backend that terminates it', async () => {
    expect(await tlsRoundTrip(tlsPort, 'pass.example.com', passCertificate)).toBe(
      'from-tls-backend',
    );
    // No chain for other names: the connection is closed before any handshake.
    await expect(tlsRoundTrip(tlsPort, 'other.example.com', passCertificate)).rejects.toThrow();
  });
});
