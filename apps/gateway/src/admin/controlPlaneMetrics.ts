// The control plane's own metrics under Envoy Gateway's names, where egts has the same event
// (Envoy Gateway's "Gateway Exported Metrics"): the watching components (`watchable_*`, by
// `runner`: gateway-api, infrastructure, xds-translator), the xDS server's snapshot cache and
// streams (`xds_*`), the Kubernetes infrastructure's object writes (`resource_*`) and the
// Kubernetes status writer's updates (`status_update_*`, by `kind`). They sit in
// the admin registry beside egts's own `egts_*` metrics. With tracing on, each handled message is
// a span too.
import type { StatusUpdate } from '@egts/provider-kubernetes';
import type { SnapshotCache, XdsCallbacks } from '@egts/xds-server';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** A watching component, as Envoy Gateway's `runner` label names it. */
export type Runner = 'gateway-api' | 'infrastructure' | 'xds-translator';

/** One handled message as a span (EnvoyGateway `telemetry.traces`); times in epoch ms. */
export type SpanRecorder = (span: {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly startMs: number;
  readonly endMs: number;
  readonly ok: boolean;
}) => void;

/** The span each runner's handling is traced as, after Envoy Gateway's runner names. */
const SPAN_NAMES: Record<Runner, string> = {
  'gateway-api': 'GatewayApiRunner.ResourceTranslationCycle',
  infrastructure: 'InfraRunner.ProcessInfraIR',
  'xds-translator': 'XdsRunner.TranslateXdsIR',
};

