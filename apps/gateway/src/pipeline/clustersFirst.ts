// A Gateway's first snapshot in two steps: its clusters, endpoints and upstream secrets as soon as
// they are built, then everything. Applying thousands of clusters is most of what a starting
// Envoy does (CDS, then EDS, before it asks for listeners); pushed first, Envoy applies them while
// egts translates the listeners and routes, instead of after (issue #24). The partial snapshot
// leaves listeners and routes pending, so a proxy that still holds them (egts restarted under a
// running Envoy) keeps them, and they follow make-before-break as always.

import type { XdsIR } from '@egts/ir';
import { createSnapshot, type SnapshotCache, TypeUrl } from '@egts/xds-server';
import type { XdsTranslator } from '@egts/xds-translator';
import type { Logger } from 'pino';

export interface ClustersFirstOptions {
  /**
   * How long to let a proxy of the Gateway connect before translating the rest (a proxy started
   * with the Infra IR is still booting): the clusters are only worth pushing first to a proxy that
   * is there to take them. Default 1,000 ms.
   */
  readonly waitForProxyMs?: number;
  /**
   * Whether the Gateway's proxy holds its configuration already: an Envoy a killed egts left
   * running, adopted on this start. It needs no clusters ahead, and the wait for it to reconnect
   * would only hold back the complete snapshot of a restart. Default: no proxy does.
   */
  readonly proxyHoldsConfig?: (gateway: string) => boolean;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Sets `gateway`'s clusters-only snapshot, and lets its proxies fetch it before going on. */
export async function pushClustersFirst(
  gateway: string,
  ir: XdsIR,
  translator: XdsTranslator,
  cache: SnapshotCache,
  log: Logger,
  options: ClustersFirstOptions,
): Promise<void> {
  // Patches apply to the final resources: a patched cluster would go out twice.
  if ((ir.envoyPatchPolicies ?? []).length > 0) return;
  try {
    const { clusters, endpoints, secrets } = translator.destinations(ir);
    cache.setSnapshot(
      gateway,
      createSnapshot(
        { clusters, endpoints, secrets },
        {
          pending: [TypeUrl.Listener, TypeUrl.RouteConfiguration],
          previous: cache.getSnapshot(gateway)?.snapshot,
        },
      ),
    );
    log.info({ gateway, clusters: clusters.length }, 'clusters set; listeners and routes follow');
  } catch (error) {
    // The complete translation that follows reports what is wrong.
    log.debug({ err: error, gateway }, 'clusters first: skipped');
    return;
  }
  const deadline = performance.now() + (options.waitForProxyMs ?? 1_000);
  while (!cache.watched(gateway) && performance.now() < deadline) await sleep(5);
  // The proxy's request is answered on this turn; the response leaves on the next.
  await nextTurn();
}
