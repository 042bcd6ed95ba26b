// Infrastructure runner: the Infra IR in (only when it changes), applied in order; a failure is
// logged and retried with the next change.
import type { InfraIR } from '@egts/ir';
import type { Logger } from 'pino';
import { concatMap, type Observable, type Subscription } from 'rxjs';
import { type ControlPlaneMetrics, handled } from '../admin/controlPlaneMetrics.js';
import type { InfraManager } from './ports.js';

export interface InfraRunner {
  /** True once an Infra IR was applied (or tried), or at once without infrastructure. */
  readonly appliedOnce: () => boolean;
  readonly subscription?: Subscription | undefined;
}

export function runInfra(
  infraIR$: Observable<InfraIR>,
  infra: InfraManager | undefined,
  log: Logger,
  metrics?: ControlPlaneMetrics,
): InfraRunner {
  if (infra === undefined) return { appliedOnce: () => true };
  let appliedOnce = false;
  const subscription = infraIR$
    .pipe(
      concatMap(async (infraIR) => {
        const started = performance.now();
        metrics?.watchableDepth.set({ runner: 'infrastructure' }, infraIR.proxies.length);
        try {
          await infra.apply(infraIR);
          if (metrics) handled(metrics, 'infrastructure', 'infra-ir', started);
        } catch (error) {
          if (metrics) handled(metrics, 'infrastructure', 'infra-ir', started, false);
          log.error({ err: error }, 'infrastructure update failed; will retry on the next change');
        }
      }),
    )
    .subscribe(() => {
      appliedOnce = true;
    });
  return { appliedOnce: () => appliedOnce, subscription };
}
