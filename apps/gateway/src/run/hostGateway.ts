// The embedded default (DESIGN.md): resources from files, Envoy as local processes, served over
// xDS by this process. Shared by `egts run` and `egts server` with a Custom/File provider; another
// provider (the config server) can take the files' place.
import { mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  ensureLocalCertificates,
  type LocalCertificateFiles,
  renewLocalCertificates,
} from '@egts/certgen';
import type { TranslateOptions } from '@egts/gatewayapi-translator';
import {
  createHostInfraManager,
  createWasmCache,
  freeRateLimitPort,
  type RateLimitServiceHandle,
  startRateLimitService,
  type XdsAddress,
  xdsSdsFiles,
} from '@egts/infra-manager';
import type { InfraIR } from '@egts/ir';
import { createFileProvider } from '@egts/provider-file';
import type { Logging } from '../logging.js';
import type { InfraManager, ResourceProvider } from '../pipeline/ports.js';
import { type RunningGateway, runGateway } from './runGateway.js';

export interface HostGatewayOptions {
  paths: string[];
  /** Resources from this provider instead of `paths` (closed with the gateway). */
  provider?: ResourceProvider | undefined;
  xds: { host: string; port: number };
  admin: { host: string; port: number };
  controllerName?: string | undefined;
  /** The EnvoyGateway's extensionApis (absent: `egts run`, which translates everything given). */
  extensionApis?: TranslateOptions['extensionApis'];
  /** Run no Envoy (serve xDS only), e.g. when proxies are started elsewhere. */
  withoutProxies?: boolean;
  /**
   * Where host mode keeps its state (the xDS certificates, records of the running proxies);
   * default `$EGTS_STATE_DIR`, else `~/.local/state/egts`.
   */
  stateDir?: string | undefined;
  /** Lifetime of the xDS certificates and how often their renewal is checked (tests shorten them). */
  certificates?: { validityMs?: number; intervalMs?: number } | undefined;
  /**
   * Global rate limiting (EnvoyGateway `rateLimit`): the Envoy Rate Limit Service runs beside the
   * proxies, counting in this Redis. Absent: global rate limits are not enabled.
   */
  rateLimit?: HostRateLimit | undefined;
  logging: Logging;
}

export interface HostRateLimit {
  /** `host:port` of the Redis server. */
  redisUrl: string;
  failClosed?: boolean | undefined;
  timeoutMs?: number | undefined;
}

const defaultStateDir = (): string =>
  process.env.EGTS_STATE_DIR || join(homedir(), '.local', 'state', 'egts');

