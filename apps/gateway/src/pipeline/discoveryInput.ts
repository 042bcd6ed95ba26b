// OpenID provider discovery beside the translator, as in Envoy Gateway's control plane: each
// snapshot tells the discoverer which issuers are wanted and is translated at once with the
// results so far (a fetch never delays an update), and each new result asks for the latest
// snapshot to be translated again. Only the first snapshot waits, briefly, for its first
// fetches, so that a cold start does not serve its OIDC routes 500s for want of a document that
// was a moment away.
import type { Resources } from '@egts/api';
import {
  createOidcDiscoverer,
  type OidcDiscovererOptions,
  type OidcDiscovery,
  oidcIssuers,
} from '@egts/gatewayapi-translator';
import type { Logger } from 'pino';
import { concatMap, EMPTY, filter, from, map, merge, Observable, of, tap } from 'rxjs';

export interface DiscoveryOptions extends OidcDiscovererOptions {
  /** How long the first snapshot waits for its issuers' first fetches (default 5 s). */
  readonly coldStartWaitMs?: number;
}

export interface DiscoveryInput {
  /** The snapshots to translate: the provider's, and the latest again on new discovery results. */
  readonly snapshots$: Observable<Resources>;
  /** The discovery map to translate with now (undefined: discovery is off). */
  current(): OidcDiscovery | undefined;
  /** Records the map a translation used (a result already used asks for nothing). */
  used(discovery: OidcDiscovery | undefined): void;
  close(): void;
}

export function discoveryInput(
  resources$: Observable<Resources>,
  /** `false` never fetches (policies naming an issuer alone fail). */
  options: DiscoveryOptions | false | undefined,
  translatedOnce: () => boolean,
  log: Logger,
): DiscoveryInput {
  const discovery = options === false ? undefined : (options ?? {});
  const discoverer = discovery && createOidcDiscoverer(discovery);
  let latest: Resources | undefined;
  let usedDiscovery: OidcDiscovery | undefined;
  const provided$ = resources$.pipe(
    tap((resources) => {
      try {
        discoverer?.want(oidcIssuers(resources));
      } catch (error) {
        // Input the translator will refuse too (and report): the wanted issuers stay.
        log.warn({ err: error }, 'could not read the OpenID issuers of a snapshot');
      }
    }),
    concatMap((resources) =>
      translatedOnce() || !discoverer?.pending()
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
  return {
    snapshots$: merge(provided$, rediscovered$),
    current: () => discoverer?.current(),
    used: (found) => {
      usedDiscovery = found;
    },
    close: () => discoverer?.close(),
  };
}

/** Each issuer's outcome, for the log: "ok" or its error. */
const describe = (discovery: OidcDiscovery) =>
  Object.fromEntries(
    [...discovery].map(([issuer, result]) => [issuer, 'error' in result ? result.error : 'ok']),
  );
