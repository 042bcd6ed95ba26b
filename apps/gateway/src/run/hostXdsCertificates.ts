// Host mode's xDS certificates: the proxies started here get xDS over mTLS, as in Envoy Gateway's
// standalone mode (plaintext let any local process connect and ask for the TLS private keys over
// SDS; a Unix socket would do too, but Envoy's xDS cluster and the Kubernetes mode already speak
// mTLS, so one path is tested). They are renewed while running, as in Kubernetes mode: the xDS
// server polls its files and the proxies watch theirs (file-based SDS), so both switch to the new
// set without a restart.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ensureLocalCertificates,
  type LocalCertificateFiles,
  renewLocalCertificates,
} from '@egts/certgen';
import { type XdsAddress, xdsSdsFiles } from '@egts/infra-manager';
import type { Logger } from 'pino';

export interface HostXdsCertificates {
  readonly files: LocalCertificateFiles;
  /** What the proxies connect with (file-based SDS). */
  readonly proxyTls: NonNullable<XdsAddress['tls']>;
  /** What the Rate Limit Service connects with (read when it connects). */
  readonly serviceTls: { ca: string; cert: string; key: string };
  /** What the xDS server serves with (read again when renewed). */
  readonly serverTls: { certFile: string; keyFile: string; caFile: string };
  /** Stops the renewal. */
  stop(): void;
}

/** The certificates under `stateDir` (made when missing), renewed until `stop()`. */
export async function hostXdsCertificates(
  stateDir: string,
  options: { validityMs?: number | undefined; intervalMs?: number | undefined } | undefined,
  log: Logger,
  /** Called after each renewal (the rate limit service restarts to read the new set). */
  onRenewed?: () => void,
): Promise<HostXdsCertificates> {
  const certDir = join(stateDir, 'xds-tls');
  const validity = options?.validityMs === undefined ? {} : { validityMs: options.validityMs };
  const files = await ensureLocalCertificates(certDir, validity);
  if (files.generated) log.info({ notAfter: files.notAfter }, 'xDS certificates generated');
  const proxyTls = await proxyXdsTls(files, join(stateDir, 'xds-sds'));
  const renewal = renewLocalCertificates(certDir, {
    ...validity,
    ...(options?.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
    onRenewed: (renewed) => {
      log.info({ notAfter: renewed.notAfter }, 'xDS certificates renewed');
      onRenewed?.();
    },
    onError: (error) => log.error({ err: error }, 'xDS certificate renewal failed'),
  });
  return {
    files,
    proxyTls,
    serviceTls: { ca: files.ca, cert: files.clientCert, key: files.clientKey },
    serverTls: { certFile: files.serverCert, keyFile: files.serverKey, caFile: files.ca },
    stop: () => renewal.stop(),
  };
}

/**
 * The proxies' xDS client certificates, read through file-based SDS so that a renewal reaches a
 * running Envoy: the two SDS files (written once into `sdsDir`) point at the certificate files
 * and watch the directory where `..data` is renamed.
 */
async function proxyXdsTls(
  certs: LocalCertificateFiles,
  sdsDir: string,
): Promise<NonNullable<XdsAddress['tls']>> {
  const sds = {
    certificate: join(sdsDir, 'xds-certificate.json'),
    trustedCa: join(sdsDir, 'xds-trusted-ca.json'),
    watchedDirectory: certs.watchedDirectory,
  };
  const tls = { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey, sds };
  const contents = xdsSdsFiles(tls);
  await mkdir(sdsDir, { recursive: true, mode: 0o700 });
  await writeFile(sds.certificate, contents.certificate, { mode: 0o600 });
  await writeFile(sds.trustedCa, contents.trustedCa, { mode: 0o600 });
  return tls;
}
