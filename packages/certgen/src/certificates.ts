// The certificates of xDS mTLS between egts and its proxies (Envoy Gateway's certgen): one CA, a
// server certificate for the egts xDS Service, a client certificate for the proxies, a server
// certificate for the rate limit service, and the OIDC HMAC secret. Node has no API to issue a
// certificate: the TBSCertificate is written here in DER (RFC 5280 4.1) and node:crypto signs it.
//
// Fresh keys are ECDSA P-256 (RFC 5480): one takes about 0.1 ms to make against 100-300 ms for
// RSA-2048, which made a first host-mode start's four keys most of its certificate time (issue
// #24); Envoy (BoringSSL), the xDS server (grpc-js, OpenSSL) and the rate limit service (Go)
// accept them. A CA made earlier, by egts or by Envoy Gateway's certgen, may be RSA: what it
// issues is signed the way its key signs.
import {
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
  X509Certificate,
} from 'node:crypto';
import { isIP, isIPv4 } from 'node:net';
import * as der from './internal/der.js';

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

interface SubjectKey {
  /** The private key, PEM (PKCS#8). */
  readonly pem: string;
  /** The public key as a DER SubjectPublicKeyInfo (RFC 5280 4.1.2.7; RFC 5480 2 for EC keys). */
  readonly spki: Buffer;
}

const freshKey = (): SubjectKey => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    spki: publicKey.export({ type: 'spki', format: 'der' }),
  };
};

/** The signature AlgorithmIdentifier for SHA-256 with an issuer key of each type. */
const SIGNATURE_ALGORITHMS: Readonly<Record<string, Buffer>> = {
  // sha256WithRSAEncryption, parameters NULL (RFC 4055 5).
  rsa: der.sequence(der.objectIdentifier('1.2.840.113549.1.1.11'), der.nullValue()),
  // ecdsa-with-SHA256, parameters absent (RFC 5758 3.2).
  ec: der.sequence(der.objectIdentifier('1.2.840.10045.4.3.2')),
};

interface Issuer {
  /** The issuer's Name, DER: a certificate's issuer field copies it (RFC 5280 4.1.2.4). */
  readonly name: Buffer;
  /** The issuer's subjectKeyIdentifier, which the authorityKeyIdentifier repeats. */
  readonly keyIdentifier: Buffer | undefined;
  readonly key: KeyObject;
  readonly algorithm: Buffer;
}

const issuerWith = (name: Buffer, keyIdentifier: Buffer | undefined, keyPem: string): Issuer => {
  const key = createPrivateKey(keyPem);
  const algorithm = SIGNATURE_ALGORITHMS[key.asymmetricKeyType ?? ''];
  if (algorithm === undefined)
    throw new Error(`certgen: cannot sign with a CA key of type ${key.asymmetricKeyType}`);
  return { name, keyIdentifier, key, algorithm };
};

const SUBJECT_KEY_IDENTIFIER = '2.5.29.14';

/**
 * The subject Name and subjectKeyIdentifier of a CA's DER certificate, as they are: Go's verifier
 * matches a certificate's issuer to its CA's subject byte for byte, and a CA made elsewhere may
 * derive its key identifier another way (RFC 5280 4.2.1.2 leaves it open).
 */
const issuerOf = (ca: KeyPair): Issuer => {
  const [tbs = Buffer.alloc(0)] = der.children(new X509Certificate(ca.cert).raw);
  const fields = der.children(tbs);
  // [0] version, then serial, signature, issuer, validity, subject, subjectPublicKeyInfo, and
  // after the optional unique identifiers, [3] extensions (RFC 5280 4.1).
  const [, , , , subject, , ...optional] = fields[0]?.[0] === 0xa0 ? fields.slice(1) : fields;
  if (subject === undefined) throw new Error('certgen: the CA certificate has no subject');
  const extensions = optional.find((field) => field[0] === 0xa3);
  const oid = der.objectIdentifier(SUBJECT_KEY_IDENTIFIER);
  const ski = der
    .children(extensions ? der.contents(extensions) : der.sequence())
    .map((ext) => der.children(ext))
    .find(([id]) => id?.equals(oid));
  // extnValue is an OCTET STRING holding the DER of the KeyIdentifier, an OCTET STRING itself.
  const value = ski?.at(-1);
  return issuerWith(subject, value && der.contents(der.contents(value)), ca.key);
};

/** The key identifier of RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING's value. */
const keyIdentifier = (spki: Buffer): Buffer => {
  const [, subjectPublicKey = der.bitString(Buffer.alloc(0))] = der.children(spki);
  return createHash('sha1').update(der.contents(subjectPublicKey).subarray(1)).digest();
};

/** A Name of one commonName (RFC 5280 4.1.2.4 and 4.1.2.6, UTF8String). */
const commonName = (value: string) =>
  der.sequence(der.set(der.sequence(der.objectIdentifier('2.5.4.3'), der.utf8String(value))));

/** An Extension (RFC 5280 4.1): `critical` DEFAULT FALSE, so left out when false (DER). */
const extension = (oid: string, critical: boolean, value: Buffer) =>
  der.sequence(
    der.objectIdentifier(oid),
    ...(critical ? [der.boolean(true)] : []),
    der.octetString(value),
  );

/** A positive serial of 16 random bytes (RFC 5280 4.1.2.2: at most 20 octets, non-negative). */
const serial = () => Buffer.concat([Buffer.from([1]), randomBytes(15)]);

