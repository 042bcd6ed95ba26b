// echo-basic on its h2c port (3001; a Service port with appProtocol kubernetes.io/h2c or
// targetPort 3001): the same JSON answer over cleartext HTTP/2 with prior knowledge; an HTTP/1
// request gets echo-basic's 400 "Expected h2c request", so that only an HTTP/2 upstream reaches it.
import { constants, createServer } from 'node:http2';
import { type AddressInfo, connect, createServer as createNetServer, type Socket } from 'node:net';
import type { EchoResponse, EchoServer } from './echoServer.js';

const canonical = (name: string): string =>
  name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1).toLowerCase())
    .join('-');

export const startH2cEchoServer = async (namespace: string, pod: string): Promise<EchoServer> => {
  let port = 0;
  const server = createServer();
  server.on('stream', (stream, headers) => {
    const echoed: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (name.startsWith(':') || value === undefined) continue;
      echoed[canonical(name)] = Array.isArray(value) ? value : [String(value)];
    }
    const body: EchoResponse = {
      path: String(headers[constants.HTTP2_HEADER_PATH] ?? '/'),
      host: String(headers[constants.HTTP2_HEADER_AUTHORITY] ?? ''),
      method: String(headers[constants.HTTP2_HEADER_METHOD] ?? 'GET'),
      proto: 'HTTP/2.0',
      headers: echoed,
      namespace,
      ingress: '',
      service: '',
      pod,
      httpPort: String(port),
    };
    stream.on('error', () => {});
    stream.resume();
    stream.respond({ ':status': 200, 'content-type': 'application/json' });
    stream.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const h2Port = (server.address() as AddressInfo).port;
  // The HTTP/2 connection preface (RFC 9113 section 3.4) tells the two protocols apart: HTTP/2
  // is relayed to the HTTP/2 server (Node's http2 reads a socket's handle directly, so bytes
  // already read cannot be handed to it), anything else gets the 400.
  const sockets = new Set<Socket>();
  const front = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.once('data', (first: Buffer) => {
      if (first.toString('latin1').startsWith('PRI * HTTP/2.0')) {
        const relay = connect(h2Port, '127.0.0.1');
        sockets.add(relay);
        relay.on('close', () => {
          sockets.delete(relay);
          socket.destroy();
        });
        relay.on('error', () => {});
        socket.on('close', () => relay.destroy());
        relay.write(first);
        socket.pipe(relay).pipe(socket);
        return;
      }
      const body = 'Expected h2c request';
      socket.end(
        `HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.listen(0, '127.0.0.1', resolve);
  });
  port = (front.address() as AddressInfo).port;
  const sessions = new Set<import('node:http2').ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  return {
    namespace,
    pod,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) session.destroy();
        for (const socket of sockets) socket.destroy();
        front.close(() => server.close(() => resolve()));
      }),
  };
};
