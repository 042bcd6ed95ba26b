// A CA and the client certificates it signs, for client mTLS through Envoy; and an HTTPS request
// that presents one (or none).
import { generateKeyPairSync } from 'node:crypto';
import { request } from 'node:https';
import forge from 'node-forge';

export interface Pair {
  readonly cert: string;
  readonly key: string;
}

const keyPair = () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: forge.pki.publicKeyFromPem(
      publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    ),
  };
};

const issue = (
  subjectName: string,
  extensions: object[],
  issuer?: { pair: Pair; name: string },
): Pair => {
  const { keyPem, publicKey } = keyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = `0${Math.floor(Math.random() * 1e9).toString(16)}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
  cert.setSubject([{ name: 'commonName', value: subjectName }]);
  cert.setIssuer([{ name: 'commonName', value: issuer?.name ?? subjectName }]);
  cert.setExtensions(extensions);
  cert.sign(forge.pki.privateKeyFromPem(issuer?.pair.key ?? keyPem), forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n'), key: keyPem };
};

/** A self-signed CA named `name`, and a function issuing client certificates from it. */
export function clientCa(name: string): { ca: Pair; client(cn: string): Pair } {
  const ca = issue(name, [
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
  ]);
  return {
    ca,
    client: (cn) =>
      issue(
        cn,
        [
          { name: 'basicConstraints', cA: false },
          { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
          { name: 'extKeyUsage', clientAuth: true },
        ],
        { pair: ca, name },
      ),
  };
}

/** The status of GET `path` over TLS to 127.0.0.1:`port` as `host`, with `client`; 0 when refused. */
export const getWithClientCertificate = (
  port: number,
  host: string,
  path: string,
  client?: Pair,
): Promise<number> =>
  new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        headers: { host },
        servername: host,
        rejectUnauthorized: false,
        timeout: 5000,
        agent: false,
        ...(client ? { cert: client.cert, key: client.key } : {}),
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
