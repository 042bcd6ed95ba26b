// Prometheus metrics of the control plane (prom-client): what was translated and how long it
// took, snapshots pushed, ACK/NACK counts and push latency (snapshot set -> ACK); and, under
// Envoy Gateway's names, the events it counts too (controlPlaneMetrics.ts).
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { type ControlPlaneMetrics, createControlPlaneMetrics } from './controlPlaneMetrics.js';

export interface Metrics {
  readonly registry: Registry;
  readonly resourcesTranslated: Gauge;
  readonly translationSeconds: Histogram;
  readonly xdsTranslationSeconds: Histogram;
  readonly translationErrors: Counter;
  readonly snapshotsPushed: Counter<'gateway'>;
  readonly xdsAcks: Counter<'type_url'>;
  readonly xdsNacks: Counter<'type_url'>;
  readonly pushLatencySeconds: Histogram<'type_url'>;
  readonly proxyRestarts: Counter<'proxy'>;
  /** Envoy Gateway's control plane metrics. */
  readonly controlPlane: ControlPlaneMetrics;
}

const latencyBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export function createMetrics(): Metrics {
  const registry = new Registry();
  const opts = { registers: [registry] };
  return {
    registry,
    resourcesTranslated: new Gauge({
      name: 'egts_resources_translated',
      help: 'Input resources in the latest translation',
      ...opts,
    }),
    translationSeconds: new Histogram({
      name: 'egts_translation_duration_seconds',
      help: 'Time to translate Gateway API resources to IR and statuses',
      buckets: latencyBuckets,
      ...opts,
    }),
    xdsTranslationSeconds: new Histogram({
      name: 'egts_xds_translation_duration_seconds',
      help: 'Time to translate one Gateway IR to Envoy resources and set its snapshot',
      buckets: latencyBuckets,
      ...opts,
    }),
    translationErrors: new Counter({
      name: 'egts_translation_errors_total',
      help: 'Translations that failed (the last good output was kept)',
      ...opts,
    }),
    snapshotsPushed: new Counter({
      name: 'egts_xds_snapshots_total',
      help: 'xDS snapshots set, by Gateway',
      labelNames: ['gateway'],
      ...opts,
    }),
    xdsAcks: new Counter({
      name: 'egts_xds_acks_total',
      help: 'xDS responses Envoy accepted',
      labelNames: ['type_url'],
      ...opts,
    }),
    xdsNacks: new Counter({
      name: 'egts_xds_nacks_total',
      help: 'xDS responses Envoy rejected',
      labelNames: ['type_url'],
      ...opts,
    }),
    pushLatencySeconds: new Histogram({
      name: 'egts_xds_push_latency_seconds',
      help: 'Time from a snapshot being set to the proxy ACKing it, by resource type',
      labelNames: ['type_url'],
      buckets: latencyBuckets,
      ...opts,
    }),
    proxyRestarts: new Counter({
      name: 'egts_proxy_restarts_total',
      help: 'Envoy proxies restarted after they exited',
      labelNames: ['proxy'],
      ...opts,
    }),
    controlPlane: createControlPlaneMetrics(registry),
  };
}
