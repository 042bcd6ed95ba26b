// @egts/certgen: the certificates of xDS mTLS between egts and its Envoy proxies (Envoy Gateway's
// certgen), as Kubernetes Secrets or local files, re-issued before they expire.

export type { CertificateOptions, Certificates, KeyPair } from './certificates.js';
export { DEFAULT_NAMESPACE, DEFAULT_VALIDITY_MS, generateCertificates } from './certificates.js';
export type { ApplySecretsOptions, ApplySecretsResult } from './secrets.js';
export {
  applyCertificateSecrets,
  certificateSecrets,
  SECRET_NAMES,
  writeCertificateFiles,
} from './secrets.js';
