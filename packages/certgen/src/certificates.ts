// The certificates of xDS mTLS between egts and its proxies (Envoy Gateway's certgen): one CA, a
// server certificate for the egts xDS Service, a client certificate for the proxies, a server
// certificate for the rate limit service, and the OIDC HMAC secret. Keys come from node:crypto;
// node-forge builds and signs the X.509 certificates (Node has no API to issue one).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type forge from 'node-forge';

// Loaded when a certificate is issued, not at import: a host-mode start with certificates in
// place never needs it (issue #24).
let forgeLibrary: typeof forge | undefined;
const nodeForge = (): typeof forge => {
  forgeLibrary ??= createRequire(import.meta.url)('node-forge') as typeof forge;
  return forgeLibrary;
};

export interface KeyPair {
  /** PEM certificate. */
  readonly cert: string;
  /** PEM private key (PKCS#8). */
  readonly key: string;
}

export interface Certificates {
  /** The CA's certificate (for `--local` files; in a cluster the CA lives in its own Secret). */
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
  /** Validity; default 30 days (short-lived: rotated before expiry, see `rotateCertificates`). */
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
    forgePrivate: nodeForge().pki.privateKeyFromPem(pem),
    forgePublic: nodeForge().pki.publicKeyFromPem(
      publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    ),
  };
};

// forge writes CRLF; Node and the Secrets use LF, and bundles are compared as text.
const toPem = (cert: forge.pki.Certificate) =>
  nodeForge().pki.certificateToPem(cert).replace(/\r\n/g, '\n');

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
  const cert = nodeForge().pki.createCertificate();
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
  cert.sign(options.issuer.key, nodeForge().md.sha256.create());
  return { cert: toPem(cert), key: key.pem };
};

/** Whole seconds (X.509 times have no more), back-dated by a minute so that a clock a little behind accepts a fresh certificate. */
const validity = (now: Date | undefined, validityMs: number) => {
  const issued = Math.floor((now ?? new Date()).getTime() / 1000) * 1000;
  const notBefore = new Date(issued - 60_000);
  return { notBefore, notAfter: new Date(issued + validityMs) };
};

export interface CaOptions {
  /** Validity; default a year (rotated with overlap before expiry, see `rotateCertificates`). */
  readonly validityMs?: number;
  /** Issue time; default now. */
  readonly now?: Date;
}

export const DEFAULT_CA_VALIDITY_MS = 365 * 24 * 3600 * 1000;

/** A new self-signed CA. Each has a fresh key, so old and new CAs can be trusted side by side. */
export const issueCa = (options: CaOptions = {}): KeyPair => {
  const { notBefore, notAfter } = validity(
    options.now,
    options.validityMs ?? DEFAULT_CA_VALIDITY_MS,
  );
  const caKey = rsaKey();
  const ca = nodeForge().pki.createCertificate();
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
    // Several CAs share the subject `egts` during a rotation: the key identifiers tell verifiers
    // which one signed a certificate (RFC 5280 4.2.1.1, 4.2.1.2).
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKey.forgePrivate, nodeForge().md.sha256.create());
  return { cert: toPem(ca), key: caKey.pem };
};

export type LeafCertificates = Pick<
  Certificates,
  'envoyGateway' | 'envoy' | 'rateLimit' | 'notBefore' | 'notAfter'
>;

/** The server and client certificates, signed by `ca` and never outliving it. */
export const issueLeafCertificates = (
  ca: KeyPair,
  options: CertificateOptions = {},
): LeafCertificates => {
  const ns = options.namespace ?? DEFAULT_NAMESPACE;
  const domain = options.clusterDomain ?? 'cluster.local';
  const caCert = nodeForge().pki.certificateFromPem(ca.cert);
  const window = validity(options.now, options.validityMs ?? DEFAULT_VALIDITY_MS);
  const notAfter = new Date(
    Math.min(window.notAfter.getTime(), caCert.validity.notAfter.getTime()),
  );
  const issuer = {
    cert: caCert,
    key: nodeForge().pki.privateKeyFromPem(ca.key) as forge.pki.rsa.PrivateKey,
  };
  const serviceNames = (service: string) => [
    service,
    `${service}.${ns}`,
    `${service}.${ns}.svc`,
    `${service}.${ns}.svc.${domain}`,
  ];
  const common = { notBefore: window.notBefore, notAfter, issuer };
  return {
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
    notBefore: window.notBefore,
    notAfter,
  };
};

/** Issues a new CA (as long-lived as the certificates) and every certificate from it. */
export const generateCertificates = (options: CertificateOptions = {}): Certificates => {
  const validityMs = options.validityMs ?? DEFAULT_VALIDITY_MS;
  const ca = issueCa({ validityMs, ...(options.now ? { now: options.now } : {}) });
  return { ca: ca.cert, ...issueLeafCertificates(ca, options), hmacSecret: randomBytes(32) };
};
