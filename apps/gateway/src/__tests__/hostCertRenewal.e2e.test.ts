// Host mode renews its xDS certificates while it runs, as the Kubernetes mode rotates its Secrets
// (issue #16, item 8): with lifetimes of seconds here, the set in the state directory is renewed
// with a third left, the running Envoy takes the new client certificate and CA through file-based
// SDS without a restart, the xDS server takes its new certificate (a new connection with the new
// client certificate is accepted, one with the old is refused), and changes keep being served.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogging } from '../logging.js';
import type { RunningGateway } from '../run/gatewayOptions.js';
import { runHostGateway } from '../run/hostGateway.js';
import {
  Backends,
  freePort,
  gatewayWith,
  getThroughEnvoy,
  route,
  service,
  waitFor,
} from './throughEnvoy.js';

const VALIDITY_MS = 45_000;
const root = mkdtempSync(join(tmpdir(), 'egts-host-renewal-'));
const stateDir = join(root, 'state');
const config = join(root, 'resources.yaml');
const certDir = join(stateDir, 'xds-tls');
const backends = new Backends();
let gateway: RunningGateway;
let listenerPort = 0;
let backendPort = 0;

const serialOf = (path: string) =>
  new X509Certificate(readFileSync(path)).serialNumber.toLowerCase();
const pem = (name: string, file: string) => readFileSync(join(certDir, name, file));

/** Serial numbers of the client certificate and CA the proxy uses now (Envoy admin `/certs`). */
async function proxyCerts(): Promise<{ chain: string[]; cas: string[] }> {
  const res = await fetch(`http://127.0.0.1:${gateway.adminPort}/proxies`);
  const [proxy] = (await res.json()) as Array<{ adminAddress: string }>;
  const body = (await (await fetch(`http://${proxy?.adminAddress}/certs`)).json()) as {
    certificates: Array<{
      ca_cert?: Array<{ serial_number: string }>;
      cert_chain?: Array<{ serial_number: string }>;
    }>;
  };
  const all = body.certificates;
  return {
    chain: all.flatMap((c) => c.cert_chain ?? []).map((c) => c.serial_number.toLowerCase()),
    cas: all.flatMap((c) => c.ca_cert ?? []).map((c) => c.serial_number.toLowerCase()),
  };
}

/** Whether a TLS connection to the xDS server with this client certificate is accepted. */
const xdsAccepts = (client: { cert: Buffer; key: Buffer; ca: Buffer }) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({
      host: '127.0.0.1',
      port: gateway.xdsPort,
      ...client,
      servername: 'localhost',
      ALPNProtocols: ['h2'],
    });
    // TLS 1.3: a refused client certificate shows after the handshake, as the server's alert.
    socket.once('secureConnect', () => setTimeout(() => resolve(!socket.destroyed), 500));
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
    setTimeout(() => {
      socket.destroy();
      resolve(false);
    }, 10_000);
  });

const write = (prefix: string) =>
  writeFileSync(
    config,
    gatewayWith(
      listenerPort,
      `${service('app', backendPort)}---\n${route('app', prefix, 'app', backendPort)}`,
    ),
  );

beforeAll(async () => {
  backendPort = await backends.start('app');
  listenerPort = await freePort();
  write('/before');
  gateway = await runHostGateway({
    paths: [config],
    xds: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0 },
    stateDir,
    certificates: { validityMs: VALIDITY_MS, intervalMs: 500 },
    logging: createLogging({ default: 'warn' }),
  });
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  backends.close();
  rmSync(root, { recursive: true, force: true });
});

describe('host mode xDS certificate renewal (e2e)', () => {
  it('renews while running; proxy and server switch to the new set; changes keep flowing', async () => {
    await waitFor(
      'the route through Envoy',
      async () => (await getThroughEnvoy(listenerPort, '/before')).status === 200,
      () => '',
      90_000,
    );
    // The set Envoy uses, read with the files (a slow start may already have seen a renewal).
    let old = { cert: Buffer.alloc(0), key: Buffer.alloc(0), ca: Buffer.alloc(0) };
    let firstClient = '';
    await waitFor(
      'Envoy using the set in the directory',
      async () => {
        old = {
          cert: pem('envoy', 'tls.crt'),
          key: pem('envoy', 'tls.key'),
          ca: pem('envoy', 'ca.crt'),
        };
        firstClient = new X509Certificate(old.cert).serialNumber.toLowerCase();
        return (await proxyCerts()).chain.includes(firstClient);
      },
      () => '',
      30_000,
    );
    const firstCa = new X509Certificate(old.ca).serialNumber.toLowerCase();

    // Renewed with a third of the validity left (15 s before expiry).
    await waitFor(
      'the renewed set',
      async () => serialOf(join(certDir, 'envoy', 'tls.crt')) !== firstClient,
      () => '',
      2 * VALIDITY_MS,
    );
    const renewedAt = performance.now();
    await waitFor(
      'Envoy using the new client certificate and CA',
      async () => {
        const newClient = serialOf(join(certDir, 'envoy', 'tls.crt'));
        const newCa = serialOf(join(certDir, 'envoy', 'ca.crt'));
        const { chain, cas } = await proxyCerts();
        return (
          newCa !== firstCa &&
          chain.includes(newClient) &&
          cas.includes(newCa) &&
          !cas.includes(firstCa)
        );
      },
      () => '',
      30_000,
    );
    console.log(
      `Envoy used the renewed set ${Math.round(performance.now() - renewedAt)} ms after the test saw it written`,
    );

    // The server reloaded: the new client certificate is accepted, the old one refused.
    const renewed = {
      cert: pem('envoy', 'tls.crt'),
      key: pem('envoy', 'tls.key'),
      ca: pem('envoy', 'ca.crt'),
    };
    await waitFor(
      'the server taking the new set',
      () => xdsAccepts(renewed),
      () => '',
      30_000,
    );
    expect(await xdsAccepts({ ...old, ca: renewed.ca })).toBe(false);

    // And the stream keeps delivering changes, past the first set's expiry.
    const firstExpiry = Date.parse(new X509Certificate(old.cert).validTo);
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, firstExpiry + 1000 - Date.now())),
    );
    write('/after');
    await waitFor(
      'the edited route',
      async () =>
        (await getThroughEnvoy(listenerPort, '/after')).status === 200 &&
        (await getThroughEnvoy(listenerPort, '/before')).status === 404,
      () => '',
      60_000,
    );
  }, 240_000);
});
