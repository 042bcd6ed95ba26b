// @egts/gateway: the app that wires egts's libraries, and its CLI.
export { createMetrics, type Metrics } from './admin/metrics.js';
export { createCli } from './cli/createCli.js';
export { createPipeline, type Pipeline, type PipelineOptions } from './pipeline/createPipeline.js';
export type { ProviderSnapshot } from './pipeline/ports.js';
