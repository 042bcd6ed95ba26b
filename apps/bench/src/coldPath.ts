// The cold path, measured as a user meets it: whole `egts` processes (node running the built CLI,
// no pnpm) from start to exit, `egts run` from start to the first correct answer through Envoy,
// and a restart in place after a crash back to Envoy serving what changed meanwhile. Beside the
// in-process figures, these say what module loading, YAML decoding, schema validation and output
// cost around the translator.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allObjects, type Scenario, toText } from './scenarios.js';
import { cpuMsOf, envoyChildrenOf, median, round } from './stats.js';
import { egtsCommand, startHarness } from './throughEnvoy.js';

/** Preloaded into each measured process: reports its peak RSS and CPU time on exit (its own rusage). */
const MAX_RSS_REPORTER = join(dirname(fileURLToPath(import.meta.url)), 'reportMaxRss.cjs');
const MAX_RSS_MARK = 'egts-bench-max-rss-kib ';
const CPU_MARK = 'egts-bench-cpu-us ';

interface ProcessRun {
  ms: number;
  cpuMs: number;
  peakMiB: number;
  status: number | null;
}

/** The number after the last `mark` in `text`, NaN when absent. */
const reported = (text: string, mark: string): number => {
  const at = text.lastIndexOf(mark);
  return at === -1 ? Number.NaN : Number.parseInt(text.slice(at + mark.length), 10);
};

