// The embedded default (DESIGN.md): resources from files, Envoy as local processes, served over
// xDS by this process. Shared by `egts run` and `egts server` with a Custom/File provider; another
// provider (the config server) can take the files' place.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type ExtensionManager, extensionKinds } from '@egts/api';
import type { TranslateOptions } from '@egts/gatewayapi-translator';
import {
  createHostInfraManager,
  createWasmCache,
  freeRateLimitPort,
  type RateLimitServiceHandle,
  type XdsAddress,
} from '@egts/infra-manager';
import { createFileProvider } from '@egts/provider-file';
import type { Logging } from '../logging.js';
import { bootstrapRefusals } from '../pipeline/bootstrapRefusals.js';
import type { ResourceProvider } from '../pipeline/ports.js';
import {
  rateLimitTranslateOptions,
  startHostRateLimitService,
  withRateLimitService,
} from './hostRateLimitService.js';
import { hostXdsCertificates } from './hostXdsCertificates.js';
import type { RateLimitOptions } from './rateLimitOptions.js';
import { type RunningGateway, runGateway } from './runGateway.js';

export { closeOnSignals } from './closeOnSignals.js';

export interface HostGatewayOptions {
  paths: string[];
  /** Resources from this provider instead of `paths` (closed with the gateway). */
  provider?: ResourceProvider | undefined;
  xds: { host: string; port: number };
  admin: { host: string; port: number };
  controllerName?: string | undefined;
  /** The EnvoyGateway's extensionApis (absent: `egts run`, which translates everything given). */
  extensionApis?: TranslateOptions['extensionApis'];
  /** The EnvoyGateway `extensionManager`: an extension server called during xDS translation. */
  extensionManager?: ExtensionManager | undefined;
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
  rateLimit?: RateLimitOptions | undefined;
  logging: Logging;
}

const defaultStateDir = (): string =>
  process.env.EGTS_STATE_DIR || join(homedir(), '.local', 'state', 'egts');

export async function runHostGateway(options: HostGatewayOptions): Promise<RunningGateway> {
  const infraLog = options.logging.component('infrastructure');
  const stateDir = options.stateDir ?? defaultStateDir();
  let rateLimitService: Promise<RateLimitServiceHandle | undefined> | undefined;
  const certs = options.withoutProxies
    ? undefined
    : await hostXdsCertificates(stateDir, options.certificates, infraLog, () => {
        // The Rate Limit Service read its TLS files when it started: a renewal restarts it.
        void rateLimitService?.then((service) =>
          service?.restart().then(
            () => infraLog.info('rate limit service restarted with the renewed certificates'),
            (error: unknown) =>
              infraLog.error({ err: error }, 'rate limit service restart after renewal failed'),
          ),
        );
      });
  // The service's gRPC port is chosen now: the translator names it in every proxy's config.
  const rateLimit =
    options.rateLimit && !options.withoutProxies
      ? { ...options.rateLimit, grpcPort: await freeRateLimitPort() }
      : undefined;
  const startService = (xds: XdsAddress) => {
    if (rateLimit === undefined) return undefined;
    rateLimitService = startHostRateLimitService(
      rateLimit,
      certs ? { ...xds, tls: certs.serviceTls } : xds,
      // Proxies ask it over mTLS: the xDS server's certificate, their CA.
      certs && { ca: certs.files.ca, cert: certs.files.serverCert, key: certs.files.serverKey },
      infraLog,
    );
    return rateLimitService;
  };
  // Wasm modules of EnvoyExtensionPolicies: fetched, checked and served to the proxies from here.
  const wasm = options.withoutProxies
    ? undefined
    : createWasmCache({ dir: join(stateDir, 'wasm') });
  await wasm?.listen();
  // Proxies a killed egts left running, adopted on this start: they hold their configuration.
  const adopted = new Set<string>();
  const gateway = await runGateway({
    provider:
      options.provider ??
      createFileProvider({
        paths: options.paths,
        extensionKinds: extensionKinds(options.extensionManager),
      }),
    extensionManager: options.extensionManager,
    ...(wasm ? { wasm } : {}),
    infra: options.withoutProxies
      ? undefined
      : (xds, metrics) => {
          // Bootstraps Envoy refuses become Gateway status (bootstrapRefusals.ts).
          const refusals = bootstrapRefusals();
          const infra = createHostInfraManager({
            // Records of the running proxies: the next start stops what a killed egts left.
            stateDir,
            xds: certs ? { ...xds, tls: certs.proxyTls } : xds,
            onEvent: (event) => {
              if (event.type === 'restarting') metrics.proxyRestarts.inc({ proxy: event.proxy });
              if (event.type === 'adopted') adopted.add(event.proxy);
              refusals.note(event);
              const level = event.type === 'exited' ? 'warn' : 'info';
              infraLog[level]({ event }, `proxy ${event.proxy} ${event.type}`);
            },
          });
          return withRateLimitService(
            { ...infra, bootstrapRefusals$: refusals.refusals$ },
            startService(xds),
            rateLimit?.telemetry?.prometheus ?? true,
          );
        },
    xds: certs ? { ...options.xds, tls: certs.serverTls } : options.xds,
    admin: options.admin,
    // The proxies started here boot while the routes translate: their clusters go first. An
    // adopted proxy (egts restarted under it) gets the complete snapshot at once.
    ...(options.withoutProxies
      ? {}
      : { clustersFirst: { proxyHoldsConfig: (gateway: string) => adopted.has(gateway) } }),
    // Proxies run here share this host's ports: a port is claimed by one Gateway only; and
    // this host is where Backends naming localhost are.
    translate: {
      ...(options.controllerName ? { controllerName: options.controllerName } : {}),
      ...(options.extensionApis ? { extensionApis: options.extensionApis } : {}),
      sharedHostPorts: !options.withoutProxies,
      allowLoopbackBackends: !options.withoutProxies,
      ...rateLimitTranslateOptions(rateLimit, certs?.proxyTls),
    },
    logging: options.logging,
  }).catch(async (error: unknown) => {
    certs?.stop();
    await wasm?.close();
    throw error;
  });
  return {
    ...gateway,
    async close() {
      certs?.stop();
      await gateway.close();
      await wasm?.close();
    },
  };
}
