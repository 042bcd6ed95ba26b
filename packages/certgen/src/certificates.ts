// The certificates of xDS mTLS between egts and its proxies (Envoy Gateway's certgen): one CA, a
// server certificate for the egts xDS Service, a client certificate for the proxies, a server
// certificate for the rate limit service, and the OIDC HMAC secret. Keys come from node:crypto;
// node-forge builds the X.509 certificates (Node has no API to issue one); node:crypto signs them.
import {
  generateKeyPair,
  generateKeyPairSync,
  type KeyPairKeyObjectResult,
  randomBytes,
  sign,
} from 'node:crypto';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
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

interface RsaKey {
  /** The private key, PEM (PKCS#8). */
  readonly pem: string;
  readonly forgePublic: forge.pki.rsa.PublicKey;
}

const rsaKey = ({ privateKey, publicKey }: KeyPairKeyObjectResult): RsaKey => ({
  pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  forgePublic: nodeForge().pki.publicKeyFromPem(
    publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  ) as forge.pki.rsa.PublicKey,
});

/** Where the keys of a set come from, one per certificate. */
type Keys = () => RsaKey;
const freshKeys: Keys = () => rsaKey(generateKeyPairSync('rsa', { modulusLength: 2048 }));

/**
 * Signs `cert` with SHA-256 and RSA, natively: node-forge's pure JavaScript RSA took most of the
 * 0.6 s CPU a first host-mode start spent on its certificates (#24). The TBSCertificate is the
 * one node-forge writes out with the signature (RFC 5280 4.1.1.3).
 */
const signCertificate = (cert: forge.pki.Certificate, issuerKeyPem: string) => {
  const { asn1, pki } = nodeForge();
  const algorithm = pki.oids.sha256WithRSAEncryption!;
  cert.signatureOid = algorithm;
  cert.siginfo.algorithmOid = algorithm;
  // pki.getTBSCertificate is node-forge's (x509.js), left out of its type declarations.
  const tbsOf = pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 };
  cert.tbsCertificate = tbsOf.getTBSCertificate(cert);
  const tbs = Buffer.from(asn1.toDer(cert.tbsCertificate).getBytes(), 'binary');
  cert.signature = sign('sha256', tbs, issuerKeyPem).toString('binary');
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
  readonly issuer: { cert: forge.pki.Certificate; keyPem: string };
}

const issue = (options: IssueOptions, key: RsaKey): KeyPair => {
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
  signCertificate(cert, options.issuer.keyPem);
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
export const issueCa = (options: CaOptions = {}): KeyPair => caWithKey(options, freshKeys());

const caWithKey = (options: CaOptions, caKey: RsaKey): KeyPair => {
  const { notBefore, notAfter } = validity(
    options.now,
    options.validityMs ?? DEFAULT_CA_VALIDITY_MS,
  );
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
  signCertificate(ca, caKey.pem);
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
): LeafCertificates => leavesWithKeys(ca, options, freshKeys);

const leavesWithKeys = (ca: KeyPair, options: CertificateOptions, keys: Keys): LeafCertificates => {
  const ns = options.namespace ?? DEFAULT_NAMESPACE;
  const domain = options.clusterDomain ?? 'cluster.local';
  const caCert = nodeForge().pki.certificateFromPem(ca.cert);
  const window = validity(options.now, options.validityMs ?? DEFAULT_VALIDITY_MS);
  const notAfter = new Date(
    Math.min(window.notAfter.getTime(), caCert.validity.notAfter.getTime()),
  );
  const issuer = { cert: caCert, keyPem: ca.key };
  const serviceNames = (service: string) => [
    service,
    `${service}.${ns}`,
    `${service}.${ns}.svc`,
    `${service}.${ns}.svc.${domain}`,
  ];
  const common = { notBefore: window.notBefore, notAfter, issuer };
  return {
    envoyGateway: issue(
      {
        ...common,
        commonName: 'envoy-gateway',
        names: [...serviceNames('envoy-gateway'), ...(options.extraServerNames ?? [])],
        usage: 'server',
      },
      keys(),
    ),
    envoy: issue(
      {
        ...common,
        commonName: 'envoy',
        names: [`*.${ns}`, `*.${ns}.svc`, `*.${ns}.svc.${domain}`],
        usage: 'client',
      },
      keys(),
    ),
    rateLimit: issue(
      {
        ...common,
        commonName: 'envoy-rate-limit',
        names: serviceNames('envoy-ratelimit'),
        usage: 'server',
      },
      keys(),
    ),
    notBefore: window.notBefore,
    notAfter,
  };
};

/** Issues a new CA (as long-lived as the certificates) and every certificate from it. */
export const generateCertificates = (options: CertificateOptions = {}): Certificates =>
  certificatesWithKeys(options, freshKeys);

const certificatesWithKeys = (options: CertificateOptions, keys: Keys): Certificates => {
  const validityMs = options.validityMs ?? DEFAULT_VALIDITY_MS;
  const ca = caWithKey({ validityMs, ...(options.now ? { now: options.now } : {}) }, keys());
  return { ca: ca.cert, ...leavesWithKeys(ca, options, keys), hmacSecret: randomBytes(32) };
};

/** How many keys a set takes: the CA's and one per leaf certificate. */
const KEYS_PER_SET = 4;
const generateKeyPairAsync = promisify(generateKeyPair);

/**
 * `generateCertificates`, with the RSA keys made off the main thread and side by side (libuv's
 * thread pool): a host-mode start goes on meanwhile, and on several cores the keys take the time
 * of one.
 */
export const generateCertificatesAsync = async (
  options: CertificateOptions = {},
): Promise<Certificates> => {
  const made = await Promise.all(
    Array.from({ length: KEYS_PER_SET }, () =>
      generateKeyPairAsync('rsa', { modulusLength: 2048 }),
    ),
  );
  const keys = made.map(rsaKey);
  return certificatesWithKeys(options, () => {
    const key = keys.shift();
    if (key === undefined) throw new Error('certgen: more certificates than keys');
    return key;
  });
};
