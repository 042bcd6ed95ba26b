// mTLS: TLS 1.3 with client certificates required; clients without a valid one are refused, and
// a changed CA file is picked up without restarting the server.
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { DiscoveryRequest } from '@egts/envoy-api';
import { AggregatedDiscoveryServiceClient } from '@egts/envoy-api/services';
import { credentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSnapshot,
  createSnapshotCache,
  createXdsServer,
  TypeUrl,
  type XdsServer,
} from '../index.js';
import { node } from './adsClient.js';
import { createPki, type Pki } from './certs.js';
import { eventually, httpConfig } from './fixtures.js';

let pki: Pki;
let server: XdsServer;
let port: number;
let ca1: { cert: string; key: string };
let ca2: { cert: string; key: string };
let caFile: string;

beforeAll(async () => {
  pki = createPki();
  ca1 = pki.ca('ca1');
  ca2 = pki.ca('ca2');
  const serverCert = pki.leaf('server', ca1, true);
  caFile = join(pki.dir, 'clients-ca.crt');
  copyFileSync(ca1.cert, caFile);
  const cache = createSnapshotCache();
  cache.setSnapshot('gateway-1', createSnapshot(httpConfig('a', { a: 1 })));
  server = createXdsServer(
    cache,
    {},
    {
      tls: { certFile: serverCert.cert, keyFile: serverCert.key, caFile, reloadIntervalMs: 50 },
    },
  );
  port = await server.listen();
});

afterAll(async () => {
  await server?.close();
  rmSync(pki.dir, { recursive: true, force: true });
});

/** Opens an ADS stream with the given client certificate and returns the first response or error. */
const firstResponse = (client?: { cert: string; key: string }): Promise<string> => {
  const creds = credentials.createSsl(
    pki.read(ca1.cert),
    client ? pki.read(client.key) : null,
    client ? pki.read(client.cert) : null,
  );
  const ads = new AggregatedDiscoveryServiceClient(`127.0.0.1:${port}`, creds);
  return new Promise<string>((resolve) => {
    const stream = ads.streamAggregatedResources();
    const done = (result: string): void => {
      stream.cancel();
      ads.close();
      resolve(result);
    };
    stream.on('data', (response: { typeUrl: string }) => done(`response ${response.typeUrl}`));
    stream.on('error', (error: Error) => done(`error ${error.message}`));
    stream.write(DiscoveryRequest.fromPartial({ node: node('n1'), typeUrl: TypeUrl.Cluster }));
  });
};

describe('mTLS', () => {
  it('serves a client with a certificate from the CA', async () => {
    expect(await firstResponse(pki.leaf('client1', ca1))).toBe(`response ${TypeUrl.Cluster}`);
  });

  it('refuses a client without a certificate, or with one from another CA', async () => {
    expect(await firstResponse()).toMatch(/^error /);
    expect(await firstResponse(pki.leaf('stranger', ca2))).toMatch(/^error /);
  });

  it('refuses TLS 1.2', async () => {
    const client = pki.leaf('client12', ca1);
    const outcome = await new Promise<string>((resolve) => {
      const socket = connect({
        host: '127.0.0.1',
        port,
        ca: pki.read(ca1.cert),
        cert: pki.read(client.cert),
        key: pki.read(client.key),
        maxVersion: 'TLSv1.2',
        ALPNProtocols: ['h2'],
      });
      socket.on('secureConnect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.on('error', (error) => resolve(`error ${error.message}`));
    });
    expect(outcome).toMatch(/^error .*(version|protocol)/i);
  });

  it('reloads the client CA file without a restart', async () => {
    const fromCa2 = pki.leaf('client2', ca2);
    expect(await firstResponse(fromCa2)).toMatch(/^error /);
    copyFileSync(ca2.cert, caFile);
    await eventually(async () => (await firstResponse(fromCa2)).startsWith('response'), 30_000);
    expect(await firstResponse(pki.leaf('client1b', ca1))).toMatch(/^error /);
  });
});
