// xDS runner: each Gateway's changed xDS IR in, its Envoy resources out as an xDS snapshot. A
// Gateway that fails keeps its last snapshot; a removed one is forgotten (its proxies keep their
// last configuration). The Rate Limit Service's RateLimitConfigs, made from every Gateway's IR,
// go to its own node group (RATE_LIMIT_NODE_ID) whenever they change.

import { isDeepStrictEqual } from 'node:util';
import { RATE_LIMIT_NODE_ID } from '@egts/infra-manager';
import type { EnvoyPatchPolicyOutcome, RouteSource, XdsIR } from '@egts/ir';
import { createSnapshot, type SnapshotCache } from '@egts/xds-server';
import { createRateLimitConfigs, createXdsTranslator } from '@egts/xds-translator';
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
import type { Metrics } from '../admin/metrics.js';
import { type ClustersFirstOptions, pushClustersFirst } from './clustersFirst.js';
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
  let rateLimits = '[]';
  // Remembered: every update publishes, and most (endpoint-only ones) leave the rules alone.
  const computeRateLimits = createRateLimitConfigs();
  let lastConfigs: object | undefined;
  const publishRateLimits = () => {
    const configs = computeRateLimits([...served.values()]);
    if (configs === lastConfigs) return;
    lastConfigs = configs;
    const json = JSON.stringify(configs);
    if (json === rateLimits) return;
    rateLimits = json;
    cache.setSnapshot(RATE_LIMIT_NODE_ID, createSnapshot({ rateLimitConfigs: configs }));
    log.info({ domains: configs.map((c) => c.domain) }, 'rate limit configuration set');
  };
  const clustersFirst = options.clustersFirst;
  const ordered$ = clustersFirst
    ? xdsIR$.pipe(
        concatMap((change) =>
          'removed' in change || cache.getSnapshot(change.name) !== undefined
            ? of(change)
            : from(
                pushClustersFirst(change.name, change.ir, translator, cache, log, clustersFirst),
              ).pipe(map(() => change)),
        ),
      )
    : xdsIR$;
  const subscription = ordered$.subscribe((change) => {
    const gateway = change.name;
    if ('removed' in change) {
      served.delete(gateway);
      outcomes.delete(gateway);
      publishOutcomes();
      translator.remove(gateway);
      cache.clearSnapshot(gateway);
      log.info({ gateway }, 'gateway removed; its proxies keep their last config');
      publishRateLimits();
      return;
    }
    try {
      const started = performance.now();
      const resources = translator.update(gateway, change.ir);
      cache.setSnapshot(gateway, createSnapshot(resources));
      served.set(gateway, change.ir);
      if (resources.envoyPatchPolicies === undefined) outcomes.delete(gateway);
      else outcomes.set(gateway, resources.envoyPatchPolicies);
      publishOutcomes();
      metrics.snapshotsPushed.inc({ gateway });
      metrics.xdsTranslationSeconds.observe((performance.now() - started) / 1000);
      log.info({ gateway }, 'snapshot set');
      publishRateLimits();
    } catch (error) {
      metrics.translationErrors.inc();
      log.error({ err: error, gateway }, 'xDS translation failed; keeping the last snapshot');
    }
  });
  return {
    served,
    patchOutcomes$,
    sourceOf: (gateway, resourceName) => translator.sourceOf(gateway, resourceName),
    subscription,
  };
}
