// A local stand-in for the suite's echo-basic backend: answers every HTTP request with JSON naming
// the request it saw (path, host, method, proto, headers) and the pod and namespace that answered.
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { acceptEchoWebSocket } from './websocket.js';

/** What echo-basic answers, as the suite's roundtripper reads it. */
export interface EchoResponse {
  path: string;
  host: string;
  method: string;
  proto: string;
  headers: Record<string, string[]>;
  namespace: string;
  ingress: string;
  service: string;
  pod: string;
  httpPort: string;
  /** The TLS connection, when the request came over TLS (echo-basic's TLSAssertions). */
  tls?: {
    version: string;
    serverName: string;
    negotiatedProtocol?: string;
    cipherSuite: string;
    /** The client's certificate, PEM, when it presented one. */
    peerCertificates?: string[];
  };
}

export interface EchoServer {
  readonly namespace: string;
  readonly pod: string;
  readonly port: number;
  /** The paths of the requests answered so far (echo-basic logs each; the suite reads the logs). */
  readonly requests?: readonly string[];
  close(): Promise<void>;
}

/** A Go duration such as `1s` or `500ms`, in milliseconds (0 when absent or unreadable). */
const durationMs = (value: string | null): number => {
  const match = value ? /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(value) : null;
  if (!match) return 0;
  const scale = { ms: 1, s: 1_000, m: 60_000 }[match[2] as 'ms' | 's' | 'm'];
  return Number(match[1]) * scale;
};

/**
 * echo-basic's `/status/<code>`: answers with that status and nothing else (no body, no content
 * type), the suite's way of making a backend fail on purpose.
 */
const statusAsked = (url: string): number | undefined => {
  const match = /^\/status\/(\d{3})$/.exec(new URL(url, 'http://echo').pathname);
  return match ? Number(match[1]) : undefined;
};

/** echo-basic's `?delay=1s` / `?delay=500ms`: wait that long before answering. */
const delayMs = (url: string): number =>
  durationMs(new URL(url, 'http://echo').searchParams.get('delay'));

/**
 * echo-basic's retry simulation, as the suite's retry tests drive it: the first `succeedAfter`
 * requests carrying the same `uuid` fail, after `delayRetry`, with `responseCode` (or, without one,
 * with the connection dropped); later ones are echoed. Undefined when the request asks for none.
 */
const retryFailure = (
  url: string,
  attempts: Map<string, number>,
): { code?: number; delayMs: number } | undefined => {
  const query = new URL(url, 'http://echo').searchParams;
  const succeedAfter = query.get('succeedAfter');
  if (succeedAfter === null) return undefined;
  const key = query.get('uuid') ?? '';
  const attempt = (attempts.get(key) ?? 0) + 1;
  attempts.set(key, attempt);
  if (attempt > Number(succeedAfter)) return undefined;
  const code = query.get('responseCode');
  return {
    ...(code ? { code: Number(code) } : {}),
    delayMs: durationMs(query.get('delayRetry')),
  };
};

const tlsAssertions = (socket: TLSSocket): NonNullable<EchoResponse['tls']> => {
  const protocol = socket.alpnProtocol;
  const peer = socket.getPeerCertificate();
  const pem = peer?.raw
    ? `-----BEGIN CERTIFICATE-----\n${peer.raw
        .toString('base64')
        .replace(/(.{64})/g, '$1\n')
        .replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`
    : undefined;
  return {
    version: socket.getProtocol() ?? '',
    serverName: typeof socket.servername === 'string' ? socket.servername : '',
    ...(protocol ? { negotiatedProtocol: protocol } : {}),
    cipherSuite: socket.getCipher()?.standardName ?? '',
    ...(pem ? { peerCertificates: [pem] } : {}),
  };
};

/** Header names canonicalised as Go's net/http does (`x-echo-set` -> `X-Echo-Set`). */
const canonical = (name: string): string =>
  name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1).toLowerCase())
    .join('-');

