// Envoy Gateway's `xds_*` metrics: the xDS server's snapshot cache (creates and updates by node)
// and how long each xDS stream lasts.
import type { SnapshotCache, XdsCallbacks } from '@egts/xds-server';
import { Counter, Histogram, type Registry } from 'prom-client';

export interface XdsServerMetrics {
  readonly xdsSnapshotCreateTotal: Counter<'status'>;
  readonly xdsSnapshotUpdateTotal: Counter<'nodeID' | 'status'>;
  readonly xdsStreamSeconds: Histogram<'nodeID' | 'streamID' | 'isDeltaStream'>;
}

// Envoy Gateway's buckets for xDS stream lifetimes.
const STREAM_BUCKETS = [0.1, 10, 50, 100, 1000, 10000];

export function createXdsServerMetrics(registry: Registry): XdsServerMetrics {
  const registers = [registry];
  return {
    xdsSnapshotCreateTotal: new Counter({
      name: 'xds_snapshot_create_total',
      help: 'Total number of xds snapshot cache creates.',
      labelNames: ['status'],
      registers,
    }),
    xdsSnapshotUpdateTotal: new Counter({
      name: 'xds_snapshot_update_total',
      help: 'Total number of xds snapshot cache updates by node id.',
      labelNames: ['nodeID', 'status'],
      registers,
    }),
    xdsStreamSeconds: new Histogram({
      name: 'xds_stream_duration_seconds',
      help: 'How long a xds stream takes to finish.',
      labelNames: ['nodeID', 'streamID', 'isDeltaStream'],
      buckets: STREAM_BUCKETS,
      registers,
    }),
  };
}

/**
 * The snapshot cache, counting what Envoy Gateway's xDS cache counts: a group's first snapshot is
 * a create, every one an update of the group's proxies (`nodeID`: the node group here, which is
 * what egts keys snapshots by), each a success or, refused as inconsistent, a failure.
 */
export function countingSnapshotCache(
  cache: SnapshotCache,
  metrics: XdsServerMetrics,
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
export function timingStreams(callbacks: XdsCallbacks, metrics: XdsServerMetrics): XdsCallbacks {
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
