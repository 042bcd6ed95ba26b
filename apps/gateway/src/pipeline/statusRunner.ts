// Status runner: the translator's statuses in (only when they change), published as the latest
// for the admin API and the providers that write them back.
import type { ResourceStatus } from '@egts/api';
import type { Logger } from 'pino';
import { BehaviorSubject, type Observable, type Subscription } from 'rxjs';

export interface StatusRunner {
  /** The statuses of the latest translation (empty before the first). */
  readonly statuses$: BehaviorSubject<readonly ResourceStatus[]>;
  readonly subscription: Subscription;
}

export function runStatus(
  statuses: Observable<readonly ResourceStatus[]>,
  log: Logger,
): StatusRunner {
  const statuses$ = new BehaviorSubject<readonly ResourceStatus[]>([]);
  const subscription = statuses.subscribe((latest) => {
    statuses$.next(latest);
    log.info({ statuses: latest.length }, 'statuses changed');
    for (const status of latest) log.debug({ status }, 'status');
  });
  return { statuses$, subscription };
}
