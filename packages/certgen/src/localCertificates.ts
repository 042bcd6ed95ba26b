// Host mode's xDS certificates: generated into a local directory on first start and renewed there
// once a third of their validity is left, as the Kubernetes mode renews its Secrets. The
// directory is private to the user (0700, keys 0600): a local process without it can neither
// connect to the xDS server nor ask it for the proxies' TLS private keys.
//
// Layout, as the kubelet's atomic writer lays out a Secret volume, so that one rename switches
// every file at once: `<dir>/..data` is a symlink to the current set `<dir>/..set-<ms>-<rand>/`,
// and `<dir>/<name>/<file>` are symlinks into `..data`. Renewal writes a new set and renames a
// new `..data` over the old; Envoy, watching `<dir>` (file-based SDS, watched_directory), and the
// xDS server, polling the files, both pick the new set up without a restart.
import { X509Certificate } from 'node:crypto';
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  stat,
  symlink,
} from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  type CertificateOptions,
  DEFAULT_VALIDITY_MS,
  generateCertificates,
} from './certificates.js';
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
  /** Where a renewal shows (the `..data` rename): what a file watcher must watch. */
  readonly watchedDirectory: string;
  readonly notAfter: Date;
  /** Whether this call wrote them (first start, or renewal). */
  readonly generated: boolean;
}

const DATA = '..data';
const SET_PREFIX = '..set-';
/** Sets older than this that `..data` no longer names are removed (a racing writer's is younger). */
const OLD_SET_MS = 60_000;

const files = (dir: string) => ({
  watchedDirectory: dir,
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
    // The layout before `..data` (one real directory per name) is renewed into this one.
    if (!(await lstat(join(dir, DATA))).isSymbolicLink()) return undefined;
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

/** Makes `link` a symlink to `target`, atomically (a temporary link renamed over it). */
async function replaceSymlink(target: string, link: string): Promise<void> {
  const current = await readlink(link).catch(() => undefined);
  if (current === target) return;
  const temporary = `${link}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  await symlink(target, temporary);
  await rename(temporary, link);
}

/** Removes sets `..data` does not name, once they are old enough not to be a racing writer's. */
async function removeOldSets(dir: string, now: number): Promise<void> {
  const current = await readlink(join(dir, DATA)).catch(() => undefined);
  for (const entry of await readdir(dir)) {
    if (!entry.startsWith(SET_PREFIX) || entry === current) continue;
    const madeAt = Number(entry.slice(SET_PREFIX.length).split('-')[0]);
    if (Number.isFinite(madeAt) && now - madeAt < OLD_SET_MS) continue;
    await rm(join(dir, entry), { recursive: true, force: true });
  }
}

/**
 * The certificates in `dir`: kept while more than a third of their validity is left, generated
 * otherwise into a new set that one rename of `..data` puts in place. Two processes renewing
 * together each put a complete set in place; the last rename wins and both read that one.
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
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const set = await mkdtemp(join(dir, `${SET_PREFIX}${Date.now()}-`));
  await chmod(set, 0o700);
  const certs = generateCertificates({
    ...options,
    extraServerNames: ['127.0.0.1', 'localhost', ...(options.extraServerNames ?? [])],
  });
  await writeCertificateFiles(certs, set);
  // Each file once links into `..data` (replacing a file of the earlier layout); then one rename
  // of `..data` switches all of them to the new set.
  for (const name of await readdir(set)) {
    const real = join(dir, name);
    if (
      await stat(real).then(
        (s) => !s.isDirectory(),
        () => false,
      )
    )
      await rm(real);
    await mkdir(real, { recursive: true, mode: 0o700 });
    for (const file of await readdir(join(set, name)))
      await replaceSymlink(join('..', DATA, name, file), join(real, file));
  }
  await replaceSymlink(basename(set), join(dir, DATA));
  await removeOldSets(dir, now.getTime());
  const inPlace = await validityOf(dir);
  if (inPlace === undefined) throw new Error(`${dir}: no usable xDS certificates`);
  return { ...files(dir), notAfter: inPlace.notAfter, generated: true };
}

export interface LocalRenewalOptions extends CertificateOptions {
  /** How often the set is checked; default a twentieth of the validity, at most an hour. */
  readonly intervalMs?: number;
  readonly onRenewed?: (files: LocalCertificateFiles) => void;
  readonly onError?: (error: unknown) => void;
}

/**
 * Keeps `dir`'s set renewed while a process runs (a host-mode egts can run for longer than its
 * certificates last): `ensureLocalCertificates` on a timer. `stop()` ends it.
 */
export function renewLocalCertificates(
  dir: string,
  options: LocalRenewalOptions = {},
): { stop(): void } {
  const { intervalMs, onRenewed, onError, ...certificateOptions } = options;
  const validity = certificateOptions.validityMs ?? DEFAULT_VALIDITY_MS;
  let running = false;
  const timer = setInterval(
    () => {
      if (running) return;
      running = true;
      ensureLocalCertificates(dir, certificateOptions)
        .then((result) => {
          if (result.generated) onRenewed?.(result);
        }, onError)
        .finally(() => {
          running = false;
        });
    },
    intervalMs ?? Math.min(3600_000, validity / 20),
  );
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
