// echo-basic on an h2c port (a Service port with appProtocol kubernetes.io/h2c): the same JSON
// answer over cleartext HTTP/2 with prior knowledge, so that only an HTTP/2 upstream reaches it.
import { constants, createServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
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
  port = (server.address() as AddressInfo).port;
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
        server.close(() => resolve());
      }),
  };
};
