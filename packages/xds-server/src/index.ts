// @egts/xds-server: an ADS server for Envoy (State-of-the-World and Delta xDS) over immutable,
// per-node-group snapshots.

export type { Ack, Rejection, StreamInfo, XdsCallbacks, XdsVariant } from './callbacks.js';
export { snapshotVersionOf } from './callbacks.js';
export type { LatencyStats } from './internal/pushMetrics.js';
export { TypeUrl, UPDATE_ORDER } from './resourceTypes.js';
export type { XdsServer, XdsServerOptions } from './server.js';
export { createXdsServer } from './server.js';
export type {
  ConsistencyResult,
  Snapshot,
  SnapshotOptions,
  SnapshotResources,
  VersionedResource,
} from './snapshot.js';
export { createSnapshot } from './snapshot.js';
export type { SnapshotCache, SnapshotCacheOptions, SnapshotEntry } from './snapshotCache.js';
export { createSnapshotCache, defaultNodeGroup } from './snapshotCache.js';
export type { TlsFiles } from './tls.js';
