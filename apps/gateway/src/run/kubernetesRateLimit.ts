// Global rate limiting in Kubernetes mode: the leader keeps the Rate Limit Service's Deployment,
// Service and ServiceAccount in egts's namespace (absent settings: it deletes them), and rolls it
// out again when the xDS certificates it reads are rotated.
import type { TranslateOptions } from '@egts/gatewayapi-translator';
import { createKubernetesRateLimitManager } from '@egts/infra-manager';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Observable } from 'rxjs';
import type { RateLimitOptions } from './rateLimitOptions.js';

export interface KubernetesRateLimit {
  /** What the translator names in every proxy's config (nothing without settings). */
  readonly translate: Pick<TranslateOptions, 'rateLimitService'>;
  /** The xDS certificates were rotated: the leader rolls the service out to read them. */
  certificatesRotated(notAfter: Date): void;
  stop(): void;
}

export function kubernetesRateLimit(options: {
  kubeConfig: KubeConfig;
  namespace: string;
  xdsService: { host: string; port: number };
  rateLimit: RateLimitOptions | undefined;
  leader: { readonly isLeader$: Observable<boolean>; isLeader(): boolean };
  log: Logger;
}): KubernetesRateLimit {
  const { rateLimit, leader, log } = options;
  const manager = createKubernetesRateLimitManager({
    kubeConfig: options.kubeConfig,
    namespace: options.namespace,
    xds: options.xdsService,
  });
  // What the EnvoyGateway `rateLimit` block asks of the service; what it cannot apply is logged.
  const settings = (given: RateLimitOptions) => {
    for (const problem of given.problems ?? []) log.warn(`rate limit service: ${problem}`);
    return {
      redisUrl: given.redisUrl,
      ...(given.redisTls ? { redisTls: given.redisTls } : {}),
      ...(given.telemetry ? { telemetry: given.telemetry } : {}),
    };
  };
  // Set by the certificate rotation: the service rolls out to read the rotated Secret.
  let certificatesNotAfter: string | undefined;
  const apply = () =>
    manager
      .apply(
        rateLimit && {
          ...settings(rateLimit),
          ...(certificatesNotAfter ? { certificatesNotAfter } : {}),
        },
      )
      .catch((error: unknown) => log.error({ err: error }, 'rate limit service update failed'));
  const leading = leader.isLeader$.subscribe((isLeader) => {
    if (isLeader) void apply();
  });
  return {
    translate: rateLimit
      ? {
          rateLimitService: {
            ...manager.address,
            ...(manager.proxyTls ? { tls: manager.proxyTls } : {}),
            failClosed: rateLimit.failClosed ?? false,
            ...(rateLimit.timeoutMs === undefined ? {} : { timeoutMs: rateLimit.timeoutMs }),
          },
        }
      : {},
    certificatesRotated: (notAfter) => {
      certificatesNotAfter = notAfter.toISOString();
      if (rateLimit && leader.isLeader()) void apply();
    },
    stop: () => leading.unsubscribe(),
  };
}
