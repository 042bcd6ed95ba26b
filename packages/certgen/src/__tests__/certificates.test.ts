// The issued certificates chain to their CA, carry the names and usages xDS mTLS needs, and work in
// a real TLS 1.3 handshake with client authentication; a client from another CA is refused. Keys
// are P-256; a CA made earlier with an RSA key still issues, and both are trusted side by side.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer } from 'node:tls';
import { describe, expect, it } from 'vitest';
import {
  generateCertificates,
  issueCa,
  issueLeafCertificates,
  writeCertificateFiles,
} from '../index.js';
import { rsaCa } from './rsaCa.js';

// The DER of a signature AlgorithmIdentifier, which a certificate holds twice: in the
// TBSCertificate and after it (RFC 5280 4.1.1.2, 4.1.2.3).
const ECDSA_WITH_SHA256 = '300a06082a8648ce3d040302'; // no parameters (RFC 5758 3.2)
const SHA256_WITH_RSA = '300d06092a864886f70d01010b0500'; // NULL parameters (RFC 4055 5)
const signedWith = (cert: X509Certificate, algorithm: string) =>
  cert.raw.toString('hex').split(algorithm).length - 1 === 2;

const handshake = async (
  server: { cert: string; key: string; ca: string },
  client: { cert: string; key: string; ca: string },
  servername: string,
): Promise<string> => {
  const tlsServer = createServer(
    { ...server, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3' },
    (socket) => socket.end('hello'),
  );
  tlsServer.on('tlsClientError', () => {});
  await new Promise<void>((done) => tlsServer.listen(0, '127.0.0.1', done));
  const { port } = tlsServer.address() as { port: number };
  try {
    return await new Promise<string>((done, fail) => {
      const socket = connect({ host: '127.0.0.1', port, servername, ...client });
      let data = '';
      socket.on('data', (chunk) => {
        data += chunk;
      });
      socket.on('end', () => (data === '' ? fail(new Error('closed without data')) : done(data)));
      socket.on('error', fail);
    });
  } finally {
    await new Promise((done) => tlsServer.close(done));
  }
};

describe('generateCertificates', () => {
  const now = new Date();
  const certs = generateCertificates({
    namespace: 'egts-system',
    now,
    validityMs: 7 * 24 * 3600 * 1000,
  });
  const ca = new X509Certificate(certs.ca);

  it('issues a CA and certificates signed by it, valid for the asked period', () => {
    expect(ca.ca).toBe(true);
    for (const pair of [certs.envoyGateway, certs.envoy, certs.rateLimit]) {
      const cert = new X509Certificate(pair.cert);
      expect(cert.ca).toBe(false);
      expect(cert.checkIssued(ca)).toBe(true);
      expect(cert.verify(ca.publicKey)).toBe(true);
      expect(
        new Date(cert.validTo).getTime() - Math.floor(now.getTime() / 1000) * 1000,
      ).toBeGreaterThanOrEqual(7 * 24 * 3600 * 1000);
      expect(new Date(cert.validFrom).getTime()).toBeLessThanOrEqual(now.getTime());
    }
    expect(certs.hmacSecret).toHaveLength(32);
  });

  it('names the xDS Service in the server certificate and the namespace in the client one', () => {
    const server = new X509Certificate(certs.envoyGateway.cert);
    expect(server.checkHost('envoy-gateway.egts-system.svc.cluster.local')).toBe(
      'envoy-gateway.egts-system.svc.cluster.local',
    );
    expect(server.checkHost('envoy-gateway.egts-system.svc')).toBeDefined();
    expect(server.checkHost('envoy-gateway.other.svc')).toBeUndefined();
    expect(new X509Certificate(certs.envoy.cert).subjectAltName).toContain(
      '*.egts-system.svc.cluster.local',
    );
    expect(
      new X509Certificate(certs.rateLimit.cert).checkHost('envoy-ratelimit.egts-system.svc'),
    ).toBeDefined();
  });

  it('works for mutual TLS 1.3, and a client certificate from another CA is refused', async () => {
    const server = { ...certs.envoyGateway, ca: certs.ca };
    expect(
      await handshake(server, { ...certs.envoy, ca: certs.ca }, 'envoy-gateway.egts-system.svc'),
    ).toBe('hello');
    const stranger = generateCertificates({ namespace: 'egts-system' });
    await expect(
      handshake(server, { ...stranger.envoy, ca: certs.ca }, 'envoy-gateway.egts-system.svc'),
    ).rejects.toThrow();
    // The client certificate cannot serve: its extended key usage is clientAuth only.
    await expect(
      handshake(
        { ...certs.envoy, ca: certs.ca },
        { ...certs.envoy, ca: certs.ca },
        'x.egts-system.svc',
      ),
    ).rejects.toThrow();
  });

  it('makes P-256 keys, PKCS#8, and signs with ecdsa-with-SHA256', () => {
    for (const pair of [
      { cert: certs.ca, key: '' },
      certs.envoyGateway,
      certs.envoy,
      certs.rateLimit,
    ]) {
      const cert = new X509Certificate(pair.cert);
      expect(cert.publicKey.asymmetricKeyType).toBe('ec');
      expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
      expect(signedWith(cert, ECDSA_WITH_SHA256)).toBe(true);
      expect(signedWith(cert, SHA256_WITH_RSA)).toBe(false);
      if (pair.key === '') continue;
      expect(pair.key).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
      expect(createPrivateKey(pair.key).asymmetricKeyType).toBe('ec');
    }
    expect(ca.checkIssued(ca)).toBe(true);
    expect(ca.verify(ca.publicKey)).toBe(true);
  });

  it('names IPv4 and IPv6 addresses in the server certificate', () => {
    const { envoyGateway } = issueLeafCertificates(issueCa(), {
      extraServerNames: ['127.0.0.1', '::1', '2001:db8::ffff:10.0.0.1', 'localhost'],
    });
    const cert = new X509Certificate(envoyGateway.cert);
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkIP('::1')).toBeDefined();
    expect(cert.checkIP('2001:db8::ffff:a00:1')).toBeDefined();
    expect(cert.checkIP('::2')).toBeUndefined();
    expect(cert.checkHost('localhost')).toBe('localhost');
  });

  it('issues from an RSA CA made earlier, signing with RSA, trusted beside a P-256 CA', async () => {
    const old = rsaCa(365);
    const oldCa = new X509Certificate(old.cert);
    const fromOld = issueLeafCertificates(old, { namespace: 'egts-system' });
    for (const pair of [fromOld.envoyGateway, fromOld.envoy, fromOld.rateLimit]) {
      const cert = new X509Certificate(pair.cert);
      expect(cert.checkIssued(oldCa)).toBe(true);
      expect(cert.verify(oldCa.publicKey)).toBe(true);
      expect(signedWith(cert, SHA256_WITH_RSA)).toBe(true);
      expect(cert.publicKey.asymmetricKeyType).toBe('ec');
    }
    // Midway through a CA rotation both CAs are trusted: a server with a certificate of the old
    // CA and a client with one of the new accept each other, whichever CA the bundle lists first.
    const server = fromOld.envoyGateway;
    const client = certs.envoy;
    for (const bundle of [old.cert + certs.ca, certs.ca + old.cert]) {
      expect(
        await handshake(
          { ...server, ca: bundle },
          { ...client, ca: bundle },
          'envoy-gateway.egts-system.svc',
        ),
      ).toBe('hello');
    }
  });

  it('names the issuing key, so that a verifier picks the right one of two CAs named egts', async () => {
    const other = issueCa();
    for (const bundle of [other.cert + certs.ca, certs.ca + other.cert]) {
      const server = { ...certs.envoyGateway, ca: bundle };
      expect(
        await handshake(server, { ...certs.envoy, ca: bundle }, 'envoy-gateway.egts-system.svc'),
      ).toBe('hello');
    }
  });

  it('writes the files host mode reads, keys private to the owner', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'egts-certgen-'));
    try {
      await writeCertificateFiles(certs, dir);
      expect(await readFile(join(dir, 'envoy', 'tls.crt'), 'utf8')).toBe(certs.envoy.cert);
      expect(await readFile(join(dir, 'envoy-gateway', 'ca.crt'), 'utf8')).toBe(certs.ca);
      expect((await stat(join(dir, 'envoy-gateway', 'tls.key'))).mode & 0o077).toBe(0);
      expect(await readFile(join(dir, 'envoy-oidc-hmac', 'hmac-secret'))).toEqual(certs.hmacSecret);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
