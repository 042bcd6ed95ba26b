// @egts/certgen: the certificates of xDS mTLS between egts and its Envoy proxies (Envoy Gateway's
// certgen), as Kubernetes Secrets or local files, rotated before they expire without disruption.

export type { CertificateRotation, CertificateRotationOptions } from './certificateRotation.js';
export { startCertificateRotation } from './certificateRotation.js';
export type {
  CaOptions,
  CertificateOptions,
  Certificates,
  KeyPair,
  LeafCertificates,
} from './certificates.js';
export {
  DEFAULT_CA_VALIDITY_MS,
  DEFAULT_NAMESPACE,
  DEFAULT_VALIDITY_MS,
  generateCertificates,
  issueCa,
  issueLeafCertificates,
} from './certificates.js';
export type { LocalCertificateFiles, LocalRenewalOptions } from './localCertificates.js';
export { ensureLocalCertificates, renewLocalCertificates } from './localCertificates.js';
export type { ApplySecretsOptions, ApplySecretsResult } from './rotation.js';
export { applyCertificateSecrets } from './rotation.js';
export { CA_SECRET, SECRET_NAMES, writeCertificateFiles } from './secrets.js';
export { applyWebhookCaBundle, topologyInjectorWebhookName } from './webhookCaBundle.js';
