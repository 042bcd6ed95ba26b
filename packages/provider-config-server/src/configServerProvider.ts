// The config server resource provider: serves the HTTP and gRPC APIs over one ResourceStore kept
// in a directory, and publishes a Resources snapshot after every accepted change.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type Problem, type ProviderSnapshot, withDnsEndpointSlices } from '@egts/api';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { asapScheduler, type Observable, observeOn, ReplaySubject } from 'rxjs';
import { ConfigServiceService } from './generated/egts/configserver/v1/config_server.js';
import type { AnonymousAccess, AuthPolicy } from './internal/auth.js';
import { createGrpcService } from './internal/grpcApi.js';
import { createHttpHandler } from './internal/httpApi.js';
import { ResourceStore } from './internal/resourceStore.js';

export interface ListenAddress {
  readonly host: string;
  /** 0 = an ephemeral port (read it back from `httpPort` / `grpcPort`). */
  readonly port: number;
}

export interface ConfigServerTls {
  /** PEM server certificate chain and key (contents, not paths). */
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  /** PEM CA bundle that client certificates must chain to; when set, clients must present one. */
  readonly clientCa?: string | Buffer | undefined;
}

export interface ConfigServerOptions {
  /** Where accepted resources are kept (`resources.json`); created if missing. */
  readonly dataDir: string;
  /** The HTTP API; omit to serve gRPC only. */
  readonly http?: ListenAddress | undefined;
  /** The gRPC API; omit to serve HTTP only. */
  readonly grpc?: ListenAddress | undefined;
  /** Bearer token required of every request (except `/healthz`). */
  readonly token?: string | undefined;
  /** Serve HTTPS / gRPC over TLS; with `clientCa`, mutual TLS. */
  readonly tls?: ConfigServerTls | undefined;
  /** What callers without credentials may do; default `none`. Anything else is explicit. */
  readonly anonymous?: AnonymousAccess | undefined;
  /** The statuses to serve on `GET /v1/statuses` and `Statuses` (the app passes its pipeline's). */
  readonly statuses?: (() => readonly unknown[]) | undefined;
  /** Largest request accepted; default 16 MiB. */
  readonly maxBodyBytes?: number | undefined;
  /**
   * `group/kind` of the kinds an extension server registers (`@egts/api` extensionKinds()):
   * their objects are accepted and stored unstructured, as the file provider reads them.
   */
  readonly extensionKinds?: ReadonlySet<string> | undefined;
}

/** What the server holds now, and the problems found reloading it. */
export type ConfigServerSnapshot = ProviderSnapshot;

export interface ConfigServerProvider {
  /**
   * The stored set after start, then after every accepted change. Replays the latest; completes on
   * close. Values arrive asynchronously, never inside `subscribe()`, as the file provider's do, so a
   * consumer that subscribes several times to a shared pipe in one tick sees the first one in each.
   */
  readonly resources$: Observable<ConfigServerSnapshot>;
  /** The ports listened on (undefined for an API not served). */
  readonly httpPort: number | undefined;
  readonly grpcPort: number | undefined;
  /** Stops both APIs (in-flight writes finish first). Idempotent. */
  close(): Promise<void>;
}

/** The file under `dataDir` that holds the stored set. */
export const STATE_FILE = 'resources.json';

const readPem = (value: string | Buffer): Buffer =>
  Buffer.isBuffer(value) ? value : Buffer.from(value);

export async function createConfigServerProvider(
  options: ConfigServerOptions,
): Promise<ConfigServerProvider> {
  if (options.http === undefined && options.grpc === undefined) {
    throw new Error('config server: serve at least one of http and grpc');
  }
  const auth: AuthPolicy = {
    token: options.token,
    clientCertificates: options.tls?.clientCa !== undefined,
    anonymous: options.anonymous ?? 'none',
  };
  const subject = new ReplaySubject<ConfigServerSnapshot>(1);
  let loadProblems: Problem[] = [];
  let store: ResourceStore | undefined;
  const publish = () => {
    if (store === undefined) return;
    subject.next({ resources: withDnsEndpointSlices(store.resources()), problems: loadProblems });
  };
  const opened = await ResourceStore.open(join(options.dataDir, STATE_FILE), publish, {
    extensionKinds: options.extensionKinds,
  });
  store = opened.store;
  loadProblems = opened.problems;
  publish();

  const context = {
    store: () => opened.store,
    auth,
    statuses: options.statuses ?? (() => []),
    maxBodyBytes: options.maxBodyBytes ?? 16 * 1024 * 1024,
  };
  const tls = options.tls && {
    cert: readPem(options.tls.cert),
    key: readPem(options.tls.key),
    ca: options.tls.clientCa === undefined ? undefined : readPem(options.tls.clientCa),
  };

  let http: HttpServer | undefined;
  let httpPort: number | undefined;
  let grpc: Server | undefined;
  let grpcPort: number | undefined;
  try {
    if (options.http) {
      const handler = createHttpHandler(context);
      http = tls
        ? createHttpsServer(
            {
              cert: tls.cert,
              key: tls.key,
              ...(tls.ca ? { ca: tls.ca, requestCert: true, rejectUnauthorized: true } : {}),
            },
            handler,
          )
        : createHttpServer(handler);
      const server = http;
      const { host, port } = options.http;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      httpPort = (server.address() as AddressInfo).port;
    }
    if (options.grpc) {
      grpc = new Server();
      grpc.addService(ConfigServiceService, createGrpcService(context));
      const credentials = tls
        ? ServerCredentials.createSsl(
            tls.ca ?? null,
            [{ cert_chain: tls.cert, private_key: tls.key }],
            tls.ca !== undefined,
          )
        : ServerCredentials.createInsecure();
      const server = grpc;
      const { host, port } = options.grpc;
      grpcPort = await new Promise<number>((resolve, reject) =>
        server.bindAsync(
          `${host.includes(':') ? `[${host}]` : host}:${port}`,
          credentials,
          (error, bound) => (error ? reject(error) : resolve(bound)),
        ),
      );
    }
  } catch (error) {
    http?.close();
    grpc?.forceShutdown();
    throw error;
  }

  let closing: Promise<void> | undefined;
  return {
    resources$: subject.pipe(observeOn(asapScheduler)),
    httpPort,
    grpcPort,
    close: () => {
      closing ??= (async () => {
        await Promise.all([
          new Promise<void>((resolve) => {
            if (http === undefined) return resolve();
            http.close(() => resolve());
            http.closeIdleConnections();
          }),
          new Promise<void>((resolve) => {
            if (grpc === undefined) return resolve();
            const server = grpc;
            const force = setTimeout(() => server.forceShutdown(), 2000);
            server.tryShutdown(() => {
              clearTimeout(force);
              resolve();
            });
          }),
        ]);
        subject.complete();
      })();
      return closing;
    },
  };
}
