// ClientTrafficPolicy TLS settings as a client sees them through real Envoy (each field had only
// a config-dump proof): tls.ciphers and tls.ecdhCurves refuse a client offering only something
// else, tls.session.resumption lets a client resume with a ticket, clientValidation
// allowExpiredCertificate admits an expired client certificate, timeout.tcp.tlsHandshakeTimeout
// closes a connection whose handshake never finishes and connectionInspectionTimeout one that
// never sends its ClientHello. Manifests -> egts's translators -> a static bootstrap -> Envoy; one
// HTTPS listener per setting, `plain` without a policy as the control.
import { createServer, type Server } from 'node:http';
import { connect as netConnect, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { type ConnectionOptions, type TLSSocket, connect as tlsConnect } from 'node:tls';
import type { ResourceStatus } from '@egts/api';
import type { EnvoyHandle } from '@egts/envoy-binary';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Certificate, clientCertificate, selfSigned } from '../internal/certificates.js';
import { startStaticEnvoy } from '../internal/staticEnvoy.js';
import * as fixture from './clientTrafficFixture.js';

/** The outcome of one HTTPS GET over a fresh TLS connection: the status line, or the error. */
interface Outcome {
  readonly status?: string;
  readonly error?: string;
  readonly reused: boolean;
  readonly session?: Buffer;
}

const get = (port: number, options: ConnectionOptions = {}): Promise<Outcome> =>
  new Promise((resolve) => {
    let text = '';
    let session: Buffer | undefined;
    let reused = false;
    let done = false;
    const finish = (outcome: Omit<Outcome, 'reused' | 'session'>) => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve({ ...outcome, reused, ...(session === undefined ? {} : { session }) });
    };
    const socket: TLSSocket = tlsConnect({
      host: '127.0.0.1',
      port,
      servername: 'www.example.com',
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
      ...options,
    });
    socket.setEncoding('utf8');
    socket.on('session', (s: Buffer) => {
      session = s;
    });
    socket.once('secureConnect', () => {
      reused = socket.isSessionReused();
      socket.write('GET / HTTP/1.1\r\nhost: www.example.com\r\n\r\n');
    });
    socket.on('data', (chunk: string) => {
      text += chunk;
      // Wait for the body ("ok") so that a TLS 1.3 ticket sent after the handshake is in.
      if (text.includes('\r\n\r\n') && text.endsWith('ok'))
        setTimeout(() => finish({ status: text.split('\r\n')[0] ?? '' }), 200);
    });
    socket.on('error', (error: Error) => finish({ error: error.message }));
    socket.on('close', () => finish({ error: text === '' ? 'closed' : text }));
  });

/** Whether the peer closes `socket` within `ms`. */
const closesWithin = (socket: Socket, ms: number): Promise<boolean> =>
  new Promise((resolve) => {
    if (socket.destroyed) return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });

/**
 * A TLS client whose handshake never finishes: its first flight (the ClientHello) reaches the
 * server, everything after it is dropped. Returns the TCP socket to watch.
 */
const stalledHandshake = (port: number): Socket => {
  const tcp = netConnect({ host: '127.0.0.1', port });
  tcp.on('error', () => {});
  let flights = 0;
  const wire: Duplex = new Duplex({
    read() {},
    write(chunk, _encoding, callback) {
      if (flights++ === 0) tcp.write(chunk);
      callback();
    },
  });
  tcp.on('data', (chunk) => wire.push(chunk));
  tcp.on('close', () => wire.push(null));
  const client = tlsConnect({
    socket: wire,
    servername: 'www.example.com',
    rejectUnauthorized: false,
    maxVersion: 'TLSv1.3',
    minVersion: 'TLSv1.3',
  });
  client.on('error', () => {});
  tcp.on('close', () => client.destroy());
  return tcp;
};

