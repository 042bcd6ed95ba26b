// Bootstraps Envoy refuses, as a stream: the infra-managers' bootstrap events folded into the
// reason each fleet's bootstrap was refused. The status runner turns them into Gateway status
// (@egts/infra-manager withBootstrapRefusals).
import { BehaviorSubject } from 'rxjs';

/** Why Envoy refused each fleet's bootstrap, by fleet (proxy) name, from infra-manager events. */
export function bootstrapRefusals(): {
  readonly refusals$: BehaviorSubject<ReadonlyMap<string, string>>;
  /** Notes an infra-manager event: refused sets the fleet's reason, accepted clears it. */
  note(event: { type: string; proxy: string; reason?: string }): void;
} {
  const refusals$ = new BehaviorSubject<ReadonlyMap<string, string>>(new Map());
  return {
    refusals$,
    note(event) {
      const current = refusals$.value;
      if (event.type === 'bootstrap-refused') {
        if (current.get(event.proxy) === event.reason) return;
        refusals$.next(new Map(current).set(event.proxy, event.reason ?? 'refused by Envoy'));
      } else if (event.type === 'bootstrap-accepted' && current.has(event.proxy)) {
        const next = new Map(current);
        next.delete(event.proxy);
        refusals$.next(next);
      }
    },
  };
}
