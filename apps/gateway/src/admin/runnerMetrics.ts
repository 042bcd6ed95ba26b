// Envoy Gateway's `watchable_*` metrics: how each watching component (`runner`: gateway-api,
// infrastructure, xds-translator) handles the messages it subscribes to. With tracing on, each
// handled message is a span too.
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

export interface RunnerMetrics {
  /** Where handled messages go as spans, once tracing is configured. */
  spans?: SpanRecorder | undefined;
  readonly watchableDepth: Gauge<'runner'>;
  readonly watchableSubscribeTotal: Counter<'runner' | 'message' | 'status'>;
  readonly watchableSubscribeSeconds: Histogram<'runner' | 'message'>;
  readonly watchablePublishTotal: Counter<'runner' | 'message'>;
}

/** Envoy Gateway's buckets for handling times; it times object writes and status updates so too. */
export const HANDLING_BUCKETS = [0.001, 0.01, 0.1, 1, 5, 10];

export function createRunnerMetrics(registry: Registry): RunnerMetrics {
  const registers = [registry];
  return {
    watchableDepth: new Gauge({
      name: 'watchable_depth',
      help: 'Current depth of watchable map.',
      labelNames: ['runner'],
      registers,
    }),
    watchableSubscribeTotal: new Counter({
      name: 'watchable_subscribe_total',
      help: 'Total number of subscribed watchable queue.',
      labelNames: ['runner', 'message', 'status'],
      registers,
    }),
    watchableSubscribeSeconds: new Histogram({
      name: 'watchable_subscribe_duration_seconds',
      help: 'How long in seconds a subscribed watchable queue is handled.',
      labelNames: ['runner', 'message'],
      buckets: HANDLING_BUCKETS,
      registers,
    }),
    watchablePublishTotal: new Counter({
      name: 'watchable_publish_total',
      help: 'Total number of published event to watchable queue.',
      labelNames: ['runner', 'message'],
      registers,
    }),
  };
}

/**
 * One message a runner handled: counted (`status` success or failure) and timed from `started`
 * (a `performance.now()`).
 */
export const handled = (
  metrics: RunnerMetrics,
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
