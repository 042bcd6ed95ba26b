// ClientTrafficPolicy HTTP and connection settings as a client sees them through real Envoy (each
// field had only a config-dump proof): http1.enableTrailers passes HTTP/1 request trailers on to
// the backend, connection.bufferLimit makes a buffering filter refuse a body over it (413),
// connectionLimit.closeDelay holds a connection over the limit open before closing it,
// http2.initialConnectionWindowSize is the connection window an h2c client is granted,
// http2.connectionKeepalive PINGs an idle client, http2.onInvalidMessage TerminateStream keeps the
// connection of an invalid request, scheme MatchBackend gives an h2c backend its own :scheme, and
// tcpKeepalive and socketBufferLimit show on Envoy's side of the socket (keepalive timer and
// receive buffer, as `ss` shows them).
// Manifests -> egts's translators -> a static bootstrap -> Envoy; one listener per setting,
// `plain` without a policy as the control.

import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import {
  createServer as createH2cServer,
  type Http2Server,
  connect as http2Connect,
} from 'node:http2';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { ResourceStatus } from '@egts/api';
import type { EnvoyHandle } from '@egts/envoy-binary';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSigned } from '../internal/certificates.js';
import { startStaticEnvoy } from '../internal/staticEnvoy.js';
import * as fixture from './clientTrafficFixture.js';

/** Sends raw bytes on a new connection and collects what comes back until the peer closes or `ms`. */
const exchange = (port: number, data: string, until: (text: string) => boolean): Promise<string> =>
  new Promise((resolve) => {
    let text = '';
    const socket = netConnect({ host: '127.0.0.1', port }, () => socket.write(data));
    socket.setEncoding('utf8');
    const done = () => {
      socket.destroy();
      resolve(text);
    };
    const timer = setTimeout(done, 30_000);
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (until(text)) {
        clearTimeout(timer);
        done();
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      done();
    });
  });

/** When (ms after connecting) the peer closes a silent connection; Infinity if not within `ms`. */
const closedAfter = (port: number, ms: number): Promise<number> =>
  new Promise((resolve) => {
    const started = Date.now();
    const socket: Socket = netConnect({ host: '127.0.0.1', port });
    socket.on('error', () => {});
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(Number.POSITIVE_INFINITY);
    }, ms);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - started);
    });
  });

const LISTENERS = [
  'plain',
  'trailers',
  'buffer',
  'limit',
  'delay',
  'window',
  'keepalive',
  'invalid',
  'keepalivetcp',
  'socketbuffer',
];

/** HTTPS listeners: `scheme` with scheme MatchBackend, `tls` without a policy. */
const TLS_LISTENERS = ['scheme', 'tls'];

