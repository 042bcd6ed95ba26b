// Integration: real Envoy fetches its config over mTLS (TLS 1.3, client certificate) and serves it;
// an Envoy with a certificate from another CA gets nothing.
import { rmSync } from 'node:fs';
import { type EnvoyHandle, startEnvoy } from '@egts/envoy-binary';
import { afterEach, describe, expect, it } from 'vitest';
import { createSnapshot, createSnapshotCache, createXdsServer, type XdsServer } from '../index.js';
import { createPki } from './certs.js';
import {
  adsBootstrap,
  type Backend,
  eventually,
  get,
  httpConfig,
  startBackend,
} from './fixtures.js';

describe('Envoy over mTLS', () => {
  const pki = createPki();
  let server: XdsServer | undefined;
  const envoys: EnvoyHandle[] = [];
  let backend: Backend | undefined;
  afterEach(async () => {
    await Promise.all(envoys.splice(0).map((e) => e.stop()));
    await server?.close();
    await backend?.close();
    rmSync(pki.dir, { recursive: true, force: true });
  });

  it('serves an Envoy with a client certificate from the CA, and refuses one from another CA', async () => {
    const ca = pki.ca('ca');
    const other = pki.ca('other');
    const serverCert = pki.leaf('xds', ca, true);
    const good = pki.leaf('envoy', ca);
    const bad = pki.leaf('intruder', other);
    backend = await startBackend('a');
    const cache = createSnapshotCache();
    cache.setSnapshot('gateway-1', createSnapshot(httpConfig('a', { a: backend.port })));
    let streams = 0;
    server = createXdsServer(
      cache,
      { onStreamOpen: () => streams++ },
      { tls: { certFile: serverCert.cert, keyFile: serverCert.key, caFile: ca.cert } },
    );
    const port = await server.listen();

    const trusted = startEnvoy({
      config: adsBootstrap(port, 'delta', 'envoy-tls', {
        certFile: good.cert,
        keyFile: good.key,
        caFile: ca.cert,
      }),
      logLevel: 'warn',
    });
    envoys.push(trusted);
    await trusted.ready();
    const listenerPort = (await trusted.listenerPorts()).get('http') ?? 0;
    expect(await get(listenerPort)).toEqual({ status: 200, body: 'a' });
    expect(streams).toBe(1);

    const intruder = startEnvoy({
      config: adsBootstrap(port, 'delta', 'envoy-bad', {
        certFile: bad.cert,
        keyFile: bad.key,
        caFile: ca.cert,
      }),
      logLevel: 'warn',
      args: ['--component-log-level', 'connection:debug'],
    });
    envoys.push(intruder);
    // The server refuses its certificate: Envoy's connections are closed on it again and again,
    // and no stream ever opens.
    // (With TLS 1.3 the server checks the client certificate after the handshake and closes.)
    await eventually(() => (intruder.logs().match(/remote close|TLS_error/g) ?? []).length >= 2);
    expect(streams).toBe(1);
  });
});
