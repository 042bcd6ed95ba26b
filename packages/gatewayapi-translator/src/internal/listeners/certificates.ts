// Parsing and checking TLS Secrets for listeners: PEM certificate chain and key present, parseable,
// matching, currently valid, and at most one certificate per domain and key algorithm.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { Secret } from '@egts/api';

export interface ParsedCertificate {
  secretKey: string;
  certificatePem: string;
  privateKeyPem: string;
  dnsNames: string[];
  keyAlgorithm: string;
}

const SUPPORTED_KEY_BLOCKS = ['RSA PRIVATE KEY', 'PRIVATE KEY', 'EC PRIVATE KEY'];

/** Decoded `data[key]` (base64) or `stringData[key]` of a Secret or ConfigMap-like object. */
export function secretValue(secret: Secret, key: string): string | undefined {
  const data = secret.data?.[key];
  if (data !== undefined && data !== null) return Buffer.from(data, 'base64').toString('utf8');
  const text = (secret as { stringData?: Record<string, string> }).stringData?.[key];
  return text ?? undefined;
}

function pemBlockType(pem: string): string | undefined {
  return /-----BEGIN ([A-Z0-9 ]+)-----/.exec(pem)?.[1];
}

/** SAN DNS names of a certificate. */
export function certificateDNSNames(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('DNS:'))
    .map((s) => s.slice(4));
}

/** Parse one TLS secret; returns an error message when it cannot be served. */
export function parseTLSSecret(secret: Secret, now: Date): ParsedCertificate | string {
  const id = `${secret.metadata.namespace ?? 'default'}/${secret.metadata.name}`;
  const certificatePem = secretValue(secret, 'tls.crt');
  const privateKeyPem = secretValue(secret, 'tls.key');
  if (!certificatePem || !privateKeyPem) return `${id} must contain tls.crt and tls.key`;
  if (pemBlockType(certificatePem) !== 'CERTIFICATE') {
    return `${id} must contain a valid tls.crt: no PEM certificate found`;
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certificatePem);
  } catch (e) {
    return `${id} must contain a valid tls.crt: ${(e as Error).message}`;
  }
  const notBefore = Date.parse(cert.validFrom);
  const notAfter = Date.parse(cert.validTo);
  if (now.getTime() < notBefore || now.getTime() > notAfter) {
    return `${id} certificate is expired or not yet valid`;
  }
  const keyType = pemBlockType(privateKeyPem);
  if (!keyType || !SUPPORTED_KEY_BLOCKS.includes(keyType)) {
    return `${id} must contain a valid tls.key: ${keyType ?? 'no PEM'} key format found, supported formats are PKCS1, PKCS8 or EC`;
  }
  try {
    const key = createPrivateKey(privateKeyPem);
    if (!cert.checkPrivateKey(key))
      return `${id} tls.key does not match the certificate in tls.crt`;
  } catch (e) {
    return `${id} must contain a valid tls.key: ${(e as Error).message}`;
  }
  return {
    secretKey: id,
    certificatePem,
    privateKeyPem,
    dnsNames: certificateDNSNames(cert),
    keyAlgorithm: cert.publicKey.asymmetricKeyType ?? 'unknown',
  };
}
