// Envoy Gateway's metrics of what the control plane writes to Kubernetes: the infrastructure's
// object applies and deletes (`resource_*`) and the status writer's updates (`status_update_*`,
// by `kind`).
import type { StatusUpdate } from '@egts/provider-kubernetes';
import { Counter, Histogram, type Registry } from 'prom-client';
import { HANDLING_BUCKETS } from './runnerMetrics.js';

export interface KubernetesWriteMetrics {
  readonly resourceApplyTotal: Counter<'kind' | 'name' | 'namespace' | 'status'>;
  readonly resourceApplySeconds: Histogram<'kind' | 'name' | 'namespace'>;
  readonly resourceDeleteTotal: Counter<'kind' | 'name' | 'namespace' | 'status'>;
  readonly resourceDeleteSeconds: Histogram<'kind' | 'name' | 'namespace'>;
  readonly statusUpdateTotal: Counter<'kind'>;
  readonly statusUpdateSuccessTotal: Counter<'kind'>;
  readonly statusUpdateFailedTotal: Counter<'kind'>;
  readonly statusUpdateConflictTotal: Counter<'kind'>;
  readonly statusUpdateNoopTotal: Counter<'kind'>;
  readonly statusUpdateSeconds: Histogram<'kind'>;
}

export function createKubernetesWriteMetrics(registry: Registry): KubernetesWriteMetrics {
  const registers = [registry];
  const counter = <L extends string>(name: string, help: string, labelNames: L[]) =>
    new Counter<L>({ name, help, labelNames, registers });
  const histogram = <L extends string>(name: string, help: string, labelNames: L[]) =>
    new Histogram<L>({ name, help, labelNames, buckets: HANDLING_BUCKETS, registers });
  const object = ['kind', 'name', 'namespace'] as const;
  return {
    resourceApplyTotal: counter('resource_apply_total', 'Total number of applied resources.', [
      ...object,
      'status',
    ]),
    resourceApplySeconds: histogram(
      'resource_apply_duration_seconds',
      'How long in seconds a resource be applied successfully.',
      [...object],
    ),
    resourceDeleteTotal: counter('resource_delete_total', 'Total number of deleted resources.', [
      ...object,
      'status',
    ]),
    resourceDeleteSeconds: histogram(
      'resource_delete_duration_seconds',
      'How long in seconds a resource be deleted successfully.',
      [...object],
    ),
    statusUpdateTotal: counter(
      'status_update_total',
      'Total number of status update by object kind.',
      ['kind'],
    ),
    statusUpdateSuccessTotal: counter(
      'status_update_success_total',
      'Number of status updates that succeeded by object kind.',
      ['kind'],
    ),
    statusUpdateFailedTotal: counter(
      'status_update_failed_total',
      'Number of status updates that failed by object kind.',
      ['kind'],
    ),
    statusUpdateConflictTotal: counter(
      'status_update_conflict_total',
      'Number of status update conflicts encountered by object kind.',
      ['kind'],
    ),
    statusUpdateNoopTotal: counter(
      'status_update_noop_total',
      'Number of status updates that are no-ops by object kind. This is a subset of successful status updates.',
      ['kind'],
    ),
    statusUpdateSeconds: histogram(
      'status_update_duration_seconds',
      'How long a status update takes to finish.',
      ['kind'],
    ),
  };
}

/** An object the Kubernetes infrastructure applied or deleted, counted and timed. */
export const countObjectWrite = (
  metrics: KubernetesWriteMetrics,
  write: {
    operation: 'apply' | 'delete';
    kind: string;
    name: string;
    namespace: string;
    seconds: number;
    ok: boolean;
  },
): void => {
  const object = { kind: write.kind, name: write.name, namespace: write.namespace };
  const [total, seconds] =
    write.operation === 'apply'
      ? [metrics.resourceApplyTotal, metrics.resourceApplySeconds]
      : [metrics.resourceDeleteTotal, metrics.resourceDeleteSeconds];
  total.inc({ ...object, status: write.ok ? 'success' : 'failure' });
  // Envoy Gateway times the writes that succeed.
  if (write.ok) seconds.observe(object, write.seconds);
};

/**
 * One status the Kubernetes status writer handled, counted as Envoy Gateway's status updater
 * counts it: every update, then a success (a no-op too, when unchanged) or a failure (an object
 * deleted meanwhile fails there as well), each conflict met, and the time it took.
 */
export const countStatusUpdate = (metrics: KubernetesWriteMetrics, update: StatusUpdate): void => {
  const labels = { kind: update.kind };
  metrics.statusUpdateTotal.inc(labels);
  if (update.conflicts > 0) metrics.statusUpdateConflictTotal.inc(labels, update.conflicts);
  if (update.outcome === 'written' || update.outcome === 'unchanged')
    metrics.statusUpdateSuccessTotal.inc(labels);
  else metrics.statusUpdateFailedTotal.inc(labels);
  if (update.outcome === 'unchanged') metrics.statusUpdateNoopTotal.inc(labels);
  metrics.statusUpdateSeconds.observe(labels, update.seconds);
};
