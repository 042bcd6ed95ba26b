// Snapshots by node group (the Gateway a proxy serves), with change notification for streams.
// Contract: a snapshot is immutable; setting one replaces the group's snapshot atomically.
import type { Node } from '@egts/envoy-api';
import type { Snapshot } from './snapshot.js';

/** A snapshot with the time it was set, the start of push latency (set -> ACK). */
export interface SnapshotEntry {
  readonly snapshot: Snapshot;
  /** `performance.now()` when it was set. */
  readonly setAt: number;
}

export interface SnapshotCache {
  /** The node group a proxy belongs to: every proxy of a group is served the same snapshot. */
  nodeGroup(node: Node): string;
  /**
   * Replaces the group's snapshot and notifies its streams. Throws when the snapshot is not
   * `consistent()`, unless the cache was created with `allowInconsistent`.
   */
  setSnapshot(group: string, snapshot: Snapshot): void;
  getSnapshot(group: string): SnapshotEntry | undefined;
  /** Drops the group's snapshot; connected proxies keep what they have. */
  clearSnapshot(group: string): void;
  /** Calls `listener` (synchronously) on every `setSnapshot` of the group; returns unsubscribe. */
  watch(group: string, listener: (entry: SnapshotEntry) => void): () => void;
  groups(): readonly string[];
  /** Whether a stream follows the group: a proxy of it has connected and sent a request. */
  watched(group: string): boolean;
}

export interface SnapshotCacheOptions {
  /** Default: the node's `cluster` (Envoy `--service-cluster`), or its `id` when that is empty. */
  readonly nodeGroup?: (node: Node) => string;
  /** Accept snapshots whose `consistent()` fails (Envoy may then warm or 503 until fixed). */
  readonly allowInconsistent?: boolean;
}

export const defaultNodeGroup = (node: Node): string =>
  node.cluster !== '' ? node.cluster : node.id;

export const createSnapshotCache = (options: SnapshotCacheOptions = {}): SnapshotCache => {
  const snapshots = new Map<string, SnapshotEntry>();
  const watchers = new Map<string, Set<(entry: SnapshotEntry) => void>>();
  return {
    nodeGroup: options.nodeGroup ?? defaultNodeGroup,
    setSnapshot(group, snapshot) {
      if (options.allowInconsistent !== true) {
        const { consistent, problems } = snapshot.consistent();
        if (!consistent)
          throw new Error(`inconsistent snapshot for ${group}:\n  ${problems.join('\n  ')}`);
      }
      const entry = { snapshot, setAt: performance.now() };
      snapshots.set(group, entry);
      for (const listener of [...(watchers.get(group) ?? [])]) listener(entry);
    },
    getSnapshot: (group) => snapshots.get(group),
    clearSnapshot: (group) => {
      snapshots.delete(group);
    },
    watch(group, listener) {
      let set = watchers.get(group);
      if (set === undefined) {
        set = new Set();
        watchers.set(group, set);
      }
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) watchers.delete(group);
      };
    },
    groups: () => [...snapshots.keys()],
    watched: (group) => (watchers.get(group)?.size ?? 0) > 0,
  };
};
