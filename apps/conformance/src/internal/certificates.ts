// The Secrets the suite creates in code at setup (not in any manifest): self-signed serving
// certificates for the HTTPS listeners, made with the openssl CLI into a temporary directory.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from './cluster.js';

export interface Certificate {
  readonly cert: string;
  readonly key: string;
}

/** A self-signed certificate for `hosts` (DNS SANs, URI SANs for `scheme://` ones; the first is the CN). */
export const selfSigned = (hosts: readonly string[]): Certificate => {
  const dir = mkdtempSync(join(tmpdir(), 'egts-conformance-cert-'));
  try {
    const config = [
      '[req]',
      'distinguished_name = dn',
      'x509_extensions = ext',
      'prompt = no',
      '[dn]',
      `CN = ${hosts[0]}`,
      'O = gateway-api-conformance',
      '[ext]',
      `subjectAltName = ${hosts.map((h) => (h.includes('://') ? `URI:${h}` : `DNS:${h}`)).join(',')}`,
      'basicConstraints = critical,CA:TRUE',
      'keyUsage = digitalSignature,keyEncipherment,keyCertSign,cRLSign',
      // clientAuth too: these certificates are also the CAs of the client certificates (OpenSSL
      // checks a CA's extended key usage as well).
      'extendedKeyUsage = serverAuth,clientAuth',
    ].join('\n');
    writeFileSync(join(dir, 'req.cnf'), config);
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '365',
        '-config',
        'req.cnf',
        '-keyout',
        'key.pem',
        '-out',
        'cert.pem',
      ],
      { cwd: dir, stdio: 'ignore' },
    );
    return {
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

/**
 * A client certificate (CN `name`, clientAuth) signed by `ca`, as the suite makes for mTLS checks.
 * `days` -1 makes one that expired a day ago (notAfter before notBefore).
 */
export const clientCertificate = (ca: Certificate, name: string, days = 365): Certificate => {
  const dir = mkdtempSync(join(tmpdir(), 'egts-conformance-cert-'));
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  try {
    writeFileSync(join(dir, 'ca.pem'), ca.cert);
    writeFileSync(join(dir, 'ca-key.pem'), ca.key);
    writeFileSync(
      join(dir, 'ext.cnf'),
      [
        'basicConstraints = CA:FALSE',
        'keyUsage = digitalSignature',
        'extendedKeyUsage = clientAuth',
      ].join('\n'),
    );
    run([
      'req',
      '-new',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      'key.pem',
      '-out',
      'req.pem',
    ]);
    run([
      'x509',
      '-req',
      '-in',
      'req.pem',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca-key.pem',
      '-CAcreateserial',
      '-days',
      String(days),
      '-extfile',
      'ext.cnf',
      '-out',
      'cert.pem',
    ]);
    return {
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

export const tlsSecret = (
  namespace: string,
  name: string,
  certificate: Certificate,
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace },
  type: 'kubernetes.io/tls',
  data: {
    'tls.crt': Buffer.from(certificate.cert).toString('base64'),
    'tls.key': Buffer.from(certificate.key).toString('base64'),
  },
});

/** A ConfigMap holding a certificate as a CA bundle under `ca.crt` (BackendTLSPolicy's format). */
export const caConfigMap = (
  namespace: string,
  name: string,
  certificate: Certificate,
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace },
  data: { 'ca.crt': certificate.cert },
});

/** A PEM CRL of `ca` revoking `revoked` (openssl ca -gencrl, valid 30 days). */
export const revocationList = (ca: Certificate, revoked: readonly Certificate[]): string => {
  const dir = mkdtempSync(join(tmpdir(), 'egts-conformance-crl-'));
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  try {
    writeFileSync(join(dir, 'ca.pem'), ca.cert);
    writeFileSync(join(dir, 'ca-key.pem'), ca.key);
    writeFileSync(join(dir, 'index.txt'), '');
    writeFileSync(join(dir, 'crlnumber'), '01\n');
    writeFileSync(
      join(dir, 'ca.cnf'),
      [
        '[ca]',
        'default_ca = crl_ca',
        '[crl_ca]',
        `dir = ${dir}`,
        'database = $dir/index.txt',
        'crlnumber = $dir/crlnumber',
        'certificate = $dir/ca.pem',
        'private_key = $dir/ca-key.pem',
        'default_md = sha256',
        'default_crl_days = 30',
      ].join('\n'),
    );
    revoked.forEach((certificate, i) => {
      writeFileSync(join(dir, `revoked-${i}.pem`), certificate.cert);
      run(['ca', '-config', 'ca.cnf', '-revoke', `revoked-${i}.pem`]);
    });
    run(['ca', '-config', 'ca.cnf', '-gencrl', '-out', 'crl.pem']);
    return readFileSync(join(dir, 'crl.pem'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