export interface ControlPlaneMetrics {
  /** Where handled messages go as spans, once tracing is configured. */
  spans?: SpanRecorder | undefined;
  readonly watchableDepth: Gauge<'runner'>;
  readonly watchableSubscribeTotal: Counter<'runner' | 'message' | 'status'>;
  readonly watchableSubscribeSeconds: Histogram<'runner' | 'message'>;
  readonly watchablePublishTotal: Counter<'runner' | 'message'>;
  readonly xdsSnapshotCreateTotal: Counter<'status'>;
  readonly xdsSnapshotUpdateTotal: Counter<'nodeID' | 'status'>;
  readonly xdsStreamSeconds: Histogram<'nodeID' | 'streamID' | 'isDeltaStream'>;
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

// Envoy Gateway's buckets for handling and apply times, and for xDS stream lifetimes.
const HANDLING_BUCKETS = [0.001, 0.01, 0.1, 1, 5, 10];
const STREAM_BUCKETS = [0.1, 10, 50, 100, 1000, 10000];

export function createControlPlaneMetrics(registry: Registry): ControlPlaneMetrics {
  const registers = [registry];
  const counter = <L extends string>(name: string, help: string, labelNames: L[]) =>
    new Counter<L>({ name, help, labelNames, registers });
  const histogram = <L extends string>(
    name: string,
    help: string,
    labelNames: L[],
    buckets = HANDLING_BUCKETS,
  ) => new Histogram<L>({ name, help, labelNames, buckets, registers });
  const object = ['kind', 'name', 'namespace'] as const;
  return {
    watchableDepth: new Gauge({
      name: 'watchable_depth',
      help: 'Current depth of watchable map.',
      labelNames: ['runner'],
      registers,
    }),
    watchableSubscribeTotal: counter(
      'watchable_subscribe_total',
      'Total number of subscribed watchable queue.',
      ['runner', 'message', 'status'],
    ),
    watchableSubscribeSeconds: histogram(
      'watchable_subscribe_duration_seconds',
      'How long in seconds a subscribed watchable queue is handled.',
      ['runner', 'message'],
    ),
    watchablePublishTotal: counter(
      'watchable_publish_total',
      'Total number of published event to watchable queue.',
      ['runner', 'message'],
    ),
    xdsSnapshotCreateTotal: counter(
      'xds_snapshot_create_total',
      'Total number of xds snapshot cache creates.',
      ['status'],
    ),
    xdsSnapshotUpdateTotal: counter(
      'xds_snapshot_update_total',
      'Total number of xds snapshot cache updates by node id.',
      ['nodeID', 'status'],
    ),
    xdsStreamSeconds: histogram(
      'xds_stream_duration_seconds',
      'How long a xds stream takes to finish.',
      ['nodeID', 'streamID', 'isDeltaStream'],
      STREAM_BUCKETS,
    ),
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

/**
 * One message a runner handled: counted (`status` success or failure) and timed from `started`
 * (a `performance.now()`).
 */
export const handled = (
  metrics: ControlPlaneMetrics,
  runner: Runner,
  message: string,
  started: number,
  ok = true,
): void => {
  const ended = performance.now();
  metrics.watchableSubscribeTotal.inc({ runner, message, status: ok ? 'success' : 'failure' });
  metrics.watchableSubscribeSeconds.observe({ runner, message }, (ended - started) / 1000);
  metrics.spans?.({
    name: SPAN_NAMES[runner],
    attributes: { runner, message },
    startMs: performance.timeOrigin + started,
    endMs: performance.timeOrigin + ended,
    ok,
  });
};

/**
 * The snapshot cache, counting what Envoy Gateway's xDS cache counts: a group's first snapshot is
 * a create, every one an update of the group's proxies (`nodeID`: the node group here, which is
 * what egts keys snapshots by), each a success or, refused as inconsistent, a failure.
 */
export function countingSnapshotCache(
  cache: SnapshotCache,
  metrics: ControlPlaneMetrics,
): SnapshotCache {
  return {
    ...cache,
    setSnapshot(group, snapshot) {
      const created = cache.getSnapshot(group) === undefined;
      try {
        cache.setSnapshot(group, snapshot);
      } catch (error) {
        if (created) metrics.xdsSnapshotCreateTotal.inc({ status: 'failure' });
        metrics.xdsSnapshotUpdateTotal.inc({ nodeID: group, status: 'failure' });
        throw error;
      }
      if (created) metrics.xdsSnapshotCreateTotal.inc({ status: 'success' });
      metrics.xdsSnapshotUpdateTotal.inc({ nodeID: group, status: 'success' });
    },
  };
}

/** Stream hooks timing each xDS stream from open to close, beside `callbacks`. */
export function timingStreams(callbacks: XdsCallbacks, metrics: ControlPlaneMetrics): XdsCallbacks {
  const opened = new Map<number, number>();
  return {
    ...callbacks,
    onStreamOpen: (stream) => {
      opened.set(stream.streamId, performance.now());
      callbacks.onStreamOpen?.(stream);
    },
    onStreamClose: (stream, error) => {
      const started = opened.get(stream.streamId);
      opened.delete(stream.streamId);
      if (started !== undefined)
        metrics.xdsStreamSeconds.observe(
          {
            nodeID: stream.node?.id ?? '',
            streamID: String(stream.streamId),
            isDeltaStream: String(stream.variant === 'delta'),
          },
          (performance.now() - started) / 1000,
        );
      callbacks.onStreamClose?.(stream, error);
    },
  };
}

/** An object the Kubernetes infrastructure applied or deleted, counted and timed. */
export const countObjectWrite = (
  metrics: ControlPlaneMetrics,
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
export const countStatusUpdate = (metrics: ControlPlaneMetrics, update: StatusUpdate): void => {
  const labels = { kind: update.kind };
  metrics.statusUpdateTotal.inc(labels);
  if (update.conflicts > 0) metrics.statusUpdateConflictTotal.inc(labels, update.conflicts);
  if (update.outcome === 'written' || update.outcome === 'unchanged')
    metrics.statusUpdateSuccessTotal.inc(labels);
  else metrics.statusUpdateFailedTotal.inc(labels);
  if (update.outcome === 'unchanged') metrics.statusUpdateNoopTotal.inc(labels);
  metrics.statusUpdateSeconds.observe(labels, update.seconds);
};
