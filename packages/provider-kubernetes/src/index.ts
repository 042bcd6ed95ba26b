// @egts/provider-kubernetes: watch the API server (informers for every input kind), publish
// Resources snapshots, write status back through the status subresource, elect a leader with a Lease.

export type { ReflectorStats } from './internal/reflector.js';
export type { ComputedStatus, StatusUpdate, WriteOutcome } from './internal/statusWriter.js';
export type {
  KubernetesProvider,
  KubernetesProviderOptions,
  KubernetesSnapshot,
  ProviderHealth,
  WatchMode,
} from './kubernetesProvider.js';
export { createKubernetesProvider } from './kubernetesProvider.js';
export type { LeaderElection, LeaderElectionOptions } from './leaderElection.js';
export { startLeaderElection } from './leaderElection.js';
export type { KubeObject, ObjectWatch, WatchObjectsOptions } from './watchObjects.js';
export { watchObjects } from './watchObjects.js';
