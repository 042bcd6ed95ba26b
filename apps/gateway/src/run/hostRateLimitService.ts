// Global rate limiting in host mode: the Envoy Rate Limit Service runs beside the proxies,
// supervised on its own, and egts's admin metrics include its ratelimit_* families.
import type { TranslateOptions } from '@egts/gatewayapi-translator';
import {
  type RateLimitServiceHandle,
  startRateLimitService,
  type XdsAddress,
  xdsSdsSecrets,
} from '@egts/infra-manager';
import type { InfraIR } from '@egts/ir';
import type { Logger } from 'pino';
import type { InfraManager } from '../pipeline/ports.js';
import type { RateLimitOptions } from './rateLimitOptions.js';

/** Starts the service (its failure is logged: proxies then answer per failClosed). */
export const startHostRateLimitService = (
  settings: RateLimitOptions & { grpcPort: number },
  xds: XdsAddress,
  /** mTLS towards the proxies (PEM file paths); absent: plaintext. */
  serverTls: { ca: string; cert: string; key: string } | undefined,
  log: Logger,
): Promise<RateLimitServiceHandle | undefined> => {
  for (const problem of settings.problems ?? []) log.warn(`rate limit service: ${problem}`);
  // Host mode has no Secrets to read the client certificate from: Redis is still spoken to over
  // TLS (never in the clear), without one; a Redis that asks for it refuses, and proxies then
  // answer per failClosed.
  if (settings.redisTls)
    log.warn(
      `rate limit service: rateLimit.backend.redis.tls.certificateRef (Secret ${settings.redisTls.certificateRef}) is not read in host mode: Redis over TLS without a client certificate`,
    );
  return startRateLimitService({
    redisUrl: settings.redisUrl,
    grpcPort: settings.grpcPort,
    xds,
    ...(serverTls ? { serverTls } : {}),
    ...(settings.redisTls ? { redisTls: {} } : {}),
    ...(settings.telemetry ? { telemetry: settings.telemetry } : {}),
    onEvent: (event) => {
      if (event.type === 'health') {
        // Unhealthy: it cannot reach Redis; proxies then answer per failClosed.
        if (event.healthy) log.info({ event }, 'rate limit service healthy');
        else log.warn({ event }, 'rate limit service unhealthy (Redis unreachable?)');
        return;
      }
      const level = event.type === 'exited' ? 'warn' : 'info';
      log[level]({ event }, `rate limit service ${event.type}`);
    },
  }).catch((error: unknown) => {
    // Proxies then answer per failClosed (their rate limit cluster has no server).
    log.error({ err: error }, 'rate limit service not started');
    return undefined;
  });
};

/**
 * The host infrastructure with the Rate Limit Service beside it: closing stops both. The service
 * starts at once and is supervised on its own (restarted with backoff when it exits).
 */
export function withRateLimitService<T extends InfraManager>(
  infra: T,
  service: Promise<RateLimitServiceHandle | undefined> | undefined,
  /** Whether the service serves Prometheus metrics (`rateLimit.telemetry.metrics`). */
  prometheus = true,
): T & { auxiliaryMetrics?(): Promise<string> } {
  if (service === undefined) return infra;
  return {
    ...infra,
    apply: (ir: InfraIR) => infra.apply(ir),
    // The service's own families only (ratelimit_*): its Go runtime's go_*/process_* would repeat
    // families egts exposes too, which the Prometheus text format does not allow.
    auxiliaryMetrics: async () => {
      const handle = await service;
      if (handle === undefined || !prometheus) return '';
      const lines = (await handle.metrics()).split('\n');
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

/**
 * What the translator names in every proxy's config for the service on `grpcPort`: this host,
 * and with `proxyTls`, the proxies' client certificate and CA from the SDS files their xDS uses.
 */
export const rateLimitTranslateOptions = (
  rateLimit: (RateLimitOptions & { grpcPort: number }) | undefined,
  proxyTls: XdsAddress['tls'] | undefined,
): Pick<TranslateOptions, 'rateLimitService'> =>
  rateLimit === undefined
    ? {}
    : {
        rateLimitService: {
          host: '127.0.0.1',
          port: rateLimit.grpcPort,
          failClosed: rateLimit.failClosed ?? false,
          ...(rateLimit.timeoutMs === undefined ? {} : { timeoutMs: rateLimit.timeoutMs }),
          ...(proxyTls?.sds ? { tls: xdsSdsSecrets(proxyTls.sds) } : {}),
        },
      };
