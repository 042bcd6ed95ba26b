// An external processor's backendSettings change what Envoy does, through real Envoy: the processor
// below (the conformance ext_proc stand-in) is reached only through a PROXY protocol v2 only
// listener, so the EnvoyExtensionPolicy whose backendSettings ask for `proxyProtocol: {version: V2}`
// has its route processed (the stand-in's response header), and the same policy without it fails
// closed (500: the processor cannot be reached). The setting reaches the processor's cluster as it
// reaches a route's cluster under a BackendTrafficPolicy (extProcServiceSettings.test.ts compares
// every group).
import { connect, createServer as createTcpServer, type Server } from 'node:net';
import { loadResourcesFromText } from '@egts/api';
import { type EnvoyHandle, startEnvoy } from '@egts/envoy-binary';
import { translate } from '@egts/gatewayapi-translator';
import { bootstrapToJson, translateBootstrap } from '@egts/xds-translator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EchoServer } from '../internal/echoServer.js';
import { startExtProcServer } from '../internal/extProcServer.js';
import { freePort } from '../internal/freePort.js';
import {
  gatewayManifests,
  get,
  ok,
  route,
  service,
  startBackend,
} from './backendTrafficFixture.js';

const SIGNATURE = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');

/** Connections the stand-in saw, with and without a PROXY v2 header. */
const seen = { proxied: 0, refused: 0 };

/**
 * A TCP server that drops connections without a PROXY v2 header and forwards the rest, header
 * taken off, to the server on `target`.
 */
const behindProxyProtocol = (port: number, target: number): Promise<Server> =>
  new Promise((resolve, reject) => {
    const server = createTcpServer((socket) => {
      let buffered = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        if (buffered.length < 16) return;
        socket.off('data', onData);
        if (!buffered.subarray(0, 12).equals(SIGNATURE)) {
          seen.refused++;
          socket.destroy();
          return;
        }
        seen.proxied++;
        const upstream = connect(target, '127.0.0.1');
        upstream.on('error', () => socket.destroy());
        upstream.write(buffered.subarray(16 + buffered.readUInt16BE(14)));
        socket.pipe(upstream).pipe(socket);
      };
      socket.on('data', onData);
      socket.on('error', () => undefined);
    });
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });

const extensionPolicy = (name: string, port: number, settings: string) => `---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyExtensionPolicy
metadata: {name: ${name}, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: ${name}}]
  extProc:
  - backendRefs: [{name: proc, port: ${port}}]
    processingMode: {request: {}, response: {}}
    ${settings}
`;

describe('[envoy] EnvoyExtensionPolicy processor backendSettings', () => {
  const servers: Server[] = [];
  let processor: EchoServer | undefined;
  let envoy: EnvoyHandle | undefined;
  let port = 0;

  beforeAll(async () => {
    const [appPort, procPort] = [await freePort(), await freePort()];
    port = await freePort();
    processor = await startExtProcServer('default', 'proc');
    servers.push(
      await startBackend('app', '127.0.0.1', appPort, ok),
      await behindProxyProtocol(procPort, processor.port),
    );
    const text = `${gatewayManifests(port)}${service('app', appPort, ['127.0.0.1'])}${service(
      'proc',
      procPort,
      ['127.0.0.1'],
    )}${route('pp', 'app', appPort)}${extensionPolicy(
      'pp',
      procPort,
      'backendSettings: {proxyProtocol: {version: V2}}',
    )}${route('plain', 'app', appPort)}${extensionPolicy('plain', procPort, '')}`;
    const result = translate(loadResourcesFromText(text, 'extproc.yaml').resources);
    const rejected = result.statuses.filter((s) =>
      JSON.stringify(s.status).includes('"status":"False"'),
    );
    expect(rejected.map((s) => s.metadata.name)).toEqual([]);
    const ir = result.xdsIR[0];
    if (ir === undefined) throw new Error('no xDS IR');
    envoy = startEnvoy({
      config: bootstrapToJson(translateBootstrap(ir)) as object,
      logLevel: 'warn',
    });
    await envoy.ready(60_000);
  }, 120_000);

  afterAll(async () => {
    await envoy?.stop();
    await processor?.close();
    await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
  });

  it('a processor behind a PROXY protocol only listener is reached with backendSettings.proxyProtocol', async () => {
    const processed = await get(port, '/pp');
    expect(processed.status).toBe(200);
    expect(processed.headers['x-response-ext-processed']).toBe('true');
    const plain = await get(port, '/plain');
    expect(plain.status).toBe(500);
    expect(plain.headers['x-response-ext-processed']).toBeUndefined();
    expect(seen.proxied).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  }, 60_000);
});
