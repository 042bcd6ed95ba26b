// What `egts server` starts for each resource provider of the EnvoyGateway configuration:
// ConfigServer (an egts addition: @egts/provider-config-server), Kubernetes, or File (host mode).
// Each loads its runner when called, so a mode never pays for another's dependencies.
import { join } from 'node:path';
import { type EnvoyGatewayConfigResult, extensionManagerOf } from '@egts/api';
import { readRateLimitTelemetry } from '@egts/infra-manager';
import type { Logging } from '../logging.js';
import type { RunningGateway } from '../run/runGateway.js';
import type { Address } from './address.js';
import { parseDurationMs } from './duration.js';

export type EnvoyGatewayConfig = NonNullable<EnvoyGatewayConfigResult['config']>;

export interface ServerOptions {
  config: string;
  xdsAddress: Address;
  xdsTlsDir?: string;
  xdsServiceAddress?: Address;
  certValidity?: number;
  caValidity?: number;
  certPropagation?: number;
}

/** A running gateway, or the error that stopped it from starting (for stderr). */
export type Started = RunningGateway | { error: string };

/**
 * Global rate limiting (EnvoyGateway `rateLimit`): the Redis the Rate Limit Service counts in and
 * how proxies treat the service; undefined when not configured.
 */
const rateLimitSettings = (config: EnvoyGatewayConfig) => {
  const rateLimit = config.rateLimit;
  const redisUrl = rateLimit?.backend.redis?.url;
  if (rateLimit === undefined || redisUrl === undefined) return undefined;
  const { telemetry, problems } = readRateLimitTelemetry(rateLimit.telemetry);
  const redisTls = rateLimit.backend.redis?.tls;
  return {
    redisUrl,
    ...(redisTls ? { redisTls: { certificateRef: redisTls.certificateRef.name } } : {}),
    telemetry,
    // Settings read but not applied, for the log at start.
    problems,
    failClosed: rateLimit.failClosed,
    // The schema admits only durations parseDurationMs reads (20ms, 1s, ...).
    timeoutMs: rateLimit.timeout ? parseDurationMs(rateLimit.timeout) : undefined,
  };
};

/** Why the configuration cannot start, for every mode; undefined when it can. */
const configProblem = (config: EnvoyGatewayConfig, options: ServerOptions) =>
  config.rateLimit && config.rateLimit.backend.redis?.url === undefined
    ? `${options.config}: rateLimit.backend.redis.url is required (the Redis the rate limit service counts in)`
    : undefined;

/** What every host-side mode (ConfigServer, File) shares. */
const hostSettings = (config: EnvoyGatewayConfig, options: ServerOptions, logging: Logging) => ({
  xds: options.xdsAddress,
  admin: config.admin.address,
  controllerName: config.gateway.controllerName,
  // Envoy Gateway's defaults: EnvoyPatchPolicy off unless the configuration enables it.
  extensionApis: config.extensionApis ?? {},
  extensionManager: extensionManagerOf(config),
  withoutProxies: config.provider.custom?.infrastructure?.type !== 'Host',
  rateLimit: rateLimitSettings(config),
  logging,
});

export async function startConfigServer(
  config: EnvoyGatewayConfig,
  options: ServerOptions,
  logging: Logging,
): Promise<Started> {
  const problem = configProblem(config, options);
  if (problem) return { error: problem };
  const settings = config.provider.custom?.resource?.configServer;
  if (settings === undefined) {
    return {
      error: `${options.config}: provider.custom.resource.configServer is required with type ConfigServer`,
    };
  }
  const { runConfigServerGateway } = await import('../run/configServerGateway.js');
  const { tls, allowAnonymous, ...rest } = settings;
  return runConfigServerGateway(
    {
      ...rest,
      tls: tls && { certFile: tls.certFile, keyFile: tls.keyFile, clientCaFile: tls.clientCAFile },
      anonymous: allowAnonymous,
    },
    hostSettings(config, options, logging),
  );
}

export async function startKubernetes(
  config: EnvoyGatewayConfig,
  options: ServerOptions,
  logging: Logging,
): Promise<Started> {
  const problem = configProblem(config, options);
  if (problem) return { error: problem };
  const dir = options.xdsTlsDir;
  const tls =
    dir === undefined
      ? undefined
      : {
          certFile: join(dir, 'tls.crt'),
          keyFile: join(dir, 'tls.key'),
          caFile: join(dir, 'ca.crt'),
        };
  // Loaded only in Kubernetes mode: the client costs ~30 MiB of heap that File and ConfigServer
  // modes never use.
  const [{ KubeConfig }, { runKubernetesGateway }, { kubernetesSettings }] = await Promise.all([
    import('@kubernetes/client-node'),
    import('../run/kubernetesGateway.js'),
    import('./kubernetesSettings.js'),
  ]);
  const settings = kubernetesSettings(new KubeConfig(), config.provider.kubernetes?.watch);
  return runKubernetesGateway({
    ...settings,
    xdsService: options.xdsServiceAddress ?? {
      host: settings.xdsServiceHost,
      port: options.xdsAddress.port,
    },
    certificates: {
      ...(options.certValidity === undefined ? {} : { validityMs: options.certValidity }),
      ...(options.caValidity === undefined ? {} : { caValidityMs: options.caValidity }),
      ...(options.certPropagation === undefined ? {} : { propagationMs: options.certPropagation }),
    },
    controllerName: config.gateway.controllerName,
    extensionApis: config.extensionApis ?? {},
    extensionManager: extensionManagerOf(config),
    rateLimit: rateLimitSettings(config),
    xds: { ...options.xdsAddress, tls },
    admin: config.admin.address,
    logging,
  });
}

export async function startFiles(
  config: EnvoyGatewayConfig,
  options: ServerOptions,
  logging: Logging,
): Promise<Started> {
  if (options.xdsTlsDir !== undefined) {
    return { error: '--xds-tls-dir goes with the Kubernetes provider' };
  }
  const problem = configProblem(config, options);
  if (problem) return { error: problem };
  const file = config.provider.custom?.resource?.file;
  if (file === undefined) {
    return {
      error: `${options.config}: provider.custom.resource: a File (file.paths) or ConfigServer resource provider is required`,
    };
  }
  const { runHostGateway } = await import('../run/hostGateway.js');
  return runHostGateway({ ...hostSettings(config, options, logging), paths: file.paths });
}
