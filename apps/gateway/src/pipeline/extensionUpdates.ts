// Gateway updates through the extension server's hooks: one at a time, in order (the hooks are
// calls), a change superseded by a newer one for its Gateway skipped, and a failed update (the
// extension down, failOpen off: the Gateway keeps its last snapshot) tried again every `retryMs`
// until it goes through or a newer change replaces it, so the Gateway catches up once the
// extension is back without waiting for another change.
import { concatMap, merge, type Observable, Subject, type Subscription, tap } from 'rxjs';
import type { GatewayIR } from './translatorRunner.js';

export function extensionUpdates(
  xdsIR$: Observable<GatewayIR>,
  /** Applies one change; false when it failed and should be tried again. */
  apply: (change: GatewayIR) => Promise<boolean>,
  retryMs = 5_000,
): Subscription {
  const latest = new Map<string, GatewayIR>();
  const retries$ = new Subject<GatewayIR>();
  const timers = new Set<NodeJS.Timeout>();
  const subscription = merge(
    xdsIR$.pipe(tap((change) => latest.set(change.name, change))),
    retries$,
  )
    .pipe(
      concatMap(async (change) => {
        if (latest.get(change.name) !== change) return;
        if (await apply(change)) return;
        const timer = setTimeout(() => {
          timers.delete(timer);
          retries$.next(change);
        }, retryMs);
        timers.add(timer);
      }),
    )
    .subscribe();
  subscription.add(() => {
    for (const timer of timers) clearTimeout(timer);
  });
  return subscription;
}
