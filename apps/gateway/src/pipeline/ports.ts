// What the pipeline needs of the stages around it. Providers and infrastructure managers are
// separate packages; the pipeline only subscribes and publishes (STYLE.md #1).
import type { ProviderSnapshot } from '@egts/api';
import type { InfraIR } from '@egts/ir';
import type { Observable } from 'rxjs';

export type { ProviderSnapshot };

export interface ResourceProvider {
  readonly resources$: Observable<ProviderSnapshot>;
  /** False while the provider cannot follow its source (a stuck read); shown by /healthz. */
  liveness?(): { healthy: boolean; message?: string };
  close(): Promise<void>;
}

export interface InfraManager {
  /** Makes the running proxies match the Infra IR. */
  apply(infraIR: InfraIR): Promise<void>;
  close(): Promise<void>;
  /** Why the proxy runtime refused each fleet's bootstrap, by fleet name (bootstrapRefusals.ts). */
  readonly bootstrapRefusals$?: Observable<ReadonlyMap<string, string>>;
}
