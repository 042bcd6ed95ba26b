// The control plane's pipeline (DESIGN.md "Data flow"): provider snapshots -> translate() ->
// statuses, Infra IR -> infrastructure, and per-Gateway xDS IR -> Envoy resources -> xDS snapshots.
// One failing stage never stops the others: a failed translation keeps the last good output.
import { isDeepStrictEqual } from 'node:util';
import { countResources } from '@egts/api';
import { type ResourceStatus, type TranslateOptions, translate } from '@egts/gatewayapi-translator';
import type { InfraIR, XdsIR } from '@egts/ir';
import { createSnapshot, type SnapshotCache } from '@egts/xds-server';
import { translateXds, type XdsResources } from '@egts/xds-translator';
import {
  BehaviorSubject,
  type Connectable,
  concatMap,
  connectable,
  distinctUntilChanged,
  EMPTY,
  filter,
  map,
  mergeMap,
  type Observable,
  of,
  Subject,
  Subscription,
} from 'rxjs';
import type { Metrics } from '../admin/metrics.js';
import type { Logging } from '../logging.js';
import { endpointsOnlyUpdate, indexSettings, type Translation } from './endpointsOnly.js';
import { perKey } from './perKey.js';
import type { InfraManager, ProviderSnapshot } from './ports.js';
import { routesOnlyUpdate } from './routesOnly.js';
import { shareUnchanged } from './shareUnchanged.js';

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
  /** xDS resources already built for some Gateways (endpoint-only updates), by name. */
  xds?: ReadonlyMap<string, XdsResources>;
}

/** A Gateway's IR, with its xDS resources when they were built already. */
interface GatewayItem {
  ir: XdsIR;
  xds?: XdsResources | undefined;
}

/** IR is shared with the previous translation where unchanged: an unchanged Gateway's is the same object. */
const sameGateway = (a: GatewayItem, b: GatewayItem) => a.ir === b.ir;

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
  const servedXds = new Map<string, XdsResources>();
  // Each Gateway's latest IR, which the next translation's shares its unchanged parts with.
  const latestIR = new Map<string, XdsIR>();
  const shareIR = (xdsIR: readonly XdsIR[], alreadyShared = false): XdsIR[] => {
    const names = new Set(xdsIR.map((ir) => ir.name));
    for (const name of latestIR.keys()) if (!names.has(name)) latestIR.delete(name);
    return xdsIR.map((ir) => {
      const shared = alreadyShared ? ir : shareUnchanged(latestIR.get(ir.name), ir);
      latestIR.set(ir.name, shared);
      return shared;
    });
  };
  // The latest translation, full or endpoint-only, that the next snapshot is compared with.
  let last: Translation | undefined;
  // Ready once the first translation was served over xDS and, with infrastructure, applied.
  let translatedOnce = false;
  let infraAppliedOnce = infra === undefined;

  // Connected only after every stage has subscribed, so that a provider which emits its first
  // snapshot on subscription (a replaying subject) reaches all of them.
  const translated$: Connectable<Translated> = connectable(
    options.provider.resources$.pipe(
      mergeMap((snapshot) => {
        if (!isDeepStrictEqual(problems$.value, snapshot.problems)) {
          problems$.next(snapshot.problems);
          for (const problem of snapshot.problems) log.provider.warn({ problem }, 'input problem');
        }
        const started = performance.now();
        if (last !== undefined) {
          try {
            const update = endpointsOnlyUpdate(
              last,
              snapshot.resources,
              servedXds,
              options.translate,
            );
            if (update !== undefined) {
              last = { ...last, resources: snapshot.resources, xdsIR: shareIR(update.xdsIR, true) };
              log.translator.debug({ gateways: update.xds.size }, 'endpoint-only update');
              metrics.translationSeconds.observe((performance.now() - started) / 1000);
              return of<Translated>({
                infraIR: last.infraIR,
                xdsIR: [...last.xdsIR],
                statuses: last.statuses as ResourceStatus[],
                xds: update.xds,
              });
            }
            const routes = routesOnlyUpdate(last, snapshot.resources, options.translate);
            if (routes !== undefined) {
              last = {
                ...routes.translation,
                xdsIR: shareIR(routes.translation.xdsIR, routes.shared),
              };
              log.translator.debug(
                { gateways: [...routes.touched], spliced: routes.shared },
                'route-only update',
              );
              metrics.translationSeconds.observe((performance.now() - started) / 1000);
              return of<Translated>({
                infraIR: last.infraIR,
                xdsIR: [...last.xdsIR],
                statuses: last.statuses as ResourceStatus[],
              });
            }
          } catch (error) {
            log.translator.warn(
              { err: error },
              'incremental update failed; translating everything',
            );
          }
        }
        try {
          const translated = translate(snapshot.resources, options.translate);
          const result = { ...translated, xdsIR: shareIR(translated.xdsIR) };
          last = { resources: snapshot.resources, ...result };
          for (const ir of result.xdsIR) indexSettings(ir);
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
    ),
    { connector: () => new Subject<Translated>(), resetOnDisconnect: false },
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
        map((t) => t.xdsIR.map((ir): GatewayItem => ({ ir, xds: t.xds?.get(ir.name) }))),
        perKey((item: GatewayItem) => item.ir.name, sameGateway),
      )
      .subscribe((change) => {
        if ('removed' in change) {
          served.delete(change.key);
          servedXds.delete(change.key);
          cache.clearSnapshot(change.key);
          log.xds.info(
            { gateway: change.key },
            'gateway removed; its proxies keep their last config',
          );
          return;
        }
        try {
          const started = performance.now();
          const resources = change.item.xds ?? translateXds(change.item.ir, { mode: 'ads' });
          cache.setSnapshot(change.key, createSnapshot(resources));
          served.set(change.key, change.item.ir);
          servedXds.set(change.key, resources);
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

  subscription.add(translated$.connect());

  return {
    statuses$,
    problems$,
    xdsIR: served,
    ready: () => translatedOnce && infraAppliedOnce,
    stop: () => subscription.unsubscribe(),
  };
}
