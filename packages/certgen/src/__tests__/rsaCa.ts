// An RSA CA as egts made before its keys became P-256, or as Envoy Gateway's certgen makes one
// (RSA 2048, SHA-256, key in PKCS#1 PEM): made by the openssl CLI, not by the code under test.
import { execFileSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyPair } from '../index.js';

export const rsaCa = (days: number): KeyPair => {
  const dir = mkdtempSync(join(tmpdir(), 'egts-rsa-ca-'));
  const [key, cert] = [join(dir, 'ca.key'), join(dir, 'ca.crt')];
  try {
    // `req -x509` makes a CA: basicConstraints CA:TRUE and both key identifiers (openssl.cnf v3_ca).
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-sha256',
        '-subj',
        '/CN=envoy-gateway',
      ].concat(['-days', String(days), '-keyout', key, '-out', cert]),
      { stdio: 'ignore' },
    );
    const pkcs1 = createPrivateKey(readFileSync(key)).export({ type: 'pkcs1', format: 'pem' });
    return { cert: readFileSync(cert, 'utf8'), key: pkcs1.toString() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
