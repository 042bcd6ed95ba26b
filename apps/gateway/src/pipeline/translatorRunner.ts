// Translator runner: resources in, and out the three seams of DESIGN.md's "Data flow": each
// Gateway's xDS IR when it changes (`xdsIR$`), the Infra IR (`infraIR$`) and the statuses
// (`statuses$`). A failed translation publishes nothing: every stage keeps the last good output.
// OpenID provider discovery runs beside it, as in Envoy Gateway's control plane: each snapshot
// tells the discoverer which issuers are wanted and is translated at once with the results so
// far (a fetch never delays an update), and each new result is translated when it arrives. Only
// the first snapshot waits, briefly, for its first fetches, so that a cold start does not serve
// its OIDC routes 500s for want of a document that was a moment away.
import { isDeepStrictEqual } from 'node:util';
import { countResources, type ResourceStatus, type Resources } from '@egts/api';
import {
  createOidcDiscoverer,
  createTranslator,
  type OidcDiscovererOptions,
  type OidcDiscovery,
  oidcIssuers,
  type TranslateOptions,
  type TranslatorUpdate,
} from '@egts/gatewayapi-translator';
import type { InfraIR, XdsIR } from '@egts/ir';
import type { Logger } from 'pino';
import {
  type Connectable,
  concatMap,
  connectable,
  distinctUntilChanged,
  EMPTY,
  filter,
  from,
  map,
  merge,
  mergeMap,
  Observable,
  of,
  Subject,
  tap,
} from 'rxjs';
import type { Metrics } from '../admin/metrics.js';

/** A Gateway's (fleet's) new xDS IR, or its removal. */
export type GatewayIR = { name: string; ir: XdsIR } | { name: string; removed: true };

export interface TranslatorRunner {
  readonly xdsIR$: Observable<GatewayIR>;
  readonly infraIR$: Observable<InfraIR>;
  readonly statuses$: Observable<readonly ResourceStatus[]>;
  /** True once a translation succeeded. */
  readonly translatedOnce: () => boolean;
  /** Starts translating; call after every stage subscribed (a provider may replay at once). */
  connect(): { unsubscribe(): void };
}

const gatewayChanges = (update: TranslatorUpdate): GatewayIR[] => [
  ...[...update.changed].map((name) => ({ name, ir: update.xdsIR.get(name)! })),
  ...[...update.removed].map((name) => ({ name, removed: true as const })),
];

export interface DiscoveryOptions extends OidcDiscovererOptions {
  /** How long the first snapshot waits for its issuers' first fetches (default 5 s). */
  readonly coldStartWaitMs?: number;
}

export function runTranslator(
  resources$: Observable<Resources>,
  options: {
    translate?: TranslateOptions | undefined;
    /** OpenID provider discovery; `false` never fetches (policies naming an issuer alone fail). */
    oidcDiscovery?: DiscoveryOptions | false | undefined;
    metrics: Metrics;
    log: Logger;
  },
): TranslatorRunner {
  const { metrics, log } = options;
  const translator = createTranslator(options.translate);
  const discovery = options.oidcDiscovery === false ? undefined : (options.oidcDiscovery ?? {});
  const discoverer = discovery && createOidcDiscoverer(discovery);
  let translatedOnce = false;
  /** The latest snapshot, and the discovery map its latest translation used. */
  let latest: Resources | undefined;
  let usedDiscovery: OidcDiscovery | undefined;
  const translate = (resources: Resources): Observable<TranslatorUpdate> => {
    const started = performance.now();
    let update: TranslatorUpdate;
    try {
      const oidcDiscovery = discoverer?.current();
      update = translator.update(resources, oidcDiscovery ? { oidcDiscovery } : {});
      usedDiscovery = oidcDiscovery;
    } catch (error) {
      // A translator bug must not stop the control plane: keep serving the last good output.
      metrics.translationErrors.inc();
      log.error({ err: error }, 'translation failed; keeping the last good output');
      return EMPTY;
    }
    metrics.translationSeconds.observe((performance.now() - started) / 1000);
    if (update.incrementalError !== undefined) {
      log.warn(
        { err: update.incrementalError },
        'incremental update failed; translating everything',
      );
    }
    if (update.path === 'full') {
      metrics.resourcesTranslated.set(countResources(resources));
      translatedOnce = true;
    } else if (update.path === 'endpoints') {
      log.debug({ gateways: update.changed.size }, 'endpoint-only update');
    } else {
      const gateways = [...(update.touched ?? [])];
      log.debug({ gateways, spliced: update.path === 'spliced' }, 'route-only update');
    }
    return of(update);
  };
  // Each snapshot names the issuers it needs; the first waits (bounded) for their first fetches.
  const snapshots$ = resources$.pipe(
    tap((resources) => {
      try {
        discoverer?.want(oidcIssuers(resources));
      } catch (error) {
        // Input the translator will refuse too (and report): the wanted issuers stay.
        log.warn({ err: error }, 'could not read the OpenID issuers of a snapshot');
      }
    }),
    concatMap((resources) =>
      translatedOnce || !discoverer?.pending()
        ? of(resources)
        : from(discoverer.settled(discovery?.coldStartWaitMs ?? 5_000)).pipe(map(() => resources)),
    ),
    tap((resources) => {
      latest = resources;
    }),
  );
  // A new discovery map re-translates the latest snapshot, unless that already used it.
  const rediscovered$ = discoverer
    ? new Observable<OidcDiscovery>((subscriber) =>
        discoverer.subscribe((found) => subscriber.next(found)),
      ).pipe(
        tap((found) => log.info({ issuers: describe(found) }, 'OpenID provider discovery changed')),
        filter((found) => latest !== undefined && found !== usedDiscovery),
        map(() => latest!),
      )
    : EMPTY;
  const updates$: Connectable<TranslatorUpdate> = connectable(
    merge(snapshots$, rediscovered$).pipe(mergeMap(translate)),
    { connector: () => new Subject<TranslatorUpdate>(), resetOnDisconnect: false },
  );
  return {
    xdsIR$: updates$.pipe(mergeMap((update) => from(gatewayChanges(update)))),
    infraIR$: updates$.pipe(
      map((update) => update.infraIR),
      distinctUntilChanged<InfraIR>(isDeepStrictEqual),
    ),
    statuses$: updates$.pipe(
      map((update) => update.statuses),
      distinctUntilChanged<readonly ResourceStatus[]>(isDeepStrictEqual),
    ),
    translatedOnce: () => translatedOnce,
    connect: () => {
      const connection = updates$.connect();
      return {
        unsubscribe: () => {
          connection.unsubscribe();
          discoverer?.close();
        },
      };
    },
  };
}

/** Each issuer's outcome, for the log: "ok" or its error. */
const describe = (discovery: OidcDiscovery) =>
  Object.fromEntries(
    [...discovery].map(([issuer, result]) => [issuer, 'error' in result ? result.error : 'ok']),
  );
