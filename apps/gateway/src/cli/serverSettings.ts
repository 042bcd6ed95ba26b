// The settings `egts server` derives from the EnvoyGateway configuration and its flags, shared by
// every resource provider mode (serverProviders.ts): global rate limiting, what stops a start,
// and what the host-side modes (ConfigServer, File) run with.
import { type EnvoyGatewayConfigResult, extensionManagerOf, extensionManagersOf } from '@egts/api';
import { readRateLimitTelemetry } from '@egts/infra-manager';
import type { Logging } from '../logging.js';
import type { Address } from './address.js';
import { parseDurationMs } from './duration.js';
import { telemetrySettings } from './telemetrySettings.js';

export type EnvoyGatewayConfig = NonNullable<EnvoyGatewayConfigResult['config']>;

export interface ServerOptions {
  config: string;
  xdsAddress: Address;
  xdsTlsDir?: string;
  xdsServiceAddress?: Address;
  topologyInjectorAddress?: Address;
  certValidity?: number;
  caValidity?: number;
  certPropagation?: number;
}

/**
 * Global rate limiting (EnvoyGateway `rateLimit`): the Redis the Rate Limit Service counts in and
 * how proxies treat the service; undefined when not configured.
 */
export const rateLimitSettings = (config: EnvoyGatewayConfig) => {
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
export const configProblem = (config: EnvoyGatewayConfig, options: ServerOptions) =>
  config.rateLimit && config.rateLimit.backend.redis?.url === undefined
    ? `${options.config}: rateLimit.backend.redis.url is required (the Redis the rate limit service counts in)`
    : undefined;

/** What every host-side mode (ConfigServer, File) shares. */
export const hostSettings = (
  config: EnvoyGatewayConfig,
  options: ServerOptions,
  logging: Logging,
) => ({
  xds: options.xdsAddress,
  admin: config.admin.address,
  controllerName: config.gateway.controllerName,
  // Envoy Gateway's defaults: EnvoyPatchPolicy off unless the configuration enables it.
  extensionApis: config.extensionApis ?? {},
  extensionManager: extensionManagerOf(config),
  extensionManagers: extensionManagersOf(config),
  withoutProxies: config.provider.custom?.infrastructure?.type !== 'Host',
  rateLimit: rateLimitSettings(config),
  // Beside the admin API: this host's proxies and tools, not the network, by default.
  telemetry: telemetrySettings(config, config.admin.address.host),
  logging,
});
