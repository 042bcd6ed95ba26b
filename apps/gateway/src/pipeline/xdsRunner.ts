// xDS runner: each Gateway's changed xDS IR in, its Envoy resources out as an xDS snapshot. A
// Gateway that fails keeps its last snapshot; a removed one is forgotten (its proxies keep their
// last configuration). Every change also refreshes the Rate Limit Service's configuration
// (rateLimitPublisher.ts).

import { isDeepStrictEqual } from 'node:util';
import { ExtensionHookError, unpatched } from '@egts/extension-manager';
import type { EnvoyPatchPolicyOutcome, RouteSource, XdsIR } from '@egts/ir';
import { createSnapshot, type SnapshotCache } from '@egts/xds-server';
import { createXdsTranslator, type XdsResources } from '@egts/xds-translator';
import type { Logger } from 'pino';
import {
  BehaviorSubject,
  concatMap,
  from,
  map,
  type Observable,
  of,
  type Subscription,
} from 'rxjs';
import { handled } from '../admin/controlPlaneMetrics.js';
import type { Metrics } from '../admin/metrics.js';
import { type ClustersFirstOptions, pushClustersFirst } from './clustersFirst.js';
import { extensionUpdates } from './extensionUpdates.js';
import { rateLimitPublisher } from './rateLimitPublisher.js';
import type { GatewayIR } from './translatorRunner.js';

export interface XdsRunner {
  /** The xDS IR each Gateway is served from now, by name. */
  readonly served: ReadonlyMap<string, XdsIR>;
  /** What became of the EnvoyPatchPolicies of every served Gateway (their Programmed condition). */
  readonly patchOutcomes$: BehaviorSubject<readonly EnvoyPatchPolicyOutcome[]>;
  /** The route resource behind a Gateway's Envoy route or cluster (the xds-translator's lookup). */
  readonly sourceOf: (gateway: string, resourceName: string) => RouteSource | undefined;
  readonly subscription: Subscription;
}

export interface XdsRunnerOptions {
  cache: SnapshotCache;
  metrics: Metrics;
  log: Logger;
  /** Push a Gateway's clusters before its listeners and routes, the first time (clustersFirst.ts). */
  clustersFirst?: ClustersFirstOptions | undefined;
  /**
   * The extension server's hooks (@egts/extension-manager), run on each Gateway's resources
   * (translated without its EnvoyPatchPolicies, which it applies after the hooks that precede
   * them) before they are served; a rejection keeps the Gateway's last snapshot (failOpen off).
   */
  extension?: { extend(ir: XdsIR, resources: XdsResources): Promise<XdsResources> } | undefined;
}

export function runXds(xdsIR$: Observable<GatewayIR>, options: XdsRunnerOptions): XdsRunner {
  const { cache, metrics, log } = options;
  const translator = createXdsTranslator({ mode: 'ads' });
  const served = new Map<string, XdsIR>();
  const outcomes = new Map<string, readonly EnvoyPatchPolicyOutcome[]>();
  const patchOutcomes$ = new BehaviorSubject<readonly EnvoyPatchPolicyOutcome[]>([]);
  const publishOutcomes = () => {
    const all = [...outcomes.values()].flat();
    if (!isDeepStrictEqual(all, patchOutcomes$.value)) patchOutcomes$.next(all);
  };
  const publishRateLimits = rateLimitPublisher(cache, log);
  const clustersFirst = options.clustersFirst;
  // Not with an extension server: its cluster hook must see every cluster before Envoy does.
  const ordered$ =
    clustersFirst && !options.extension
      ? xdsIR$.pipe(
          concatMap((change) =>
            'removed' in change ||
            cache.getSnapshot(change.name) !== undefined ||
            clustersFirst.proxyHoldsConfig?.(change.name) === true
              ? of(change)
              : from(
                  pushClustersFirst(change.name, change.ir, translator, cache, log, clustersFirst),
                ).pipe(map(() => change)),
          ),
        )
      : xdsIR$;
  const remove = (gateway: string) => {
    served.delete(gateway);
    outcomes.delete(gateway);
    publishOutcomes();
    translator.remove(gateway);
    cache.clearSnapshot(gateway);
    metrics.controlPlane.watchableDepth.set({ runner: 'xds-translator' }, served.size);
    log.info({ gateway }, 'gateway removed; its proxies keep their last config');
    publishRateLimits(served.values());
  };
  const publish = (gateway: string, ir: XdsIR, resources: XdsResources, started: number) => {
    // Made to replace the Gateway's current snapshot: it reuses what that one computed, and
    // streams look only at the names that changed.
    const previous = cache.getSnapshot(gateway)?.snapshot;
    cache.setSnapshot(gateway, createSnapshot(resources, { previous }));
    served.set(gateway, ir);
    if (resources.envoyPatchPolicies === undefined) outcomes.delete(gateway);
    else outcomes.set(gateway, resources.envoyPatchPolicies);
    publishOutcomes();
    metrics.snapshotsPushed.inc({ gateway });
    metrics.xdsTranslationSeconds.observe((performance.now() - started) / 1000);
    handled(metrics.controlPlane, 'xds-translator', 'xds-ir', started);
    metrics.controlPlane.watchablePublishTotal.inc({ runner: 'xds-translator', message: 'xds' });
    metrics.controlPlane.watchableDepth.set({ runner: 'xds-translator' }, served.size);
    log.info({ gateway }, 'snapshot set');
    publishRateLimits(served.values());
  };
  const fail = (gateway: string, error: unknown, started: number) => {
    metrics.translationErrors.inc();
    handled(metrics.controlPlane, 'xds-translator', 'xds-ir', started, false);
    log.error({ err: error, gateway }, 'xDS translation failed; keeping the last snapshot');
  };
  const extension = options.extension;
  const subscription = extension
    ? extensionUpdates(xdsIR$, async (change) => {
        if ('removed' in change) {
          remove(change.name);
          return true;
        }
        const started = performance.now();
        try {
          // The patches apply to what the hooks made: the extension applies them.
          const translated = translator.update(change.name, unpatched(change.ir));
          publish(change.name, change.ir, await extension.extend(change.ir, translated), started);
          return true;
        } catch (error) {
          fail(change.name, error, started);
          // Only the extension's failures pass: a translation error would fail again.
          return !(error instanceof ExtensionHookError);
        }
      })
    : ordered$.subscribe((change) => {
        if ('removed' in change) return remove(change.name);
        const started = performance.now();
        try {
          publish(change.name, change.ir, translator.update(change.name, change.ir), started);
        } catch (error) {
          fail(change.name, error, started);
        }
      });
  return {
    served,
    patchOutcomes$,
    sourceOf: (gateway, resourceName) => translator.sourceOf(gateway, resourceName),
    subscription,
  };
}
