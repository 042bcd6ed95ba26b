// Selects conformance tests (all, some profiles, or by name), runs them one after another through
// egts and real Envoy, and builds the ConformanceReport.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConformanceTest } from './conformanceTest.js';
import { Harness, type TestOutcome } from './internal/harness.js';
import { levelIn, PROFILES } from './profiles.js';
import { buildReport, type ConformanceReport } from './report.js';
import { allTests } from './tests/allTests.js';

export interface RunOptions {
  /** The suite's manifests; default `../shared/gateway-api/conformance` from the repository root. */
  readonly suiteDir?: string;
  /** Profile names; default all three. */
  readonly profiles?: readonly string[];
  /** Only these tests (by name). */
  readonly tests?: readonly string[];
  /** Only core (or extended) tests of the selected profiles. */
  readonly level?: 'core' | 'extended';
  readonly timeoutMs?: number;
  readonly log?: (line: string) => void;
  /** Aborting stops every Envoy and backend at once and ends the run after the current test. */
  readonly signal?: AbortSignal;
}

export interface RunResult {
  readonly outcomes: readonly TestOutcome[];
  readonly report: ConformanceReport;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Where the suite's manifests are, or undefined when this machine has none (a fresh clone). */
export const defaultSuiteDir = (): string | undefined => {
  const dir =
    process.env.EGTS_CONFORMANCE_DIR ??
    join(repoRoot, '..', 'shared', 'gateway-api', 'conformance');
  return existsSync(join(dir, 'base', 'manifests.yaml')) ? dir : undefined;
};

/** The tests the options select, in the suite's order. */
export const selectTests = (options: RunOptions): ConformanceTest[] => {
  const profiles = PROFILES.filter((p) =>
    (options.profiles ?? PROFILES.map((q) => q.name)).includes(p.name),
  );
  return allTests.filter((test) => {
    if (options.tests && !options.tests.includes(test.name)) return false;
    return profiles.some((p) => {
      const level = levelIn(test, p);
      return level !== undefined && (options.level === undefined || level === options.level);
    });
  });
};

export const runConformance = async (options: RunOptions = {}): Promise<RunResult> => {
  const suiteDir = options.suiteDir ?? defaultSuiteDir();
  if (!suiteDir) throw new Error('the Gateway API conformance manifests are not here');
  const log = options.log ?? (() => {});
  const tests = selectTests(options);
  const unknown = (options.tests ?? []).filter((name) => !allTests.some((t) => t.name === name));
  if (unknown.length > 0) throw new Error(`no such conformance test: ${unknown.join(', ')}`);
  const harness = new Harness({
    suiteDir,
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    log,
  });
  const outcomes: TestOutcome[] = [];
  const stop = () => void harness.close();
  options.signal?.addEventListener('abort', stop, { once: true });
  try {
    await harness.start();
    for (const test of tests) {
      if (options.signal?.aborted) break;
      const outcome = await harness.run(test);
      outcomes.push(outcome);
      const mark =
        outcome.result === 'passed' ? 'PASS' : outcome.result === 'failed' ? 'FAIL' : 'SKIP';
      log(`${mark} ${test.name} (${outcome.ms} ms)${outcome.reason ? `: ${outcome.reason}` : ''}`);
    }
  } finally {
    options.signal?.removeEventListener('abort', stop);
    await harness.close();
  }
  const report = buildReport(tests, outcomes, {
    version: '0.0.0',
    gatewayAPIVersion: 'v1.6.1',
    profiles: options.profiles ?? PROFILES.map((p) => p.name),
  });
  return { outcomes, report };
};