interface CertificateFields {
  readonly subject: Buffer;
  readonly spki: Buffer;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly extensions: readonly Buffer[];
}

/**
 * A v3 certificate (RFC 5280 4.1), signed with SHA-256 by `issuer`, as PEM. It names its key and
 * its issuer's (RFC 5280 4.2.1.1, 4.2.1.2): several CAs share the subject `egts` during a
 * rotation, and without the authority key identifier OpenSSL and BoringSSL may pick the wrong
 * one of them and fail the signature check.
 */
const certify = (fields: CertificateFields, issuer: Issuer): string => {
  const keyIds = [
    extension(SUBJECT_KEY_IDENTIFIER, false, der.octetString(keyIdentifier(fields.spki))),
    ...(issuer.keyIdentifier
      ? [extension('2.5.29.35', false, der.sequence(der.implicit(0, issuer.keyIdentifier)))]
      : []),
  ];
  const tbs = der.sequence(
    der.explicit(0, der.unsignedInteger(Buffer.from([2]))), // v3
    der.unsignedInteger(serial()),
    issuer.algorithm,
    issuer.name,
    der.sequence(der.time(fields.notBefore), der.time(fields.notAfter)),
    fields.subject,
    fields.spki,
    der.explicit(3, der.sequence(...fields.extensions, ...keyIds)),
  );
  // RSA signs PKCS#1 v1.5; ECDSA gives the DER Ecdsa-Sig-Value X.509 wants (RFC 3279 2.2.3).
  const signature = sign('sha256', tbs, issuer.key);
  const certificate = der.sequence(tbs, issuer.algorithm, der.bitString(signature));
  return new X509Certificate(certificate).toString();
};

/** An IP address's bytes for an iPAddress name (RFC 5280 4.2.1.6): 4 for IPv4, 16 for IPv6. */
const ipBytes = (ip: string): Buffer => {
  if (isIPv4(ip)) return Buffer.from(ip.split('.').map(Number));
  // RFC 4291 2.2: 16-bit groups in hex, one `::` for a run of zeros, maybe an IPv4 tail.
  const groups = (part: string) =>
    part === ''
      ? []
      : part.split(':').flatMap((group) => {
          if (!isIPv4(group)) return [Number.parseInt(group, 16)];
          const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
          return [a * 256 + b, c * 256 + d];
        });
  const [head = '', tail] = ip.split('::');
  const before = groups(head);
  const after = tail === undefined ? [] : groups(tail);
  const all = [...before, ...Array(8 - before.length - after.length).fill(0), ...after];
  const bytes = Buffer.alloc(16);
  for (const [i, group] of all.entries()) bytes.writeUInt16BE(group, 2 * i);
  return bytes;
};

// Extension values (RFC 5280 4.2.1). keyUsage is a BIT STRING with bit 0 first and trailing zero
// bits dropped (X.690 11.2.2): digitalSignature (bit 0) is 0x80 with 7 unused bits; keyCertSign
// and cRLSign (bits 5 and 6) are 0x06 with 1 unused. A leaf's key is EC, so it signs and does not
// encipher: RFC 5480 3 forbids keyEncipherment for it.
const LEAF_KEY_USAGE = der.bitString(Buffer.from([0x80]), 7);
const CA_KEY_USAGE = der.bitString(Buffer.from([0x06]), 1);
const EXTENDED_KEY_USAGE = { server: '1.3.6.1.5.5.7.3.1', client: '1.3.6.1.5.5.7.3.2' };

interface IssueOptions {
  readonly commonName: string;
  readonly names: readonly string[];
  readonly usage: 'server' | 'client';
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly issuer: Issuer;
}

const issue = (options: IssueOptions): KeyPair => {
  const key = freshKey();
  const names = options.names.map((name) =>
    isIP(name) ? der.implicit(7, ipBytes(name)) : der.implicit(2, Buffer.from(name, 'ascii')),
  );
  const cert = certify(
    {
      subject: commonName(options.commonName),
      spki: key.spki,
      notBefore: options.notBefore,
      notAfter: options.notAfter,
      extensions: [
        extension('2.5.29.19', true, der.sequence()), // basicConstraints, cA FALSE
        extension('2.5.29.15', true, LEAF_KEY_USAGE),
        extension(
          '2.5.29.37', // extKeyUsage
          false,
          der.sequence(der.objectIdentifier(EXTENDED_KEY_USAGE[options.usage])),
        ),
        extension('2.5.29.17', false, der.sequence(...names)), // subjectAltName
      ],
    },
    options.issuer,
  );
  return { cert, key: key.pem };
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
  const key = freshKey();
  const name = commonName('egts');
  const cert = certify(
    {
      subject: name,
      spki: key.spki,
      notBefore,
      notAfter,
      extensions: [
        extension('2.5.29.19', true, der.sequence(der.boolean(true))), // basicConstraints, cA TRUE
        extension('2.5.29.15', true, CA_KEY_USAGE),
      ],
    },
    issuerWith(name, keyIdentifier(key.spki), key.pem),
  );
  return { cert, key: key.pem };
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
  const window = validity(options.now, options.validityMs ?? DEFAULT_VALIDITY_MS);
  const caExpiry = Date.parse(new X509Certificate(ca.cert).validTo);
  const notAfter = new Date(Math.min(window.notAfter.getTime(), caExpiry));
  const issuer = issuerOf(ca);
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
