// The control plane's own metrics under Envoy Gateway's names, where egts has the same event
// (Envoy Gateway's "Gateway Exported Metrics"): the watching components (`watchable_*`,
// runnerMetrics.ts), the xDS server's snapshot cache and streams (`xds_*`, xdsServerMetrics.ts)
// and what is written to Kubernetes (`resource_*`, `status_update_*`, kubernetesWriteMetrics.ts).
// They sit in the admin registry beside egts's own `egts_*` metrics.
import type { Registry } from 'prom-client';
import {
  createKubernetesWriteMetrics,
  type KubernetesWriteMetrics,
} from './kubernetesWriteMetrics.js';
import { createRunnerMetrics, type RunnerMetrics } from './runnerMetrics.js';
import { createXdsServerMetrics, type XdsServerMetrics } from './xdsServerMetrics.js';

export { countObjectWrite, countStatusUpdate } from './kubernetesWriteMetrics.js';
export { handled, type Runner, type SpanRecorder } from './runnerMetrics.js';
export { countingSnapshotCache, timingStreams } from './xdsServerMetrics.js';

export type ControlPlaneMetrics = RunnerMetrics & XdsServerMetrics & KubernetesWriteMetrics;

export const createControlPlaneMetrics = (registry: Registry): ControlPlaneMetrics => ({
  ...createRunnerMetrics(registry),
  ...createXdsServerMetrics(registry),
  ...createKubernetesWriteMetrics(registry),
});
