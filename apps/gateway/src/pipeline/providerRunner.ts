// Provider runner: the provider's snapshots in, their resources out to the translator; the
// problems the provider found are published (and logged) only when they change.
import { isDeepStrictEqual } from 'node:util';
import type { ProviderSnapshot, Resources } from '@egts/api';
import type { Logger } from 'pino';
import { BehaviorSubject, map, type Observable, tap } from 'rxjs';

export interface ProviderRunner {
  /** The resources of each snapshot; subscribe once (each subscription subscribes the provider). */
  readonly resources$: Observable<Resources>;
  /** The problems the provider reported with its latest snapshot. */
  readonly problems$: BehaviorSubject<ProviderSnapshot['problems']>;
}

export function runProvider(snapshots$: Observable<ProviderSnapshot>, log: Logger): ProviderRunner {
  const problems$ = new BehaviorSubject<ProviderSnapshot['problems']>([]);
  const resources$ = snapshots$.pipe(
    tap((snapshot) => {
      if (isDeepStrictEqual(problems$.value, snapshot.problems)) return;
      problems$.next(snapshot.problems);
      for (const problem of snapshot.problems) log.warn({ problem }, 'input problem');
    }),
    map((snapshot) => snapshot.resources),
  );
  return { resources$, problems$ };
}
