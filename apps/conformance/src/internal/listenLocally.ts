// A stand-in's HTTP(S) server listening on a free loopback port, closed with its open
// connections (keep-alive connections from Envoy would otherwise hold close() open).
import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export const listenLocally = (
  server: HttpServer | HttpsServer,
): Promise<{ port: number; close: () => Promise<void> }> =>
  new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      }),
    );
  });
