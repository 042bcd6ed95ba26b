// Kubernetes infrastructure changed by the leader only: every Infra IR is kept, applied while
// leading, and a new leader applies the latest at once.
import type { InfraIR } from '@egts/ir';
import type { Logger } from 'pino';
import { BehaviorSubject, filter, type Observable } from 'rxjs';
import type { InfraManager } from '../pipeline/ports.js';

export interface LeaderInfra {
  /** What the pipeline applies Infra IR to. */
  readonly infra: InfraManager;
  /** The latest Infra IR, whether leading or not (Gateway statuses are written from it). */
  readonly infraIR$: Observable<InfraIR>;
  stop(): void;
}

export function leaderInfra(
  manager: { apply(ir: InfraIR): Promise<void> },
  leader: { readonly isLeader$: Observable<boolean>; isLeader(): boolean },
  log: Logger,
): LeaderInfra {
  const latest$ = new BehaviorSubject<InfraIR | undefined>(undefined);
  const leading = leader.isLeader$.subscribe((isLeader) => {
    const latest = latest$.value;
    if (!isLeader || latest === undefined) return;
    manager
      .apply(latest)
      .catch((error: unknown) => log.error({ err: error }, 'infrastructure update failed'));
  });
  return {
    infra: {
      apply: async (infraIR) => {
        latest$.next(infraIR);
        if (leader.isLeader()) await manager.apply(infraIR);
      },
      close: async () => {},
    },
    infraIR$: latest$.pipe(filter((ir) => ir !== undefined)),
    stop: () => leading.unsubscribe(),
  };
}
