// A TCP forwarder that counts the connections carrying data: how tests see which of a cluster's
// endpoints Envoy picks when every endpoint reaches the same stand-in (an ext_proc server).
import { connect, createServer as createTcpServer, type Server, type Socket } from 'node:net';

export interface Forwarder {
  readonly port: number;
  /** Connections that carried data (gRPC calls). */
  calls: number;
  close(): Promise<void>;
}

/** A TCP forwarder on `port` to the processor on `target`, counting connections with data. */
export const forwarder = (port: number, target: number): Promise<Forwarder> =>
  new Promise((resolve, reject) => {
    const sockets = new Set<Socket>();
    const server: Server = createTcpServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
      socket.once('data', (first) => {
        state.calls++;
        const upstream = connect(target, '127.0.0.1');
        sockets.add(upstream);
        upstream.on('error', () => socket.destroy());
        upstream.on('close', () => sockets.delete(upstream));
        upstream.write(first);
        socket.pipe(upstream).pipe(socket);
      });
    });
    const state: Forwarder = {
      port,
      calls: 0,
      close: () =>
        new Promise((done) => {
          for (const socket of sockets) socket.destroy();
          server.close(() => done());
        }),
    };
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(state));
  });
