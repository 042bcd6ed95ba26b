// Host mode's xDS certificates: generated into a local directory on first start and renewed there
// once a third of their validity is left, as the Kubernetes mode renews its Secrets. The
// directory is private to the user (0700, keys 0600): a local process without it can neither
// connect to the xDS server nor ask it for the proxies' TLS private keys.
import { X509Certificate } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type CertificateOptions, generateCertificates } from './certificates.js';
import { writeCertificateFiles } from './secrets.js';

export interface LocalCertificateFiles {
  /** CA bundle both sides trust. */
  readonly ca: string;
  /** The xDS server's certificate and key (`envoy-gateway/`). */
  readonly serverCert: string;
  readonly serverKey: string;
  /** The proxies' client certificate and key (`envoy/`). */
  readonly clientCert: string;
  readonly clientKey: string;
  readonly notAfter: Date;
  /** Whether this call wrote them (first start, or renewal). */
  readonly generated: boolean;
}

const files = (dir: string) => ({
  ca: join(dir, 'envoy-gateway', 'ca.crt'),
  serverCert: join(dir, 'envoy-gateway', 'tls.crt'),
  serverKey: join(dir, 'envoy-gateway', 'tls.key'),
  clientCert: join(dir, 'envoy', 'tls.crt'),
  clientKey: join(dir, 'envoy', 'tls.key'),
});

/** The validity window of the certificates in `dir`, or undefined when any is missing. */
async function validityOf(dir: string): Promise<{ notBefore: Date; notAfter: Date } | undefined> {
  const paths = files(dir);
  try {
    for (const key of [paths.serverKey, paths.clientKey]) await stat(key);
    const certs = await Promise.all(
      [paths.ca, paths.serverCert, paths.clientCert].map(
        async (path) => new X509Certificate(await readFile(path)),
      ),
    );
    const notBefore = new Date(Math.max(...certs.map((c) => Date.parse(c.validFrom))));
    const notAfter = new Date(Math.min(...certs.map((c) => Date.parse(c.validTo))));
    return { notBefore, notAfter };
  } catch {
    return undefined;
  }
}

/**
 * The certificates in `dir`: kept while more than a third of their validity is left, generated
 * (all at once, into a new directory renamed into place) otherwise. Two processes starting
 * together end up with the same set: the first rename wins and the other reads it.
 */
export async function ensureLocalCertificates(
  dir: string,
  options: CertificateOptions = {},
): Promise<LocalCertificateFiles> {
  const now = options.now ?? new Date();
  const current = await validityOf(dir);
  if (current !== undefined) {
    const left = current.notAfter.getTime() - now.getTime();
    const total = current.notAfter.getTime() - current.notBefore.getTime();
    if (left > total / 3) return { ...files(dir), notAfter: current.notAfter, generated: false };
  }
  await mkdir(dirname(dir), { recursive: true, mode: 0o700 });
  const fresh = await mkdtemp(`${dir}.new-`);
  await chmod(fresh, 0o700);
  const certs = generateCertificates({
    ...options,
    extraServerNames: ['127.0.0.1', 'localhost', ...(options.extraServerNames ?? [])],
  });
  await writeCertificateFiles(certs, fresh);
  if (current !== undefined) {
    // Renewal: the old set moves aside first (a rename over a non-empty directory fails).
    const old = `${dir}.old-${now.getTime()}`;
    await rename(dir, old).catch(() => undefined);
    await rm(old, { recursive: true, force: true });
  }
  try {
    await rename(fresh, dir);
  } catch {
    // Another process put its set in place first: use that one.
    await rm(fresh, { recursive: true, force: true });
    const theirs = await validityOf(dir);
    if (theirs === undefined) throw new Error(`${dir}: no usable xDS certificates`);
    return { ...files(dir), notAfter: theirs.notAfter, generated: false };
  }
  return { ...files(dir), notAfter: certs.notAfter, generated: true };
}
