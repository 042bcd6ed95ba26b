// The embedded default (DESIGN.md): resources from files, Envoy as local processes, served over
// xDS by this process. Shared by `egts run` and `egts server` with a Custom/File provider; another
// provider (the config server) can take the files' place.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type ExtensionManager, extensionKinds } from '@egts/api';
import type { TranslateOptions } from '@egts/gatewayapi-translator';
import { createWasmCache, freeRateLimitPort } from '@egts/infra-manager';
import { createFileProvider } from '@egts/provider-file';
import type { ControlPlaneTelemetry } from '../admin/telemetryServer.js';
import type { Logging } from '../logging.js';
import type { ResourceProvider } from '../pipeline/ports.js';
import type { RunningGateway } from './gatewayOptions.js';
import { type HostProxies, hostProxies } from './hostProxies.js';
import { rateLimitTranslateOptions } from './hostRateLimitService.js';
import { hostXdsCertificates } from './hostXdsCertificates.js';
import type { RateLimitOptions } from './rateLimitOptions.js';
import { runGateway } from './runGateway.js';

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
  /**
   * EnvoyGateway `extensionManagers` (several extension servers, called in this order at each
   * hook); `extensionManager` then carries the kinds of all of them.
   */
  extensionManagers?: readonly (ExtensionManager & { name: string })[] | undefined;
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
  /** EnvoyGateway `telemetry`: the control plane's Prometheus endpoint and OpenTelemetry sinks. */
  telemetry?: ControlPlaneTelemetry | undefined;
  logging: Logging;
}

const defaultStateDir = (): string =>
  process.env.EGTS_STATE_DIR || join(homedir(), '.local', 'state', 'egts');

export async function runHostGateway(options: HostGatewayOptions): Promise<RunningGateway> {
  const infraLog = options.logging.component('infrastructure');
  const stateDir = options.stateDir ?? defaultStateDir();
  let proxies: HostProxies | undefined;
  const certs = options.withoutProxies
    ? undefined
    : await hostXdsCertificates(stateDir, options.certificates, infraLog, () =>
        proxies?.restartRateLimitService(),
      );
  // The service's gRPC port is chosen now: the translator names it in every proxy's config.
  const rateLimit =
    options.rateLimit && !options.withoutProxies
      ? { ...options.rateLimit, grpcPort: await freeRateLimitPort() }
      : undefined;
  proxies = options.withoutProxies
    ? undefined
    : hostProxies({ stateDir, certs, rateLimit, log: infraLog });
  // Wasm modules of EnvoyExtensionPolicies: fetched, checked and served to the proxies from here.
  const wasm = options.withoutProxies
    ? undefined
    : createWasmCache({ dir: join(stateDir, 'wasm') });
  await wasm?.listen();
  const gateway = await runGateway({
    provider:
      options.provider ??
      createFileProvider({
        paths: options.paths,
        extensionKinds: extensionKinds(options.extensionManager),
      }),
    extensionManager: options.extensionManager,
    extensionManagers: options.extensionManagers,
    ...(wasm ? { wasm } : {}),
    infra: proxies?.infra,
    xds: certs ? { ...options.xds, tls: certs.serverTls } : options.xds,
    admin: options.admin,
    telemetry: options.telemetry,
    // The proxies started here boot while the routes translate: their clusters go first. An
    // adopted proxy (egts restarted under it) gets the complete snapshot at once.
    ...(proxies
      ? { clustersFirst: { proxyHoldsConfig: (gateway: string) => proxies.holdsConfig(gateway) } }
      : {}),
    // Proxies run here share this host's ports: a port is claimed by one Gateway only; and
    // this host is where Backends naming localhost are.
    translate: {
      ...(options.controllerName ? { controllerName: options.controllerName } : {}),
      ...(options.extensionApis ? { extensionApis: options.extensionApis } : {}),
      sharedHostPorts: !options.withoutProxies,
      allowLoopbackBackends: !options.withoutProxies,
      // The proxies run here know their zone from ENVOY_SERVICE_ZONE (the host infra manager
      // reads it); without it zone-aware routing cannot work, and preferLocal is not applied.
      proxiesWithoutZone: !options.withoutProxies && !process.env.ENVOY_SERVICE_ZONE,
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
