// A local stand-in for Envoy Gateway's e2e envoy-ext-auth server, HTTP side: a request whose
// Authorization is `Bearer <token>` for a known token is allowed (200) with `x-current-user`
// (the token's user) and `x-ext-auth-req-path` (the path it was asked for); anything else is
// denied (403). The users are the e2e server's: token1..3 -> user1..3.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EchoServer } from './echoServer.js';

const USERS: Readonly<Record<string, string>> = {
  token1: 'user1',
  token2: 'user2',
  token3: 'user3',
};

export const startExtAuthServer = (namespace: string, pod: string): Promise<EchoServer> =>
  new Promise((resolve) => {
    const server = createServer((req, res) => {
      const authorization = req.headers.authorization ?? '';
      const token = authorization.startsWith('Bearer ') ? authorization.slice(7) : '';
      const user = Object.hasOwn(USERS, token) ? USERS[token] : undefined;
      if (user === undefined) {
        res.writeHead(403).end();
        return;
      }
      res
        .writeHead(200, {
          'x-current-user': user,
          'x-ext-auth-req-path': new URL(req.url ?? '/', 'http://auth').pathname,
        })
        .end();
    });
    server.listen(0, '127.0.0.1', () =>
      resolve({
        namespace,
        pod,
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      }),
    );
  });