function runProcess(args: readonly string[]): ProcessRun {
  const started = performance.now();
  const run = spawnSync(process.execPath, ['--require', MAX_RSS_REPORTER, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const ms = performance.now() - started;
  return {
    ms,
    cpuMs: reported(run.stderr, CPU_MARK) / 1000,
    peakMiB: reported(run.stderr, MAX_RSS_MARK) / 1024,
    status: run.status,
  };
}

export interface CliRow {
  command: string;
  input: string;
  medianMs: number;
  minMs: number;
  /** CPU time (user + system) of the process, median: what the command costs, load aside. */
  cpuMs: number;
  peakMiB: number;
}

function measure(command: string, input: string, args: readonly string[], runs: number): CliRow {
  const samples = Array.from({ length: runs }, () => runProcess(args));
  const failed = samples.find((s) => s.status !== 0 && s.status !== 1);
  if (failed) throw new Error(`${command} ${input}: exited ${failed.status}`);
  return {
    command,
    input,
    medianMs: round(median(samples.map((s) => s.ms))),
    minMs: round(Math.min(...samples.map((s) => s.ms))),
    cpuMs: round(median(samples.map((s) => s.cpuMs))),
    peakMiB: round(median(samples.map((s) => s.peakMiB))),
  };
}

/**
 * `node -e 0` (what the machine charges for any node process), `egts --version`, then `validate`,
 * `translate -o status` and `translate -o xds` on each scenario written as one file, and
 * `validate` and `translate -o xds` on the largest HTTP scenario as a directory of files.
 */
export function cliRuns(scenarios: readonly Scenario[], runs: number, source = false): CliRow[] {
  const egts = egtsCommand(source);
  const dir = mkdtempSync(join(tmpdir(), 'egts-bench-cli-'));
  try {
    const rows = [
      measure('node -e 0', '', ['-e', '0'], runs),
      measure('egts --version', '', [...egts, '--version'], runs),
    ];
    for (const scenario of scenarios) {
      const file = join(dir, `${scenario.name}.yaml`);
      writeFileSync(file, toText(allObjects(scenario)));
      for (const command of [
        ['validate'],
        ['translate', '-o', 'status'],
        ['translate', '-o', 'xds'],
      ]) {
        rows.push(
          measure(
            `egts ${command.join(' ')}`,
            scenario.name,
            [...egts, ...command, '-f', file],
            runs,
          ),
        );
      }
    }
    // The largest HTTP scenario as a directory too, one file per route (as a GitOps repository
    // holds them): what reading many files costs beside decoding one.
    const largest = scenarios.filter((s) => s.name.startsWith('http-')).at(-1);
    if (largest !== undefined) {
      const routes = join(dir, `${largest.name}-dir`);
      mkdirSync(routes);
      writeFileSync(join(routes, 'base.yaml'), toText([...largest.base, ...largest.services]));
      largest.routes.forEach((route, i) => {
        writeFileSync(join(routes, `route-${String(i).padStart(6, '0')}.yaml`), toText([route]));
      });
      for (const command of [['validate'], ['translate', '-o', 'xds']]) {
        const input = `${largest.name} (dir, ${largest.routes.length + 1} files)`;
        const args = [...egts, ...command, '-f', routes];
        rows.push(measure(`egts ${command.join(' ')}`, input, args, runs));
      }
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface ColdStartRow {
  routes: number;
  /** `kept`: the state directory of earlier runs (their certificates); `new`: a first start. */
  state: 'kept' | 'new';
  /** `egts run -f DIR` started -> the last route answers 200 through Envoy (Envoy's start included). */
  medianMs: number;
  minMs: number;
  /** Median split: egts started -> its clusters pushed ahead ("clusters set"), for Envoy to apply meanwhile. */
  toClustersMs: number;
  /** Median split: egts started -> its first "snapshot set" log line (the rest is mostly Envoy). */
  toSnapshotMs: number;
  /** CPU time egts and its Envoy used until then (medians): what the start costs, load aside. */
  egtsCpuMs: number;
  envoyCpuMs: number;
}

/**
 * Server cold start in each case: `egts run -f DIR` to the first correct answer through Envoy, with
 * the state directory of earlier runs, or a new one (`firstStart`).
 */
export async function coldStarts(
  cases: readonly { routes: number; firstStart?: boolean }[],
  runs: number,
): Promise<ColdStartRow[]> {
  const rows: ColdStartRow[] = [];
  for (const { routes, firstStart = false } of cases) {
    const samples: number[] = [];
    const toClusters: number[] = [];
    const toSnapshot: number[] = [];
    const egtsCpu: number[] = [];
    const envoyCpu: number[] = [];
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      const startedAt = Date.now();
      const harness = await startHarness(routes, { firstStart });
      samples.push(performance.now() - started);
      const set = harness.snapshotsSet[0];
      if (set !== undefined) toSnapshot.push(set - startedAt);
      const clusters = harness.clustersSet[0];
      if (clusters !== undefined) toClusters.push(clusters - startedAt);
      egtsCpu.push(cpuMsOf(harness.egtsPid));
      envoyCpu.push(
        envoyChildrenOf(harness.egtsPid).reduce((sum, envoy) => sum + cpuMsOf(envoy), 0),
      );
      await harness.close();
    }
    rows.push({
      routes,
      state: firstStart ? 'new' : 'kept',
      medianMs: round(median(samples)),
      minMs: round(Math.min(...samples)),
      toClustersMs: round(median(toClusters)),
      toSnapshotMs: round(median(toSnapshot)),
      egtsCpuMs: median(egtsCpu),
      envoyCpuMs: median(envoyCpu),
    });
  }
  return rows;
}

export interface RestartRow {
  routes: number;
  /**
   * egts killed (SIGKILL, Envoy left serving), one route edited meanwhile, egts started again ->
   * the edited route answers with its new content through Envoy.
   */
  medianMs: number;
  minMs: number;
  /** Median split: egts started -> its "snapshot set" log line (the rest is Envoy reconnecting). */
  toSnapshotMs: number;
  /** CPU time the restarted egts used until the edit was served (median). */
  egtsCpuMs: number;
  /** Requests to an unchanged route during the crash and restart, and how many were not 200. */
  requests: number;
  errors: number;
}

/**
 * Restart to a consistent push at each scale: the state a crash leaves (Envoy serving, egts gone,
 * the files changed meanwhile) back to Envoy serving the new content, with traffic all along.
 */
export async function restarts(scales: readonly number[], runs: number): Promise<RestartRow[]> {
  const rows: RestartRow[] = [];
  for (const routes of scales) {
    const harness = await startHarness(routes, { restartable: true });
    const samples: number[] = [];
    const toSnapshot: number[] = [];
    const egtsCpu: number[] = [];
    let requests = 0;
    let errors = 0;
    try {
      const last = routes - 1;
      for (let run = 1; run <= runs; run++) {
        let stop = false;
        const traffic = (async () => {
          while (!stop) {
            const response = await harness.get(0);
            requests++;
            if (response.status !== 200) errors++;
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        })();
        await harness.crash();
        harness.write(
          'routes.yaml',
          harness.routes(routes, (i) => (i === last ? run : 0)),
        );
        const started = performance.now();
        const startedAt = Date.now();
        harness.restart();
        await harness.waitFor(last, (r) => r.body.endsWith(` ${run}`), 180_000);
        samples.push(performance.now() - started);
        egtsCpu.push(cpuMsOf(harness.egtsPid));
        const set = harness.snapshotsSet.find((t) => t >= startedAt);
        if (set !== undefined) toSnapshot.push(set - startedAt);
        stop = true;
        await traffic;
      }
    } finally {
      await harness.close();
    }
    rows.push({
      routes,
      medianMs: round(median(samples)),
      minMs: round(Math.min(...samples)),
      toSnapshotMs: round(median(toSnapshot)),
      egtsCpuMs: median(egtsCpu),
      requests,
      errors,
    });
  }
  return rows;
}