describe('[envoy] ClientTrafficPolicy HTTP and connection settings, as a client sees them', () => {
  let backend: Server;
  // An h2c backend for the trailers: HTTP/2 upstream carries them whatever the cluster's HTTP/1 options.
  let h2Backend: Http2Server;
  let envoy: EnvoyHandle | undefined;
  let ports: Record<string, number> = {};
  let statuses: readonly ResourceStatus[] = [];
  const port = (name: string) => ports[name] as number;

  beforeAll(async () => {
    h2Backend = createH2cServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.setHeader('seen-trailer', String(req.trailers['x-checksum'] ?? 'none'));
        res.setHeader('seen-scheme', req.scheme);
        res.end('ok');
      });
    });
    const h2Port = await fixture.listenOnFreePort(h2Backend);
    ports = await fixture.freePorts([...LISTENERS, ...TLS_LISTENERS]);
    backend = createServer((req, res) => {
      let length = 0;
      req.on('data', (chunk: Buffer) => {
        length += chunk.length;
      });
      req.on('end', () => {
        res.setHeader('seen-trailer', String(req.trailers['x-checksum'] ?? 'none'));
        res.setHeader('seen-length', String(length));
        res.end('ok');
      });
    });
    const backendPort = await fixture.listenOnFreePort(backend);
    const text = [
      fixture.gatewayWithListeners([
        ...LISTENERS.map((name) => fixture.httpListener(name, port(name))),
        ...TLS_LISTENERS.map((name) => fixture.httpsListener(name, port(name))),
      ]),
      fixture.serverCertificate(selfSigned(['www.example.com'])),
      fixture.echoService(backendPort),
      `---
apiVersion: v1
kind: Service
metadata: {name: h2, namespace: default}
spec: {ports: [{name: h2c, port: ${h2Port}, appProtocol: kubernetes.io/h2c}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: h2-1, namespace: default, labels: {kubernetes.io/service-name: h2}}
addressType: IPv4
endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
ports: [{name: h2c, port: ${h2Port}, appProtocol: kubernetes.io/h2c}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: echo, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules:
  - backendRefs: [{name: echo, port: ${backendPort}}]
  - matches: [{path: {type: PathPrefix, value: /trailers}}, {path: {type: PathPrefix, value: /scheme}}]
    backendRefs: [{name: h2, port: ${h2Port}}]
---
# A filter that buffers the whole request body on /buffered: the stream's buffer limit is the
# connection's, over it Envoy answers 413.
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyExtensionPolicy
metadata: {name: buffering, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: echo}]
  lua:
  - type: Inline
    inline: |
      function envoy_on_request(h)
        if h:headers():get(":path") == "/buffered" then h:body() end
      end
`,
      fixture.listenerPolicies({
        trailers: 'http1: {enableTrailers: true}',
        buffer: 'connection: {bufferLimit: 8Ki}',
        limit: 'connection: {connectionLimit: {value: 1}}',
        delay: 'connection: {connectionLimit: {value: 1, closeDelay: 3s}}',
        window: 'http2: {initialConnectionWindowSize: 2Mi}',
        keepalive: 'http2: {connectionKeepalive: {interval: 1s, timeout: 10s}}',
        scheme: 'scheme: MatchBackend',
        invalid: 'http2: {onInvalidMessage: TerminateStream}',
        keepalivetcp: 'tcpKeepalive: {idleTime: 20s, interval: 5s, probes: 3}',
        socketbuffer: 'connection: {socketBufferLimit: 256Ki}',
      }),
    ].join('');
    ({ envoy, statuses } = await startStaticEnvoy(text, 'ctp-http.yaml'));
  }, 120_000);

  afterAll(async () => {
    await envoy?.stop();
    await fixture.closeServer(backend);
    await fixture.closeServer(h2Backend);
  });

  it('accepts every policy', () => {
    const policies = statuses.filter((s) => s.kind === 'ClientTrafficPolicy');
    expect(policies).toHaveLength(LISTENERS.length);
    for (const policy of policies)
      expect(JSON.stringify(policy.status)).toContain('"type":"Accepted","status":"True"');
    const lua = statuses.find((s) => s.kind === 'EnvoyExtensionPolicy');
    expect(JSON.stringify(lua?.status)).toContain('"type":"Accepted","status":"True"');
  });

  it('passes HTTP/1 request trailers to the backend with http1.enableTrailers', async () => {
    const request =
      'POST /trailers HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\nte: trailers\r\n\r\n' +
      '5\r\nhello\r\n0\r\nx-checksum: abc123\r\n\r\n';
    // The h2 backend's answer comes back chunked.
    const done = (text: string) => text.includes('\r\n\r\n') && text.endsWith('0\r\n\r\n');
    const withTrailers = await exchange(port('trailers'), request, done);
    expect(withTrailers).toMatch(/^HTTP\/1\.1 200/);
    expect(withTrailers.toLowerCase()).toContain('seen-trailer: abc123');
    // Envoy's HTTP/1 codec drops trailers by default.
    const plain = await exchange(port('plain'), request, done);
    expect(plain).toMatch(/^HTTP\/1\.1 200/);
    expect(plain.toLowerCase()).toContain('seen-trailer: none');
  }, 60_000);

  it('answers 413 for a buffered body over connection.bufferLimit', async () => {
    const body = 'x'.repeat(20_000);
    const request = (path: string) =>
      `POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-length: ${body.length}\r\n\r\n${body}`;
    const done = (text: string) =>
      /\r\n\r\n/.test(text) && /^HTTP\/1\.1 (200[\s\S]*ok|413)/.test(text);
    // 20 000 bytes: over the policy's 8Ki, under the default 32Ki.
    expect(await exchange(port('buffer'), request('/buffered'), done)).toMatch(/^HTTP\/1\.1 413/);
    const plain = await exchange(port('plain'), request('/buffered'), done);
    expect(plain).toMatch(/^HTTP\/1\.1 200/);
    expect(plain.toLowerCase()).toContain('seen-length: 20000');
    // Not buffered: streamed through whatever its size.
    expect(await exchange(port('buffer'), request('/'), done)).toMatch(/^HTTP\/1\.1 200/);
  }, 60_000);

  it('holds a connection over the limit open for connectionLimit.closeDelay', async () => {
    // One connection held open on each listener fills its limit of 1.
    const holders = [port('limit'), port('delay')].map((p) => {
      const s = netConnect({ host: '127.0.0.1', port: p });
      s.on('error', () => {});
      return s;
    });
    try {
      await fixture.sleep(1_000);
      const [immediate, delayed] = await Promise.all([
        closedAfter(port('limit'), 30_000),
        closedAfter(port('delay'), 30_000),
      ]);
      // closeDelay 3s: not before ~3 s; without it, closed as soon as seen (and sooner).
      expect(delayed).toBeGreaterThanOrEqual(2_500);
      expect(delayed).toBeLessThan(30_000);
      expect(immediate).toBeLessThan(delayed);
      for (const holder of holders) expect(holder.destroyed).toBe(false);
    } finally {
      for (const holder of holders) holder.destroy();
    }
  }, 60_000);

  it('grants an h2c client the http2.initialConnectionWindowSize', async () => {
    const window = async (name: string): Promise<number> => {
      const session = http2Connect(`http://127.0.0.1:${port(name)}`);
      try {
        session.on('error', () => {});
        await new Promise<void>((resolve, reject) => {
          const request = session.request({ ':path': '/' });
          request.on('response', () => {});
          request.resume();
          request.on('end', () => resolve());
          request.on('error', reject);
          request.end();
        });
        // The server's WINDOW_UPDATE on stream 0 has raised our send window over the 64 KiB default.
        return session.state.remoteWindowSize ?? 0;
      } finally {
        session.close();
      }
    };
    const granted = await window('window');
    const plain = await window('plain');
    // 2 MiB vs Envoy Gateway's default 1 MiB.
    expect(granted).toBe(2 * 1024 * 1024);
    expect(plain).toBe(1024 * 1024);
  }, 60_000);

  it('sends HTTP/2 PINGs on an idle connection with http2.connectionKeepalive', async () => {
    const pings = async (name: string): Promise<number> => {
      const session = http2Connect(`http://127.0.0.1:${port(name)}`);
      let count = 0;
      session.on('ping', () => {
        count++;
      });
      session.on('error', () => {});
      try {
        await new Promise<void>((resolve) => session.once('remoteSettings', () => resolve()));
        await fixture.sleep(4_000);
        return count;
      } finally {
        session.close();
      }
    };
    const [keepalive, plain] = await Promise.all([pings('keepalive'), pings('plain')]);
    // Interval 1 s (+15% jitter): at least one PING in 4 s; none without the policy.
    expect(keepalive).toBeGreaterThanOrEqual(1);
    expect(plain).toBe(0);
  }, 60_000);

  it('sends the backend its own scheme with scheme MatchBackend', async () => {
    const schemeSeen = (name: string): Promise<string> =>
      new Promise((resolve) => {
        let text = '';
        const socket = tlsConnect({
          host: '127.0.0.1',
          port: port(name),
          servername: 'www.example.com',
          rejectUnauthorized: false,
          ALPNProtocols: ['http/1.1'],
        });
        socket.setEncoding('utf8');
        socket.once('secureConnect', () =>
          socket.write('GET /scheme HTTP/1.1\r\nhost: www.example.com\r\n\r\n'),
        );
        const done = () => {
          socket.destroy();
          resolve(/seen-scheme: (\w+)/i.exec(text)?.[1] ?? text);
        };
        socket.on('data', (chunk: string) => {
          text += chunk;
          if (text.endsWith('0\r\n\r\n')) done();
        });
        socket.on('error', done);
        socket.on('close', done);
      });
    // HTTPS in front of an h2c backend: its :scheme is http with the policy, https without.
    expect(await schemeSeen('scheme')).toBe('http');
    expect(await schemeSeen('tls')).toBe('https');
  }, 60_000);

  it('resets only the stream of an invalid HTTP/2 request with onInvalidMessage TerminateStream', async () => {
    /** Sends a request whose content-length is not a number, then a valid one. */
    const afterInvalid = async (name: string): Promise<{ goaway: boolean; next: string }> => {
      const session = http2Connect(`http://127.0.0.1:${port(name)}`);
      let goaway = false;
      session.on('goaway', () => {
        goaway = true;
      });
      session.on('error', () => {});
      const send = (headers: Record<string, string>, body: string) =>
        new Promise<string>((resolve) => {
          try {
            const stream = session.request(headers);
            stream.on('response', (h) => resolve(String(h[':status'])));
            stream.on('error', (e: Error) => resolve(`error: ${e.message}`));
            stream.on('close', () => resolve(`closed ${stream.rstCode}`));
            // A GET stream is ended by request() already.
            if (body === '') stream.end();
            else stream.end(body);
          } catch (error) {
            resolve(`error: ${(error as Error).message}`);
          }
        });
      try {
        await send({ ':method': 'POST', ':path': '/', 'content-length': 'abc' }, 'abc');
        await fixture.sleep(500);
        const next = await send({ ':method': 'GET', ':path': '/' }, '');
        return { goaway: goaway || session.closed || session.destroyed, next };
      } finally {
        session.destroy();
      }
    };
    const stream = await afterInvalid('invalid');
    expect(stream).toEqual({ goaway: false, next: '200' });
    // Envoy's default: the whole connection is ended.
    const connection = await afterInvalid('plain');
    expect(connection.goaway).toBe(true);
    expect(connection.next).not.toBe('200');
  }, 60_000);

  it('arms the kernel TCP keepalive timer on accepted connections with tcpKeepalive', async () => {
    /** The timer `ss` shows on Envoy's side of an established connection to listener `name`. */
    const timer = async (name: string): Promise<string> => {
      const socket = netConnect({ host: '127.0.0.1', port: port(name) });
      socket.on('error', () => {});
      try {
        await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
        await fixture.sleep(300);
        return execFileSync('ss', ['-tnoH', 'state', 'established', `( sport = :${port(name)} )`], {
          encoding: 'utf8',
        });
      } finally {
        socket.destroy();
      }
    };
    // idleTime 20s: the first probe is due within 20 s; without the policy no keepalive timer.
    const armed = await timer('keepalivetcp');
    expect(armed).toMatch(/timer:\(keepalive,(1\d|[0-9]|20)(\.\d+)?sec/);
    const plain = await timer('plain');
    expect(plain).toContain(`:${port('plain')}`);
    expect(plain).not.toContain('keepalive');
  }, 60_000);

  it('sizes the receive buffer of accepted sockets with connection.socketBufferLimit', async () => {
    /** The receive buffer (`rb`, bytes) `ss` shows on Envoy's side of a connection to `name`. */
    const receiveBuffer = async (name: string): Promise<number> => {
      const socket = netConnect({ host: '127.0.0.1', port: port(name) });
      socket.on('error', () => {});
      try {
        await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
        await fixture.sleep(300);
        const out = execFileSync(
          'ss',
          ['-tmnH', 'state', 'established', `( sport = :${port(name)} )`],
          { encoding: 'utf8' },
        );
        return Number(/rb(\d+)/.exec(out)?.[1] ?? Number.NaN);
      } finally {
        socket.destroy();
      }
    };
    // SO_RCVBUF 256Ki: the kernel doubles it for its bookkeeping.
    expect(await receiveBuffer('socketbuffer')).toBe(2 * 256 * 1024);
    const plain = await receiveBuffer('plain');
    expect(plain).toBeGreaterThan(0);
    expect(plain).not.toBe(2 * 256 * 1024);
  }, 60_000);
});
