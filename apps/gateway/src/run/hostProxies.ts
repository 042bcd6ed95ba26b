// The proxies of host mode: Envoy processes run on this host (their records under the state
// directory), bootstraps Envoy refuses reported as Gateway status, and the Envoy Rate Limit
// Service beside them when global rate limiting is configured.
import { createHostInfraManager, type RateLimitServiceHandle } from '@egts/infra-manager';
import type { Logger } from 'pino';
import { bootstrapRefusals } from '../pipeline/bootstrapRefusals.js';
import type { GatewayOptions } from './gatewayOptions.js';
import { startHostRateLimitService, withRateLimitService } from './hostRateLimitService.js';
import type { HostXdsCertificates } from './hostXdsCertificates.js';
import type { RateLimitOptions } from './rateLimitOptions.js';

export interface HostProxiesOptions {
  stateDir: string;
  /** The xDS certificates (absent: plaintext xDS). */
  certs: HostXdsCertificates | undefined;
  /** Global rate limiting, with the gRPC port the translator names in every proxy's config. */
  rateLimit: (RateLimitOptions & { grpcPort: number }) | undefined;
  log: Logger;
}

export interface HostProxies {
  /** The infrastructure runGateway builds once the xDS server listens. */
  readonly infra: NonNullable<GatewayOptions['infra']>;
  /** Whether the fleet's proxy was adopted (a killed egts left it running): it holds its config. */
  holdsConfig(fleet: string): boolean;
  /** Restarts the Rate Limit Service: it read its TLS files when it started (a renewal). */
  restartRateLimitService(): void;
}

export function hostProxies({ stateDir, certs, rateLimit, log }: HostProxiesOptions): HostProxies {
  let rateLimitService: Promise<RateLimitServiceHandle | undefined> | undefined;
  // Proxies a killed egts left running, adopted on this start: they hold their configuration.
  const adopted = new Set<string>();
  const startService = (xds: { host: string; port: number }) => {
    if (rateLimit === undefined) return undefined;
    rateLimitService = startHostRateLimitService(
      rateLimit,
      certs ? { ...xds, tls: certs.serviceTls } : xds,
      // Proxies ask it over mTLS: the xDS server's certificate, their CA.
      certs && { ca: certs.files.ca, cert: certs.files.serverCert, key: certs.files.serverKey },
      log,
    );
    return rateLimitService;
  };
  return {
    infra: (xds, metrics) => {
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
          log[level]({ event }, `proxy ${event.proxy} ${event.type}`);
        },
      });
      return withRateLimitService(
        { ...infra, bootstrapRefusals$: refusals.refusals$ },
        startService(xds),
        rateLimit?.telemetry?.prometheus ?? true,
      );
    },
    holdsConfig: (fleet) => adopted.has(fleet),
    restartRateLimitService() {
      void rateLimitService?.then((service) =>
        service?.restart().then(
          () => log.info('rate limit service restarted with the renewed certificates'),
          (error: unknown) =>
            log.error({ err: error }, 'rate limit service restart after renewal failed'),
        ),
      );
    },
  };
}
