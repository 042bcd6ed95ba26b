// What Envoy Gateway's telemetry e2e tests ask the add-ons (Loki for logs, Tempo for traces),
// asked of the stand-in collector instead (telemetryAddon.ts), and their common request pattern
// (accesslog.go runLogTest, test/utils/tracing ExpectedTraceCount): count what was received,
// make the request until it answers consistently, and wait until the count moved.
import type { HttpExpectation, TestHarness } from '../../conformanceTest.js';
import type { ReceivedSpan, ReceivedTelemetry } from '../../internal/otlpReceiver.js';
import { RECEIVED_URL } from '../../internal/telemetryAddon.js';

/** Everything the collector received so far. */
export const received = async (harness: TestHarness): Promise<ReceivedTelemetry> => {
  const response = await harness.fetchInCluster(RECEIVED_URL);
  if (!response.ok) throw new Error(`${RECEIVED_URL}: status ${response.status}`);
  return (await response.json()) as ReceivedTelemetry;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How long telemetry may take to arrive: Envoy flushes traces every 5 s, logs every second. */
const ARRIVAL_MS = 60_000;

/**
 * The upstream runLogTest / ExpectedTraceCount: `count` before, the request until it answers
 * consistently, then `count` again until it rose by at least `delta`.
 */
export const expectCountRises = async (
  harness: TestHarness,
  label: string,
  count: () => Promise<number>,
  request: HttpExpectation,
  delta = 1,
): Promise<void> => {
  const before = await count();
  await harness.expectRequests([request]);
  const deadline = performance.now() + ARRIVAL_MS;
  let now = before;
  while (performance.now() < deadline) {
    now = await count();
    if (now - before >= delta) return;
    await sleep(500);
  }
  throw new Error(`${label}: count ${before} -> ${now} after the request, want +${delta}`);
};

/**
 * The upstream negative cases ("envoy will not log this request", expectNoTraceCountIncrease):
 * the unmatched request is made, then a matched one as a marker; once the marker arrived, nothing
 * of the unmatched request may have. (Upstream only waits 15 s and sees no increase; the marker
 * makes the check independent of how long the flush takes.) A marker sent by another proxy
 * says nothing of this one's flush: `settleMs` then waits one flush interval more.
 */
export const expectNothingBefore = async (
  harness: TestHarness,
  label: string,
  count: () => Promise<{ unmatched: number; marker: number }>,
  unmatched: HttpExpectation,
  marker: HttpExpectation,
  settleMs = 0,
): Promise<void> => {
  const before = await count();
  await harness.expectRequests([unmatched]);
  await harness.expectRequests([marker]);
  const deadline = performance.now() + ARRIVAL_MS;
  let now = before;
  while (performance.now() < deadline) {
    now = await count();
    if (now.marker > before.marker) break;
    await sleep(500);
  }
  if (now.marker <= before.marker) throw new Error(`${label}: the marker request never arrived`);
  if (settleMs > 0) {
    await sleep(settleMs);
    now = await count();
  }
  if (now.unmatched > before.unmatched)
    throw new Error(
      `${label}: ${now.unmatched - before.unmatched} records of the request that must not be sent`,
    );
};

/** Spans whose attributes or resource attributes hold every tag (Tempo's tag search). */
export const spansWith = (
  spans: readonly ReceivedSpan[],
  tags: Readonly<Record<string, string>>,
): number =>
  spans.filter((span) =>
    Object.entries(tags).every(([key, value]) =>
      key === 'name' ? span.name === value : (span.attributes[key] ?? span.resource[key]) === value,
    ),
  ).length;
