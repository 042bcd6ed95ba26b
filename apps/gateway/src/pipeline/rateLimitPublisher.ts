// The Rate Limit Service's RateLimitConfigs, made from every served Gateway's xDS IR, go to its
// own node group (RATE_LIMIT_NODE_ID) whenever they change.
import { RATE_LIMIT_NODE_ID } from '@egts/infra-manager';
import type { XdsIR } from '@egts/ir';
import { createSnapshot, type SnapshotCache } from '@egts/xds-server';
import { createRateLimitConfigs } from '@egts/xds-translator';
import type { Logger } from 'pino';

/** Sets the rate limit node group's snapshot from the served Gateways' IR, when it changed. */
export function rateLimitPublisher(
  cache: SnapshotCache,
  log: Logger,
): (served: Iterable<XdsIR>) => void {
  // Remembered: every update publishes, and most (endpoint-only ones) leave the rules alone.
  const computeRateLimits = createRateLimitConfigs();
  let lastConfigs: object | undefined;
  let lastJson = '[]';
  return (served) => {
    const configs = computeRateLimits([...served]);
    if (configs === lastConfigs) return;
    lastConfigs = configs;
    const json = JSON.stringify(configs);
    if (json === lastJson) return;
    lastJson = json;
    const previous = cache.getSnapshot(RATE_LIMIT_NODE_ID)?.snapshot;
    cache.setSnapshot(
      RATE_LIMIT_NODE_ID,
      createSnapshot({ rateLimitConfigs: configs }, { previous }),
    );
    log.info({ domains: configs.map((c) => c.domain) }, 'rate limit configuration set');
  };
}
