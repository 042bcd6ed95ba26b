// The control plane's pipeline (DESIGN.md "Data flow"): provider snapshots -> translate() ->
// statuses, Infra IR -> infrastructure, and per-Gateway xDS IR -> Envoy resources -> xDS snapshots.
// One failing stage never stops the others: a failed translation keeps the last good output.
import { isDeepStrictEqual } from 'node:util';
import { type ResourceStatus, type TranslateOptions, translate } from '@egts/gatewayapi-translator';
import type { InfraIR, XdsIR } from '@egts/ir';
import { createSnapshot, type SnapshotCache } from '@egts/xds-server';
import { translateXds } from '@egts/xds-translator';
import {
  BehaviorSubject,
  concatMap,
  distinctUntilChanged,
  EMPTY,
  filter,
  map,
  mergeMap,
  type Observable,
  of,
  Subscription,
  share,
} from 'rxjs';
import type { Metrics } from '../admin/metrics.js';
import type { Logging } from '../logging.js';
import { perKey } from './perKey.js';
import type { InfraManager, ProviderSnapshot } from './ports.js';

export interface PipelineOptions {
  provider: { readonly resources$: Observable<ProviderSnapshot> };
  translate?: TranslateOptions;
  cache: SnapshotCache;
  infra?: InfraManager | undefined;
  logging: Logging;
  metrics: Metrics;
}

export interface Pipeline {
  /** The statuses of the latest translation (empty before the first). */
  readonly statuses$: BehaviorSubject<readonly ResourceStatus[]>;
  /** The problems the provider reported with its latest snapshot. */
  readonly problems$: BehaviorSubject<ProviderSnapshot['problems']>;
  /** The xDS IR each Gateway is served from now, by name. */
  readonly xdsIR: ReadonlyMap<string, XdsIR>;
  /** True once the first snapshot was translated and served. */
  readonly ready: () => boolean;
  stop(): void;
}

interface Translated {
  infraIR: InfraIR;
  xdsIR: XdsIR[];
  statuses: ResourceStatus[];
}

export function createPipeline(options: PipelineOptions): Pipeline {
  const { cache, infra, logging, metrics } = options;
  const log = {
    translator: logging.component('gatewayapi-translator'),
    xds: logging.component('xds-translator'),
    infra: logging.component('infrastructure'),
    status: logging.component('status'),
    provider: logging.component('provider'),
  };
  const statuses$ = new BehaviorSubject<readonly ResourceStatus[]>([]);
  const problems$ = new BehaviorSubject<ProviderSnapshot['problems']>([]);
  const served = new Map<string, XdsIR>();
  // Ready once the first translation was served over xDS and, with infrastructure, applied.
  let translatedOnce = false;
  let infraAppliedOnce = infra === undefined;

  const translated$: Observable<Translated> = options.provider.resources$.pipe(
    mergeMap((snapshot) => {
      if (!isDeepStrictEqual(problems$.value, snapshot.problems)) {
        problems$.next(snapshot.problems);
        for (const problem of snapshot.problems) log.provider.warn({ problem }, 'input problem');
      }
      const started = performance.now();
      try {
        const result = translate(snapshot.resources, options.translate);
        metrics.translationSeconds.observe((performance.now() - started) / 1000);
        metrics.resourcesTranslated.set(countResources(snapshot.resources));
        translatedOnce = true;
        return of(result);
      } catch (error) {
        // A translator bug must not stop the control plane: keep serving the last good output.
        metrics.translationErrors.inc();
        log.translator.error({ err: error }, 'translation failed; keeping the last good output');
        return EMPTY;
      }
    }),
    share(),
  );

  const subscription = new Subscription();

  subscription.add(
    translated$
      .pipe(
        map((t) => t.statuses),
        distinctUntilChanged<ResourceStatus[]>(isDeepStrictEqual),
      )
      .subscribe((statuses) => {
        statuses$.next(statuses);
        log.status.info({ statuses: statuses.length }, 'statuses changed');
        for (const status of statuses) log.status.debug({ status }, 'status');
      }),
  );

  subscription.add(
    translated$
      .pipe(
        map((t) => t.xdsIR),
        perKey((ir: XdsIR) => ir.name),
      )
      .subscribe((change) => {
        if ('removed' in change) {
          served.delete(change.key);
          cache.clearSnapshot(change.key);
          log.xds.info(
            { gateway: change.key },
            'gateway removed; its proxies keep their last config',
          );
          return;
        }
        try {
          const started = performance.now();
          const resources = translateXds(change.item, { mode: 'ads' });
          cache.setSnapshot(change.key, createSnapshot(resources));
          served.set(change.key, change.item);
          metrics.snapshotsPushed.inc({ gateway: change.key });
          metrics.xdsTranslationSeconds.observe((performance.now() - started) / 1000);
          log.xds.info({ gateway: change.key }, 'snapshot set');
        } catch (error) {
          metrics.translationErrors.inc();
          log.xds.error(
            { err: error, gateway: change.key },
            'xDS translation failed; keeping the last snapshot',
          );
        }
      }),
  );

  subscription.add(
    translated$
      .pipe(
        map((t) => t.infraIR),
        distinctUntilChanged<InfraIR>(isDeepStrictEqual),
        filter(() => infra !== undefined),
        concatMap(async (infraIR) => {
          try {
            await infra!.apply(infraIR);
          } catch (error) {
            log.infra.error(
              { err: error },
              'infrastructure update failed; will retry on the next change',
            );
          }
        }),
      )
      .subscribe(() => {
        infraAppliedOnce = true;
      }),
  );

  return {
    statuses$,
    problems$,
    xdsIR: served,
    ready: () => translatedOnce && infraAppliedOnce,
    stop: () => subscription.unsubscribe(),
  };
}

function countResources(resources: ProviderSnapshot['resources']): number {
  let n = 0;
  for (const list of Object.values(resources) as unknown[][]) n += list.length;
  return n;
}