const LISTENERS = [
  'plain',
  'ciphers',
  'curves',
  'resume',
  'mtls',
  'expired',
  'sigalgs',
  'handshake',
  'inspect',
];
const TLS12 = { maxVersion: 'TLSv1.2', minVersion: 'TLSv1.2' } as const;

describe('[envoy] ClientTrafficPolicy TLS settings, as a client sees them', () => {
  let backend: Server;
  let envoy: EnvoyHandle | undefined;
  let ports: Record<string, number> = {};
  let statuses: readonly ResourceStatus[] = [];
  let client: Certificate;
  let expired: Certificate;
  const port = (name: string) => ports[name] as number;

  beforeAll(async () => {
    ports = await fixture.freePorts(LISTENERS);
    backend = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    const backendPort = await fixture.listenOnFreePort(backend);
    const ca = selfSigned(['client-ca.example.com']);
    client = clientCertificate(ca, 'client.example.com');
    expired = clientCertificate(ca, 'expired.example.com', -1);
    const caRefs = 'caCertificateRefs: [{kind: Secret, name: client-ca}]';
    const text = [
      fixture.gatewayWithListeners(
        LISTENERS.map((name) => fixture.httpsListener(name, port(name))),
      ),
      fixture.serverCertificate(selfSigned(['www.example.com'])),
      `---
apiVersion: v1
kind: Secret
metadata: {name: client-ca, namespace: default}
data: {ca.crt: ${Buffer.from(ca.cert).toString('base64')}}
`,
      fixture.echoService(backendPort),
      fixture.echoRoute(backendPort),
      fixture.listenerPolicies({
        ciphers: 'tls: {ciphers: [ECDHE-RSA-AES128-GCM-SHA256]}',
        curves: 'tls: {ecdhCurves: [P-256]}',
        resume: 'tls: {session: {resumption: {stateless: {}}}}',
        mtls: `tls: {clientValidation: {${caRefs}}}`,
        sigalgs: `tls: {clientValidation: {${caRefs}}, signatureAlgorithms: [rsa_pss_rsae_sha256]}`,
        expired: `tls: {clientValidation: {${caRefs}, allowExpiredCertificate: true}}`,
        handshake: 'timeout: {tcp: {tlsHandshakeTimeout: 1s}}',
        inspect: 'timeout: {tcp: {connectionInspectionTimeout: 1s}}',
      }),
    ].join('');
    ({ envoy, statuses } = await startStaticEnvoy(text, 'ctp-tls.yaml'));
  }, 120_000);

  afterAll(async () => {
    await envoy?.stop();
    await fixture.closeServer(backend);
  });

  it('accepts every policy', () => {
    const policies = statuses.filter((s) => s.kind === 'ClientTrafficPolicy');
    expect(policies).toHaveLength(LISTENERS.length - 1);
    for (const policy of policies)
      expect(JSON.stringify(policy.status)).toContain('"type":"Accepted","status":"True"');
  });

  it('refuses a TLS 1.2 cipher tls.ciphers leaves out, serves one it lists', async () => {
    const refused = { ...TLS12, ciphers: 'ECDHE-RSA-AES256-GCM-SHA384' };
    const allowed = { ...TLS12, ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' };
    expect((await get(port('ciphers'), allowed)).status).toMatch(/^HTTP\/1\.1 200/);
    const outcome = await get(port('ciphers'), refused);
    expect(outcome.status).toBeUndefined();
    expect(outcome.error).toMatch(/handshake failure|alert|closed|socket disconnected/i);
    // The default cipher list has it.
    expect((await get(port('plain'), refused)).status).toMatch(/^HTTP\/1\.1 200/);
  }, 60_000);

  it('refuses a client offering only a curve tls.ecdhCurves leaves out', async () => {
    expect((await get(port('curves'), { ecdhCurve: 'P-256' })).status).toMatch(/^HTTP\/1\.1 200/);
    for (const version of [TLS12, {}]) {
      const outcome = await get(port('curves'), { ...version, ecdhCurve: 'X25519' });
      expect(outcome.status).toBeUndefined();
      expect((await get(port('plain'), { ...version, ecdhCurve: 'X25519' })).status).toMatch(
        /^HTTP\/1\.1 200/,
      );
    }
  }, 60_000);

  it('resumes a TLS session from a ticket with tls.session.resumption stateless', async () => {
    for (const version of [TLS12, {}]) {
      const first = await get(port('resume'), version);
      expect(first.status).toMatch(/^HTTP\/1\.1 200/);
      expect(first.session).toBeDefined();
      const second = await get(port('resume'), { ...version, session: first.session as Buffer });
      expect(second.status).toMatch(/^HTTP\/1\.1 200/);
      expect(second.reused).toBe(true);
      // Without the policy resumption is off (Envoy Gateway's default): a full handshake again.
      const plain = await get(port('plain'), version);
      expect(plain.status).toMatch(/^HTTP\/1\.1 200/);
      if (plain.session !== undefined) {
        const again = await get(port('plain'), { ...version, session: plain.session });
        expect(again.status).toMatch(/^HTTP\/1\.1 200/);
        expect(again.reused).toBe(false);
      }
    }
  }, 60_000);

  it('admits an expired client certificate only with allowExpiredCertificate', async () => {
    const valid = { cert: client.cert, key: client.key };
    const old = { cert: expired.cert, key: expired.key };
    expect((await get(port('mtls'), valid)).status).toMatch(/^HTTP\/1\.1 200/);
    expect((await get(port('expired'), valid)).status).toMatch(/^HTTP\/1\.1 200/);
    expect((await get(port('expired'), old)).status).toMatch(/^HTTP\/1\.1 200/);
    const refused = await get(port('mtls'), old);
    expect(refused.status).toBeUndefined();
    expect(refused.error).toMatch(/expired|alert|closed|socket disconnected/i);
  }, 60_000);

  it('closes a handshake that never finishes after timeout.tcp.tlsHandshakeTimeout', async () => {
    const limited = stalledHandshake(port('handshake'));
    const plain = stalledHandshake(port('plain'));
    try {
      // 1 s: closed well within 20 s; without the policy Envoy waits on (no handshake timeout).
      expect(await closesWithin(limited, 20_000)).toBe(true);
      await fixture.sleep(1_000);
      expect(plain.destroyed).toBe(false);
    } finally {
      limited.destroy();
      plain.destroy();
    }
  }, 60_000);

  it('closes a silent connection after timeout.tcp.connectionInspectionTimeout', async () => {
    const limited = netConnect({ host: '127.0.0.1', port: port('inspect') });
    const plain = netConnect({ host: '127.0.0.1', port: port('plain') });
    for (const s of [limited, plain]) s.on('error', () => {});
    try {
      // 1 s: closed within 10 s; the listener filters' default wait is 15 s.
      const started = Date.now();
      expect(await closesWithin(limited, 10_000)).toBe(true);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(plain.destroyed).toBe(false);
    } finally {
      limited.destroy();
      plain.destroy();
    }
  }, 60_000);

  it('refuses a client certificate signed only with an algorithm tls.signatureAlgorithms leaves out', async () => {
    const cert = { cert: client.cert, key: client.key };
    const sha384 = { ...cert, sigalgs: 'rsa_pss_rsae_sha384' };
    const sha256 = { ...cert, sigalgs: 'rsa_pss_rsae_sha256' };
    expect((await get(port('sigalgs'), sha256)).status).toMatch(/^HTTP\/1\.1 200/);
    const outcome = await get(port('sigalgs'), sha384);
    expect(outcome.status).toBeUndefined();
    // The same client and certificate pass client validation without the policy.
    expect((await get(port('mtls'), sha384)).status).toMatch(/^HTTP\/1\.1 200/);
  }, 60_000);
});
