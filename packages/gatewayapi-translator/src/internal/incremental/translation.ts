// The state an incremental update starts from: the input of the last translation and its output.
import type { ResourceStatus, Resources } from '@egts/api';
import type { InfraIR, XdsIR } from '@egts/ir';

/** The last full translation (or an update of it). */
export interface Translation {
  readonly resources: Resources;
  readonly infraIR: InfraIR;
  readonly xdsIR: readonly XdsIR[];
  readonly statuses: readonly ResourceStatus[];
}
