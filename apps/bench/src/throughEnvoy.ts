// Measures through real Envoy: `egts run -f DIR` (file provider, local Envoy, xDS) on 127.0.0.1
// with a local backend. Propagation (file written -> first correct response), errors while a
// route is edited under constant traffic, and egts's RSS at each scale and after scaling down.

import { type ChildProcess, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from '@egts/envoy-binary';
import { httpRouteObject, httpScenario, type Json, resolveOptions, toText } from './scenarios.js';
import { median, percentile, round, rssOf } from './stats.js';

const gatewayApp = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'gateway');

/** One Gateway: one Envoy, so the measure is not about starting several proxies on 2 cores. */
const GATEWAYS = 1;

/**
 * How egts is started: the built app (`pnpm bench` builds it first) as it would run in production,
 * or, with `source`, the sources through tsx (which adds tsx's own memory to RSS).
 */
export const egtsCommand = (source: boolean): string[] => {
  const built = join(gatewayApp, 'dist', 'cli.js');
  if (!source && existsSync(built)) return [built];
  return ['--conditions=@egts/source', '--import', 'tsx', join(gatewayApp, 'src', 'cli.ts')];
};
let command = egtsCommand(false);
export const useSources = (source: boolean) => {
  command = egtsCommand(source);
};

export interface Harness {
  readonly listenerPort: number;
  readonly egtsPid: number;
  /** Writes `name` atomically (write + rename), as an editor or kubectl-like tool would. */
  write(name: string, objects: readonly Json[]): void;
  routes(count: number, version?: (i: number) => number): Json[];
  get(i: number): Promise<{ status: number; body: string }>;
  /** Polls route i until `ok`; returns ms, and counts every response that is not 200/404. */
  waitFor(
    i: number,
    ok: (r: { status: number; body: string }) => boolean,
    timeoutMs?: number,
  ): Promise<number>;
  errors: number;
  /** Wall-clock times (ms since epoch) of egts's "snapshot set" log lines. */
  readonly snapshotsSet: number[];
  /** The same of its "clusters set" lines (a Gateway's clusters pushed ahead, on a cold start). */
  readonly clustersSet: number[];
  /**
   * Envoy's own time to apply an RDS update (its `rds.<name>.update_duration` histogram, P50 over
   * the run in ms, interpolated in Envoy's buckets), read through egts's admin `/proxies`.
   */
  envoyRdsUpdateP50Ms(): Promise<number | undefined>;
  /** Kills egts with SIGKILL (what a crash does), leaving its Envoy running; resolves once gone. */
  crash(): Promise<void>;
  /** Starts egts again with the same files, xDS address and state (after `crash`). */
  restart(): void;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /**
   * A fixed xDS port and a state directory of its own (certificates, proxy records), as a server
   * restarted in place has: what `crash` and `restart` need. Default: any free port, the default
   * state directory.
   */
  restartable?: boolean;
  /**
   * A new state directory: egts starts as on a machine it never ran on, making its xDS
   * certificates first. Default: the default state directory, certificates kept from earlier runs.
   */
  firstStart?: boolean;
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Stops the Envoys egts recorded in its state directory (host mode's records, one JSON file per
 * proxy with its pid): after a crash with no restart, nothing of the bench is left running.
 */
const stopRecordedProxies = async (stateDir: string): Promise<void> => {
  const records = join(stateDir, 'proxies');
  if (!existsSync(records)) return;
  for (const name of readdirSync(records).filter((n) => n.endsWith('.json'))) {
    const { pid } = JSON.parse(readFileSync(join(records, name), 'utf8')) as { pid: number };
    if (!isAlive(pid)) continue;
    process.kill(pid, 'SIGTERM');
    const deadline = performance.now() + 10_000;
    while (isAlive(pid) && performance.now() < deadline) await sleep(50);
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
};

/**
 * Envoy's own P50 time applying an RDS update (ms, interpolated in Envoy's histogram buckets), from
 * the `rds.<name>.update_duration` histogram of the first proxy egts's admin `/proxies` lists.
 */
const envoyRdsUpdateP50Ms = async (egtsAdminPort: number | undefined) => {
  if (egtsAdminPort === undefined) return undefined;
  // Envoy merges its workers' histograms at each stats flush (every 5 s by default): wait for
  // one after the last update.
  await sleep(5_500);
  const proxies = (await (await fetch(`http://127.0.0.1:${egtsAdminPort}/proxies`)).json()) as {
    adminAddress: string;
  }[];
  const envoyAdmin = proxies[0]?.adminAddress;
  if (envoyAdmin === undefined) return undefined;
  const filter = encodeURIComponent('rds\\..*update_duration');
  const stats = (await (
    await fetch(`http://${envoyAdmin}/stats?format=json&filter=${filter}`)
  ).json()) as {
    stats: {
      histograms?: {
        supported_quantiles: number[];
        computed_quantiles: { name: string; values: { cumulative: number | null }[] }[];
      };
    }[];
  };
  const histograms = stats.stats.find((stat) => stat.histograms)?.histograms;
  const p50 = histograms?.supported_quantiles.indexOf(50) ?? -1;
  const value = histograms?.computed_quantiles[0]?.values[p50]?.cumulative;
  return typeof value === 'number' ? round(value) : undefined;
};

/**
 * A change's latency split at egts's "snapshot set" log line: file written -> snapshot set (egts),
 * and snapshot set -> served through Envoy. Changes whose line has not arrived are left out.
 */
const snapshotSplit = (snapshotsSet: readonly number[]) => {
  const toSnapshot: number[] = [];
  const toEnvoy: number[] = [];
  return {
    /** One change, written at `writtenAt` (ms since epoch) and served `ms` later. */
    add(writtenAt: number, ms: number) {
      const set = snapshotsSet.find((t) => t >= writtenAt);
      if (set === undefined) return;
      toSnapshot.push(set - writtenAt);
      toEnvoy.push(writtenAt + ms - set);
    },
    medians: () => ({
      toSnapshotP50Ms: round(median(toSnapshot)),
      snapshotToEnvoyP50Ms: round(median(toEnvoy)),
    }),
  };
};

export const startHarness = async (
  initialRoutes: number,
  harnessOptions: HarnessOptions = {},
): Promise<Harness> => {
  // The file provider watches the parent of what it is given (to see it deleted and created
  // again): a directory of its own, so other processes' temp files in /tmp cost nothing here.
  const home = mkdtempSync(join(tmpdir(), 'egts-bench-'));
  const dir = join(home, 'resources');
  mkdirSync(dir);
  const backend: Server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`${req.url} ${req.headers['x-version'] ?? '0'}`);
  });
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  const backendPort = (backend.address() as AddressInfo).port;
  const listenerPort = await freePort();
  const scenario = httpScenario({
    routes: initialRoutes,
    gateways: GATEWAYS,
    listenerPort,
    backend: { address: '127.0.0.1', port: backendPort },
  });
  const options = resolveOptions({ routes: initialRoutes, gateways: GATEWAYS });
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  let tmp = 0;
  const write = (name: string, objects: readonly Json[]) => {
    const path = join(dir, name);
    const staging = join(dir, `.${name}.${tmp++}.tmp`);
    writeFileSync(staging, toText(objects));
    renameSync(staging, path);
  };
  write('base.yaml', [...scenario.base, ...scenario.services]);
  write('routes.yaml', scenario.routes);

  const xdsPort = harnessOptions.restartable ? await freePort() : 0;
  const stateDir =
    harnessOptions.restartable || harnessOptions.firstStart
      ? mkdtempSync(join(tmpdir(), 'egts-bench-state-'))
      : undefined;
  const logs: string[] = [];
  const snapshotsSet: number[] = [];
  const clustersSet: number[] = [];
  let adminPort: number | undefined;
  const spawnEgts = (): ChildProcess => {
    const child = spawn(
      process.execPath,
      [
        ...(process.env.EGTS_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
        ...command,
        'run',
        '-f',
        dir,
        '--xds-address',
        `127.0.0.1:${xdsPort}`,
        '--admin-address',
        '127.0.0.1:0',
        '--log-level',
        'info',
      ],
      {
        cwd: gatewayApp,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: stateDir ? { ...process.env, EGTS_STATE_DIR: stateDir } : process.env,
      },
    );
    let partial = '';
    const onLog = (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (line.includes('"admin API listening"')) {
          adminPort = (JSON.parse(line) as { port?: number }).port;
        } else if (line.includes('"snapshot set"') || line.includes('"clusters set')) {
          const time = (JSON.parse(line) as { time?: number }).time;
          if (time !== undefined)
            (line.includes('"snapshot set"') ? snapshotsSet : clustersSet).push(time);
        } else if (/"level":(40|50|60)/.test(line)) {
          logs.push(line);
          if (logs.length > 50) logs.shift();
        }
      }
    };
    child.stdout?.on('data', onLog);
    child.stderr?.on('data', onLog);
    return child;
  };
  let egts = spawnEgts();
  const running = () => egts.exitCode === null && egts.signalCode === null;
  const stop = async (signal: NodeJS.Signals) => {
    if (!running()) return;
    const exited = new Promise((resolve) => egts.once('exit', resolve));
    egts.kill(signal);
    const timer = setTimeout(() => egts.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  const harness: Harness = {
    listenerPort,
    get egtsPid() {
      return egts.pid!;
    },
    errors: 0,
    snapshotsSet,
    clustersSet,
    envoyRdsUpdateP50Ms: () => envoyRdsUpdateP50Ms(adminPort),
    write,
    routes: (count, version = () => 0) =>
      Array.from({ length: count }, (_, i) => httpRouteObject(i, options, version(i))),
    get: (i) =>
      new Promise((resolve) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: listenerPort,
            path: `/r${i}`,
            headers: { host: `app${i % 50}.example.com` },
            agent,
            timeout: 2000,
          },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (d: string) => {
              body += d;
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', () => resolve({ status: 0, body: '' }));
        req.end();
      }),
    async waitFor(i, ok, timeoutMs = 30_000) {
      const started = performance.now();
      while (performance.now() - started < timeoutMs) {
        const response = await harness.get(i);
        if (response.status !== 200 && response.status !== 404) harness.errors++;
        if (ok(response)) return performance.now() - started;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      throw new Error(`route ${i} not as expected after ${timeoutMs} ms\n${logs.join('')}`);
    },
    crash: () => stop('SIGKILL'),
    restart() {
      if (running()) throw new Error('restart: egts is still running');
      egts = spawnEgts();
    },
    async close() {
      agent.destroy();
      await stop('SIGTERM');
      if (stateDir) {
        await stopRecordedProxies(stateDir);
        rmSync(stateDir, { recursive: true, force: true });
      }
      await new Promise((resolve) => backend.close(resolve));
      rmSync(home, { recursive: true, force: true });
    },
  };
  try {
    // Envoy listening and the last route served: the start is done. Connection errors before
    // that are Envoy starting, not errors of the control plane.
    const last = initialRoutes - 1;
    const started = performance.now();
    while ((await harness.get(last)).status !== 200) {
      if (!running()) throw new Error(`egts exited\n${logs.join('')}`);
      if (performance.now() - started > 120_000)
        throw new Error(`egts did not serve\n${logs.join('')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } catch (error) {
    await harness.close();
    throw error;
  }
  return harness;
};

export interface PropagationResult {
  existingRoutes: number;
  added: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
  /** Median split: file written -> snapshot set in egts, and snapshot set -> first 200 through Envoy. */
  toSnapshotP50Ms: number;
  snapshotToEnvoyP50Ms: number;
  /** Envoy's own median time applying the RouteConfiguration (see the harness). */
  envoyRdsUpdateP50Ms: number | undefined;
}

/** Routes added one at a time (one file each) on top of `existing`: file written -> first 200. */
export const propagation = async (existing: number, added: number): Promise<PropagationResult> => {
  const harness = await startHarness(existing);
  try {
    const all = harness.routes(existing + added);
    const samples: number[] = [];
    const split = snapshotSplit(harness.snapshotsSet);
    for (let k = 0; k < added; k++) {
      const i = existing + k;
      const written = Date.now();
      harness.write(`added-${i}.yaml`, [all[i]!]);
      const ms = await harness.waitFor(i, (r) => r.status === 200 && r.body.startsWith(`/r${i} `));
      samples.push(ms);
      split.add(written, ms);
      await new Promise((resolve) => setTimeout(resolve, 20)); // let the log line arrive
    }
    return {
      existingRoutes: existing,
      added,
      p50Ms: round(median(samples)),
      p99Ms: round(percentile(samples, 99)),
      maxMs: round(Math.max(...samples)),
      errors: harness.errors,
      ...split.medians(),
      envoyRdsUpdateP50Ms: await harness.envoyRdsUpdateP50Ms(),
    };
  } finally {
    await harness.close();
  }
};

export interface EditsResult {
  routes: number;
  edits: number;
  requests: number;
  requestsPerSecond: number;
  errors: number;
  /** Median ms from an edit's file write to the edited route answering with the new version. */
  editP50Ms: number;
  /** Median split: file written -> snapshot set in egts, and snapshot set -> new version served. */
  toSnapshotP50Ms: number;
  snapshotToEnvoyP50Ms: number;
  /** Envoy's own median time applying the 1,000-route RouteConfiguration (see the harness). */
  envoyRdsUpdateP50Ms: number | undefined;
}

/**
 * Constant traffic (`rate` requests/s over a few routes, at most `durationMs`) while route 1 is
 * edited `edits` times (a header its backend echoes changes); every non-200 counts as an error.
 */
export const editsUnderTraffic = async (
  routes: number,
  edits: number,
  rate = 300,
  durationMs = 15_000,
): Promise<EditsResult> => {
  const harness = await startHarness(routes);
  try {
    let requests = 0;
    let errors = 0;
    let stop = false;
    const maxRequests = Math.ceil((rate * durationMs) / 1000);
    const started = performance.now();
    const inflight = new Set<Promise<void>>();
    const traffic = (async () => {
      const tickMs = 10;
      while (!stop && requests < maxRequests && performance.now() - started < durationMs) {
        // Catch up with the schedule (timers drift under load): `rate` per second since the start.
        const due = Math.min(
          maxRequests,
          Math.floor(((performance.now() - started) * rate) / 1000),
        );
        while (requests < due) {
          const i = requests++ % 4; // routes 0..3, route 1 is the edited one
          const p = harness.get(i).then((r) => {
            if (r.status !== 200) errors++;
          });
          inflight.add(p);
          void p.finally(() => inflight.delete(p));
        }
        await new Promise((resolve) => setTimeout(resolve, tickMs));
      }
    })();
    const editMs: number[] = [];
    const split = snapshotSplit(harness.snapshotsSet);
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (let k = 1; k <= edits; k++) {
      const written = performance.now();
      const writtenAt = Date.now();
      harness.write(
        'routes.yaml',
        harness.routes(routes, (i) => (i === 1 ? k : 0)),
      );
      while (performance.now() - started < durationMs - 200) {
        const r = await harness.get(1);
        if (r.body.endsWith(` ${k}`)) break;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const ms = performance.now() - written;
      editMs.push(ms);
      // The 200 ms pause lets the "snapshot set" log line arrive before it is looked up.
      await new Promise((resolve) => setTimeout(resolve, 200));
      split.add(writtenAt, ms);
    }
    stop = true;
    await traffic;
    await Promise.all([...inflight]);
    const seconds = (performance.now() - started) / 1000;
    return {
      routes,
      edits,
      requests,
      requestsPerSecond: round(requests / seconds, 0),
      errors,
      editP50Ms: round(median(editMs)),
      ...split.medians(),
      envoyRdsUpdateP50Ms: await harness.envoyRdsUpdateP50Ms(),
    };
  } finally {
    await harness.close();
  }
};

export interface RssResult {
  routes: number;
  /** Seconds between the scale being served and the sample. */
  afterS: number;
  rssMiB: number;
  peakMiB: number;
}

/** Idle time before the last sample: V8's memory reducer starts 8 s after a full GC, then unmaps. */
const IDLE_S = 30;

/**
 * egts's RSS once each scale is served, then after scaling back to the first scale: 2 s after, and
 * again after IDLE_S idle seconds, which shows what egts gives back rather than what it has not
 * collected yet.
 */
/** Seconds after a scale is served when egts's idle collections are done. */
const SETTLED_S = 12;

export const rssByScale = async (scales: readonly number[]): Promise<RssResult[]> => {
  const [first] = scales;
  const harness = await startHarness(first!);
  const wait = (s: number) => new Promise((resolve) => setTimeout(resolve, s * 1000));
  try {
    const results: RssResult[] = [];
    const sample = (routes: number, afterS: number) => {
      const { rss, peak } = rssOf(harness.egtsPid);
      results.push({ routes, afterS, rssMiB: round(rss), peakMiB: round(peak) });
    };
    // At 2 s, and again once egts has been idle long enough to give memory back (its idle
    // collections: the young generation of the burst goes back some 8 s after the last change).
    await wait(2);
    sample(first!, 2);
    await wait(SETTLED_S - 2);
    sample(first!, SETTLED_S);
    for (const scale of scales.slice(1)) {
      harness.write('routes.yaml', harness.routes(scale));
      await harness.waitFor(scale - 1, (r) => r.status === 200, 180_000);
      await wait(2);
      sample(scale, 2);
      await wait(SETTLED_S - 2);
      sample(scale, SETTLED_S);
    }
    harness.write('routes.yaml', harness.routes(first!));
    const last = scales[scales.length - 1]! - 1;
    await harness.waitFor(last, (r) => r.status === 404, 180_000);
    await wait(2);
    sample(-first!, 2); // negative: back down to `first`
    await wait(IDLE_S - 2);
    sample(-first!, IDLE_S);
    return results;
  } finally {
    await harness.close();
  }
};
