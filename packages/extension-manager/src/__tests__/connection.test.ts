// The connection to a real gRPC extension server: mTLS with the CA and client certificate
// `service.tls` names (refused without the client certificate), a Unix socket, and
// maxMessageSize enforced on what is sent.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extensionManagerSchema } from '@egts/api';
import { generateCertificates } from '@egts/certgen';
import { RouteConfiguration } from '@egts/envoy-api';
import {
  type EnvoyGatewayExtensionServer,
  EnvoyGatewayExtensionService,
} from '@egts/envoy-api/services';
import type { XdsIR } from '@egts/ir';
import type { XdsResources } from '@egts/xds-translator';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { afterAll, describe, expect, it } from 'vitest';
import { createExtensionManager, ExtensionHookError } from '../index.js';

const dir = mkdtempSync(join(tmpdir(), 'egts-ext-conn-'));
const servers: Server[] = [];
afterAll(() => {
  for (const server of servers) server.forceShutdown();
  rmSync(dir, { recursive: true, force: true });
});

/** Renames every virtual host `<name>-ext`. */
const implementation: EnvoyGatewayExtensionServer = {
  postVirtualHostModify: (call, callback) =>
    callback(null, {
      virtualHost: call.request.virtualHost && {
        ...call.request.virtualHost,
        name: `${call.request.virtualHost.name}-ext`,
      },
    }),
  postRouteModify: (_call, callback) => callback(null, {}),
  postHttpListenerModify: (_call, callback) => callback(null, {}),
  postClusterModify: (_call, callback) => callback(null, {}),
  postEndpointsModify: (_call, callback) => callback(null, {}),
  postTranslateModify: (call, callback) => callback(null, call.request),
};

const serve = async (address: string, credentials: ServerCredentials): Promise<number> => {
  const server = new Server();
  servers.push(server);
  server.addService(EnvoyGatewayExtensionService, implementation);
  return new Promise((resolve, reject) =>
    server.bindAsync(address, credentials, (error, port) =>
      error ? reject(error) : resolve(port),
    ),
  );
};

const ir = { name: 'gw', http: [], tcp: [], udp: [] } as unknown as XdsIR;
const resources = (hosts: number, domain = 'example.com'): XdsResources => ({
  listeners: [],
  routes: [
    RouteConfiguration.fromPartial({
      name: 'rc',
      virtualHosts: Array.from({ length: hosts }, (_, i) => ({
        name: `vh${i}`,
        domains: [domain],
      })),
    }),
  ],
  clusters: [],
  endpoints: [],
  secrets: [],
});
const hostNames = (out: XdsResources) => out.routes[0]?.virtualHosts.map((v) => v.name);

const config = (service: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  extensionManagerSchema.parse({
    hooks: { xdsTranslator: { post: ['VirtualHost'] } },
    service: {
      ...service,
      retry: { maxAttempts: 2, initialBackoff: '0.01s', maxBackoff: '0.02s' },
    },
    ...extra,
  });

describe('connection to the extension', () => {
  it('speaks mTLS with the CA and client certificate service.tls names', async () => {
    const certs = generateCertificates({ extraServerNames: ['127.0.0.1'] });
    const port = await serve(
      '127.0.0.1:0',
      ServerCredentials.createSsl(
        Buffer.from(certs.ca),
        [
          {
            cert_chain: Buffer.from(certs.envoyGateway.cert),
            private_key: Buffer.from(certs.envoyGateway.key),
          },
        ],
        true,
      ),
    );
    const tls = { certificateRef: { name: 'ca' }, clientCertificateRef: { name: 'client' } };
    const withClient = createExtensionManager(config({ ip: { address: '127.0.0.1', port }, tls }), {
      tls: async () => ({
        ca: Buffer.from(certs.ca),
        cert: Buffer.from(certs.envoy.cert),
        key: Buffer.from(certs.envoy.key),
      }),
    });
    expect(hostNames(await withClient.extend(ir, resources(1)))).toEqual(['vh0-ext']);
    withClient.close();
    // The server asks for a client certificate: without one the hooks fail.
    const caOnly = createExtensionManager(config({ ip: { address: '127.0.0.1', port }, tls }), {
      tls: async () => ({ ca: Buffer.from(certs.ca) }),
      callTimeoutMs: 5_000,
    });
    await expect(caOnly.extend(ir, resources(1))).rejects.toBeInstanceOf(ExtensionHookError);
    caOnly.close();
  });

  it('dials a Unix socket', async () => {
    const path = join(dir, 'ext.sock');
    await serve(`unix:${path}`, ServerCredentials.createInsecure());
    const manager = createExtensionManager(config({ unix: { path } }));
    expect(hostNames(await manager.extend(ir, resources(2)))).toEqual(['vh0-ext', 'vh1-ext']);
    manager.close();
  });

  it('refuses to send a message larger than maxMessageSize', async () => {
    const port = await serve('127.0.0.1:0', ServerCredentials.createInsecure());
    const service = { ip: { address: '127.0.0.1', port } };
    const small = createExtensionManager(config(service, { maxMessageSize: '1k' }));
    const big = resources(1, 'x'.repeat(2_000));
    await expect(small.extend(ir, big)).rejects.toThrow(/RESOURCE_EXHAUSTED|larger than max/);
    expect(hostNames(await small.extend(ir, resources(1)))).toEqual(['vh0-ext']);
    small.close();
  });
});
