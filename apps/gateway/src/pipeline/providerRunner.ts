// Provider runner: the provider's snapshots in, their resources out to the translator; the
// problems the provider found are published (and logged) only when they change, with a status
// for each resource they refused (it never reaches the translator).
import { isDeepStrictEqual } from 'node:util';
import {
  type ProviderSnapshot,
  type ResourceStatus,
  type Resources,
  refusedStatuses,
} from '@egts/api';
import type { Logger } from 'pino';
import { BehaviorSubject, map, type Observable, tap } from 'rxjs';

export interface ProviderRunner {
  /** The resources of each snapshot; subscribe once (each subscription subscribes the provider). */
  readonly resources$: Observable<Resources>;
  /** The problems the provider reported with its latest snapshot. */
  readonly problems$: BehaviorSubject<ProviderSnapshot['problems']>;
  /** An Accepted=False status for each resource of the latest snapshot the provider refused. */
  readonly refused$: BehaviorSubject<readonly ResourceStatus[]>;
}

export function runProvider(snapshots$: Observable<ProviderSnapshot>, log: Logger): ProviderRunner {
  const problems$ = new BehaviorSubject<ProviderSnapshot['problems']>([]);
  const refused$ = new BehaviorSubject<readonly ResourceStatus[]>([]);
  const resources$ = snapshots$.pipe(
    tap((snapshot) => {
      // A refused resource's status goes when it is read, even with problems unchanged.
      const refused = refusedStatuses(snapshot.problems, snapshot.resources);
      if (!isDeepStrictEqual(refused$.value, refused)) refused$.next(refused);
      if (isDeepStrictEqual(problems$.value, snapshot.problems)) return;
      problems$.next(snapshot.problems);
      for (const problem of snapshot.problems) log.warn({ problem }, 'input problem');
    }),
    map((snapshot) => snapshot.resources),
  );
  return { resources$, problems$, refused$ };
}
