// A self-signed server certificate for a TLS Secret, with the RSA key size asked for: tests need
// ones Envoy loads (2048 bits) and ones it refuses while Node accepts them (1024 bits); and a
// request through Envoy's TLS listener that trusts it.
import { generateKeyPairSync } from 'node:crypto';
import { request } from 'node:https';
import forge from 'node-forge';

export function selfSigned(dnsName: string, rsaBits: number): { cert: string; key: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: rsaBits });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(
    publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  );
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
  const subject = [{ name: 'commonName', value: dnsName }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([{ name: 'subjectAltName', altNames: [{ type: 2, value: dnsName }] }]);
  cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n'), key: keyPem };
}

/** A `kubernetes.io/tls` Secret holding `pair`. */
export const tlsSecret = (
  namespace: string,
  name: string,
  pair: { cert: string; key: string },
) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace },
  type: 'kubernetes.io/tls',
  data: {
    'tls.crt': Buffer.from(pair.cert).toString('base64'),
    'tls.key': Buffer.from(pair.key).toString('base64'),
  },
});

/** The status code of GET `path` over TLS to 127.0.0.1:`port` as `host` (SNI and Host); 0 on error. */
export const getThroughTls = (port: number, host: string, path: string) =>
  new Promise<number>((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        headers: { host },
        servername: host,
        rejectUnauthorized: false,
        timeout: 3000,
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
