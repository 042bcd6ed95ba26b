// Test PKI made with the openssl CLI: CAs, a server certificate for 127.0.0.1, client certificates.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pki {
  readonly dir: string;
  /** Makes a CA; returns the paths of its cert and key. */
  ca(name: string): { cert: string; key: string };
  /** Makes a leaf certificate signed by `ca`; `server` adds SAN IP:127.0.0.1. */
  leaf(
    name: string,
    ca: { cert: string; key: string },
    server?: boolean,
  ): { cert: string; key: string };
  read(path: string): Buffer;
}

const openssl = (args: string[], cwd: string): void => {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
};

export const createPki = (): Pki => {
  const dir = mkdtempSync(join(tmpdir(), 'egts-pki-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  return {
    dir,
    ca(name) {
      const cert = join(dir, `${name}.crt`);
      const key = join(dir, `${name}.key`);
      openssl(
        ['req', '-x509', ...ec, '-keyout', key, '-out', cert, '-subj', `/CN=${name}`, '-days', '1'],
        dir,
      );
      return { cert, key };
    },
    leaf(name, ca, server = false) {
      const cert = join(dir, `${name}.crt`);
      const key = join(dir, `${name}.key`);
      const csr = join(dir, `${name}.csr`);
      const ext = join(dir, `${name}.ext`);
      writeFileSync(
        ext,
        server
          ? 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n'
          : 'extendedKeyUsage=clientAuth\n',
      );
      openssl(['req', ...ec, '-keyout', key, '-out', csr, '-subj', `/CN=${name}`], dir);
      openssl(
        [
          'x509',
          '-req',
          '-in',
          csr,
          '-CA',
          ca.cert,
          '-CAkey',
          ca.key,
          '-CAcreateserial',
          '-out',
          cert,
          '-days',
          '1',
          '-extfile',
          ext,
        ],
        dir,
      );
      return { cert, key };
    },
    read: (path) => readFileSync(path),
  };
};