const echoHeaders = (req: IncomingMessage): Record<string, string[]> => {
  const headers: Record<string, string[]> = {};
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = canonical(raw[i]!);
    if (name === 'Host') continue;
    headers[name] = [...(headers[name] ?? []), raw[i + 1]!];
  }
  return headers;
};

/**
 * With `tls`, the server speaks HTTPS with that certificate (echo-basic's TLS_SERVER_CERT); with
 * `clientCa` too, it asks for a client certificate and refuses one that CA did not sign, but
 * still serves clients without one (TLS_CLIENT_CACERTS, Go's VerifyClientCertIfGiven).
 */
export const startEchoServer = async (
  namespace: string,
  pod: string,
  tls?: { cert: string; key: string; clientCa?: string },
  /** Response headers every answer carries (`[name, value]`), as a stand-in image sends them. */
  fixedHeaders: readonly (readonly [string, string])[] = [],
): Promise<EchoServer> => {
  let port = 0;
  const requests: string[] = [];
  const retryAttempts = new Map<string, number>();
  const handler: RequestListener = (req, res) => {
    requests.push(req.url ?? '/');
    req.resume();
    const failure = retryFailure(req.url ?? '/', retryAttempts);
    if (failure) {
      req.on('end', () =>
        setTimeout(() => {
          if (failure.code === undefined) req.socket.destroy();
          else res.writeHead(failure.code, ['content-length', '0']).end();
        }, failure.delayMs),
      );
      return;
    }
    const status = statusAsked(req.url ?? '/');
    if (status !== undefined) {
      req.on('end', () => res.writeHead(status, ['content-length', '0']).end());
      return;
    }
    req.on('end', () => setTimeout(() => answer(), delayMs(req.url ?? '/')));
    const answer = () => {
      const body: EchoResponse = {
        path: req.url ?? '/',
        host: req.headers.host ?? '',
        method: req.method ?? 'GET',
        proto: `HTTP/${req.httpVersion}`,
        headers: echoHeaders(req),
        namespace,
        ingress: '',
        service: '',
        pod,
        httpPort: String(port),
        ...(tls ? { tls: tlsAssertions(req.socket as TLSSocket) } : {}),
      };
      const text = JSON.stringify(body);
      // echo-basic sets the response headers named in X-Echo-Set-Header ("Name:value,..."), one
      // line per name with repeated names joined by ",", so response filters have values to change.
      const set = new Map<string, string>();
      for (const list of String(req.headers['x-echo-set-header'] ?? '').split(',')) {
        const at = list.indexOf(':');
        if (at <= 0) continue;
        const name = list.slice(0, at).trim();
        const value = list.slice(at + 1).trim();
        set.set(name, set.has(name) ? `${set.get(name)},${value}` : value);
      }
      const echoSet = [...set].flat();
      res.writeHead(200, [
        'content-type',
        'application/json',
        'x-content-type-options',
        'nosniff',
        'content-length',
        String(Buffer.byteLength(text)),
        ...echoSet,
        ...fixedHeaders.flat(),
      ]);
      res.end(text);
    };
  };
  const server: Server = tls
    ? createTlsServer(
        {
          cert: tls.cert,
          key: tls.key,
          ...(tls.clientCa
            ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: false }
            : {}),
        },
        handler,
      )
    : createServer(handler);
  if (tls?.clientCa)
    server.on('secureConnection', (socket: TLSSocket) => {
      const given = socket.getPeerCertificate()?.raw !== undefined;
      if (given && !socket.authorized) socket.destroy();
    });
  server.keepAliveTimeout = 1_000;
  // echo-basic's `/ws` (appProtocol kubernetes.io/ws ports reach the same HTTP port).
  const upgraded = new Set<Duplex>();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgraded.add(socket);
    socket.on('close', () => upgraded.delete(socket));
    acceptEchoWebSocket(req, socket, head);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  port = (server.address() as AddressInfo).port;
  return {
    namespace,
    pod,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        for (const socket of upgraded) socket.destroy();
        server.close(() => resolve());
      }),
  };
};