export async function runHostGateway(options: HostGatewayOptions): Promise<RunningGateway> {
  const infraLog = options.logging.component('infrastructure');
  // The proxies started here get xDS over mTLS, as in Envoy Gateway's standalone mode: plaintext
  // let any local process connect and ask for the TLS private keys (SDS). A Unix socket would do
  // too, but Envoy's xDS cluster and the Kubernetes mode already speak mTLS, so one path is tested.
  const stateDir = options.stateDir ?? defaultStateDir();
  const certDir = join(stateDir, 'xds-tls');
  const validity = options.certificates?.validityMs;
  const certs = options.withoutProxies
    ? undefined
    : await ensureLocalCertificates(
        certDir,
        validity === undefined ? {} : { validityMs: validity },
      );
  if (certs?.generated) infraLog.info({ notAfter: certs.notAfter }, 'xDS certificates generated');
  const proxyTls = certs && (await proxyXdsTls(certs, join(stateDir, 'xds-sds')));
  // Renewed while running, as in Kubernetes mode: the xDS server polls its files and the proxies
  // watch theirs (file-based SDS), so both switch to the new set without a restart.
  const renewal =
    certs &&
    renewLocalCertificates(certDir, {
      ...(validity === undefined ? {} : { validityMs: validity }),
      ...(options.certificates?.intervalMs === undefined
        ? {}
        : { intervalMs: options.certificates.intervalMs }),
      onRenewed: (renewed) =>
        infraLog.info({ notAfter: renewed.notAfter }, 'xDS certificates renewed'),
      onError: (error) => infraLog.error({ err: error }, 'xDS certificate renewal failed'),
    });
  // The Rate Limit Service reads its xDS client certificate when it connects.
  const serviceTls = certs && { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey };
  // The service's gRPC port is chosen now: the translator names it in every proxy's config.
  const rateLimit =
    options.rateLimit && !options.withoutProxies
      ? { ...options.rateLimit, grpcPort: await freeRateLimitPort() }
      : undefined;
  // Wasm modules of EnvoyExtensionPolicies: fetched, checked and served to the proxies from here.
  const wasm = options.withoutProxies
    ? undefined
    : createWasmCache({ dir: join(stateDir, 'wasm') });
  await wasm?.listen();
  const gateway = await runGateway({
    provider: options.provider ?? createFileProvider({ paths: options.paths }),
    ...(wasm ? { wasm } : {}),
    infra: options.withoutProxies
      ? undefined
      : (xds, metrics) =>
          withRateLimitService(
            createHostInfraManager({
              // Records of the running proxies: the next start stops what a killed egts left.
              stateDir,
              xds: proxyTls ? { ...xds, tls: proxyTls } : xds,
              onEvent: (event) => {
                if (event.type === 'restarting') metrics.proxyRestarts.inc({ proxy: event.proxy });
                const level = event.type === 'exited' ? 'warn' : 'info';
                infraLog[level]({ event }, `proxy ${event.proxy} ${event.type}`);
              },
            }),
            rateLimit &&
              startRateLimitService({
                redisUrl: rateLimit.redisUrl,
                grpcPort: rateLimit.grpcPort,
                xds: serviceTls ? { ...xds, tls: serviceTls } : xds,
                onEvent: (event) => {
                  if (event.type === 'health') {
                    // Unhealthy: it cannot reach Redis; proxies then answer per failClosed.
                    if (event.healthy) infraLog.info({ event }, 'rate limit service healthy');
                    else
                      infraLog.warn({ event }, 'rate limit service unhealthy (Redis unreachable?)');
                    return;
                  }
                  const level = event.type === 'exited' ? 'warn' : 'info';
                  infraLog[level]({ event }, `rate limit service ${event.type}`);
                },
              }).catch((error: unknown) => {
                // Proxies then answer per failClosed (their rate limit cluster has no server).
                infraLog.error({ err: error }, 'rate limit service not started');
                return undefined;
              }),
          ),
    xds: certs
      ? {
          ...options.xds,
          tls: { certFile: certs.serverCert, keyFile: certs.serverKey, caFile: certs.ca },
        }
      : options.xds,
    admin: options.admin,
    // Proxies run here share this host's ports: a port is claimed by one Gateway only; and
    // this host is where Backends naming localhost are.
    translate: {
      ...(options.controllerName ? { controllerName: options.controllerName } : {}),
      ...(options.extensionApis ? { extensionApis: options.extensionApis } : {}),
      sharedHostPorts: !options.withoutProxies,
      allowLoopbackBackends: !options.withoutProxies,
      ...(rateLimit
        ? {
            rateLimitService: {
              host: '127.0.0.1',
              port: rateLimit.grpcPort,
              failClosed: rateLimit.failClosed ?? false,
              ...(rateLimit.timeoutMs === undefined ? {} : { timeoutMs: rateLimit.timeoutMs }),
            },
          }
        : {}),
    },
    logging: options.logging,
  }).catch(async (error: unknown) => {
    renewal?.stop();
    await wasm?.close();
    throw error;
  });
  return {
    ...gateway,
    async close() {
      renewal?.stop();
      await gateway.close();
      await wasm?.close();
    },
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

/**
 * The host infrastructure with the Rate Limit Service beside it: closing stops both. The service
 * starts at once and is supervised on its own (restarted with backoff when it exits).
 */
function withRateLimitService<T extends InfraManager>(
  infra: T,
  service: Promise<RateLimitServiceHandle | undefined> | undefined,
): T & { auxiliaryMetrics?(): Promise<string> } {
  if (service === undefined) return infra;
  return {
    ...infra,
    apply: (ir: InfraIR) => infra.apply(ir),
    // The service's own families only (ratelimit_*): its Go runtime's go_*/process_* would repeat
    // families egts exposes too, which the Prometheus text format does not allow.
    auxiliaryMetrics: async () => {
      const handle = await service;
      if (handle === undefined) return '';
      const res = await fetch(handle.metricsUrl, { signal: AbortSignal.timeout(2_000) });
      const lines = (await res.text()).split('\n');
      return lines
        .filter((line) => /^(# (HELP|TYPE) )?ratelimit_/.test(line))
        .map((line) => `${line}\n`)
        .join('');
    },
    close: async () => {
      await infra.close();
      await (await service)?.stop();
    },
  };
}

/** Runs until SIGINT or SIGTERM, then stops everything (no Envoy left behind). */
export function closeOnSignals(gateway: RunningGateway, logging: Logging): void {
  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    logging.root.info({ signal }, 'stopping');
    gateway.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logging.root.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}
