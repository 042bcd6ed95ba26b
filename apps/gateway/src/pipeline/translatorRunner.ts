// Translator runner: resources in, and out the three seams of DESIGN.md's "Data flow": each
// Gateway's xDS IR when it changes (`xdsIR$`), the Infra IR (`infraIR$`) and the statuses
// (`statuses$`). A failed translation publishes nothing: every stage keeps the last good output.
// OpenID provider discovery runs beside it (discoveryInput.ts).
import { isDeepStrictEqual } from 'node:util';
import { countResources, type ResourceStatus, type Resources } from '@egts/api';
import {
  createTranslator,
  type TranslateOptions,
  type TranslatorUpdate,
} from '@egts/gatewayapi-translator';
import type { InfraIR, XdsIR } from '@egts/ir';
import type { Logger } from 'pino';
import {
  type Connectable,
  connectable,
  distinctUntilChanged,
  EMPTY,
  from,
  map,
  mergeMap,
  type Observable,
  of,
  Subject,
} from 'rxjs';
import { handled } from '../admin/controlPlaneMetrics.js';
import type { Metrics } from '../admin/metrics.js';
import { type DiscoveryOptions, discoveryInput } from './discoveryInput.js';

export type { DiscoveryOptions } from './discoveryInput.js';

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

/** The message the translator subscribes to, as Envoy Gateway's `message` label names it. */
const RESOURCES = 'provider-resources';

const gatewayChanges = (update: TranslatorUpdate): GatewayIR[] => [
  ...[...update.changed].map((name) => ({ name, ir: update.xdsIR.get(name)! })),
  ...[...update.removed].map((name) => ({ name, removed: true as const })),
];

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
  let translatedOnce = false;
  const discovery = discoveryInput(resources$, options.oidcDiscovery, () => translatedOnce, log);
  const translate = (resources: Resources): Observable<TranslatorUpdate> => {
    const started = performance.now();
    let update: TranslatorUpdate;
    try {
      const oidcDiscovery = discovery.current();
      update = translator.update(resources, oidcDiscovery ? { oidcDiscovery } : {});
      discovery.used(oidcDiscovery);
    } catch (error) {
      // A translator bug must not stop the control plane: keep serving the last good output.
      metrics.translationErrors.inc();
      handled(metrics.controlPlane, 'gateway-api', RESOURCES, started, false);
      log.error({ err: error }, 'translation failed; keeping the last good output');
      return EMPTY;
    }
    metrics.translationSeconds.observe((performance.now() - started) / 1000);
    handled(metrics.controlPlane, 'gateway-api', RESOURCES, started);
    // What it publishes: each Gateway's xDS IR that changed or went, the Infra IR, the statuses.
    const published = metrics.controlPlane.watchablePublishTotal;
    published.inc({ runner: 'gateway-api', message: 'xds-ir' }, gatewayChanges(update).length);
    published.inc({ runner: 'gateway-api', message: 'infra-ir' });
    published.inc({ runner: 'gateway-api', message: 'statuses' });
    metrics.controlPlane.watchableDepth.set({ runner: 'gateway-api' }, update.xdsIR.size);
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
  const updates$: Connectable<TranslatorUpdate> = connectable(
    discovery.snapshots$.pipe(mergeMap(translate)),
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
          discovery.close();
        },
      };
    },
  };
}
