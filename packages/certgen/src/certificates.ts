// The certificates of xDS mTLS between egts and its proxies (Envoy Gateway's certgen): one CA, a
// server certificate for the egts xDS Service, a client certificate for the proxies, a server
// certificate for the rate limit service, and the OIDC HMAC secret. Keys come from node:crypto;
// node-forge builds and signs the X.509 certificates (Node has no API to issue one).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface KeyPair {
  /** PEM certificate. */
  readonly cert: string;
  /** PEM private key (PKCS#8). */
  readonly key: string;
}

export interface Certificates {
  /** The CA's certificate (its key is not kept: rotation re-issues everything). */
  readonly ca: string;
  /** Server certificate of the egts xDS Service (`envoy-gateway` in Envoy Gateway). */
  readonly envoyGateway: KeyPair;
  /** Client certificate the proxies present (`envoy`). */
  readonly envoy: KeyPair;
  /** Server certificate of the global rate limit service (`envoy-rate-limit`). */
  readonly rateLimit: KeyPair;
  /** 32 random bytes for OIDC's HMAC (`envoy-oidc-hmac`). */
  readonly hmacSecret: Buffer;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export interface CertificateOptions {
  /** Namespace egts runs in (names in the certificates); default `envoy-gateway-system`. */
  readonly namespace?: string;
  /** Cluster DNS domain; default `cluster.local`. */
  readonly clusterDomain?: string;
  /** Validity; default 30 days (short-lived: rotated before expiry, see `applyCertificateSecrets`). */
  readonly validityMs?: number;
  /** Issue time; default now. */
  readonly now?: Date;
  /** Extra names for the xDS server certificate (e.g. `127.0.0.1` for host mode). */
  readonly extraServerNames?: readonly string[];
}

export const DEFAULT_NAMESPACE = 'envoy-gateway-system';
export const DEFAULT_VALIDITY_MS = 30 * 24 * 3600 * 1000;

const rsaKey = () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return {
    pem,
    forgePrivate: forge.pki.privateKeyFromPem(pem),
    forgePublic: forge.pki.publicKeyFromPem(
      publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    ),
  };
};

// A positive serial of 16 random bytes (RFC 5280 4.1.2.2: at most 20 octets, non-negative).
const serial = () => `01${randomBytes(15).toString('hex')}`;

const isIp = (name: string) => /^[0-9.]+$/.test(name) || name.includes(':');

interface IssueOptions {
  readonly commonName: string;
  readonly names: readonly string[];
  readonly usage: 'server' | 'client';
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly issuer: { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey };
}

const issue = (options: IssueOptions): KeyPair => {
  const key = rsaKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = key.forgePublic;
  cert.serialNumber = serial();
  cert.validity.notBefore = options.notBefore;
  cert.validity.notAfter = options.notAfter;
  cert.setSubject([{ name: 'commonName', value: options.commonName }]);
  cert.setIssuer(options.issuer.cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    {
      name: 'extKeyUsage',
      serverAuth: options.usage === 'server',
      clientAuth: options.usage === 'client',
    },
    {
      name: 'subjectAltName',
      altNames: options.names.map((n) => (isIp(n) ? { type: 7, ip: n } : { type: 2, value: n })),
    },
  ]);
  cert.sign(options.issuer.key, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: key.pem };
};

/** Issues a new CA and every certificate from it. */
export const generateCertificates = (options: CertificateOptions = {}): Certificates => {
  const ns = options.namespace ?? DEFAULT_NAMESPACE;
  const domain = options.clusterDomain ?? 'cluster.local';
  // Back-date by a minute so that a clock a little behind does not reject a fresh certificate.
  // X.509 times have whole seconds: start on one so that notAfter is not cut short.
  const issued = Math.floor((options.now ?? new Date()).getTime() / 1000) * 1000;
  const notBefore = new Date(issued - 60_000);
  const notAfter = new Date(
    notBefore.getTime() + 60_000 + (options.validityMs ?? DEFAULT_VALIDITY_MS),
  );
  const caKey = rsaKey();
  const ca = forge.pki.createCertificate();
  ca.publicKey = caKey.forgePublic;
  ca.serialNumber = serial();
  ca.validity.notBefore = notBefore;
  ca.validity.notAfter = notAfter;
  const caName = [{ name: 'commonName', value: 'egts' }];
  ca.setSubject(caName);
  ca.setIssuer(caName);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKey.forgePrivate, forge.md.sha256.create());
  const issuer = { cert: ca, key: caKey.forgePrivate };
  const serviceNames = (service: string) => [
    service,
    `${service}.${ns}`,
    `${service}.${ns}.svc`,
    `${service}.${ns}.svc.${domain}`,
  ];
  const common = { notBefore, notAfter, issuer };
  return {
    ca: forge.pki.certificateToPem(ca),
    envoyGateway: issue({
      ...common,
      commonName: 'envoy-gateway',
      names: [...serviceNames('envoy-gateway'), ...(options.extraServerNames ?? [])],
      usage: 'server',
    }),
    envoy: issue({
      ...common,
      commonName: 'envoy',
      names: [`*.${ns}`, `*.${ns}.svc`, `*.${ns}.svc.${domain}`],
      usage: 'client',
    }),
    rateLimit: issue({
      ...common,
      commonName: 'envoy-rate-limit',
      names: serviceNames('envoy-ratelimit'),
      usage: 'server',
    }),
    hmacSecret: randomBytes(32),
    notBefore,
    notAfter,
  };
};
