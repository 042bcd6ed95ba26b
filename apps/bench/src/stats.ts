// Small statistics and memory helpers for the benchmarks: median and percentiles over samples,
// bytes allocated by a function (V8 GC profiler), and a process's RSS from /proc.
import { readFileSync } from 'node:fs';
import { GCProfiler } from 'node:v8';

export const median = (values: readonly number[]): number => percentile(values, 50);

/** Nearest-rank percentile; NaN for no samples. */
export const percentile = (values: readonly number[], p: number): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
};

export const round = (value: number, digits = 1): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

export const MiB = 1024 * 1024;

export const gc = (): void => {
  (globalThis as { gc?: () => void }).gc?.();
};

/**
 * Bytes allocated on the V8 heap while `fn` runs: heap growth plus what every GC in between freed
 * (node:v8 GCProfiler reports heap use before and after each collection).
 */
export const allocated = <T>(fn: () => T): { result: T; bytes: number } => {
  gc();
  const profiler = new GCProfiler();
  profiler.start();
  const before = process.memoryUsage().heapUsed;
  const result = fn();
  const after = process.memoryUsage().heapUsed;
  const data = profiler.stop() as unknown as {
    statistics: Array<{
      beforeGC: { heapStatistics: { usedHeapSize: number } };
      afterGC: { heapStatistics: { usedHeapSize: number } };
    }>;
  };
  let freed = 0;
  for (const s of data.statistics) {
    freed += s.beforeGC.heapStatistics.usedHeapSize - s.afterGC.heapStatistics.usedHeapSize;
  }
  return { result, bytes: after - before + freed };
};

/** Resident set size and its peak (VmHWM) of a Linux process, in MiB. */
export const rssOf = (pid: number): { rss: number; peak: number } => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) =>
    Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
};

/**
 * CPU time (user + system, ms) a process has used so far, from /proc (Linux; clock ticks of
 * 10 ms). On a shared machine it says what a process costs where wall-clock time says mostly
 * how busy the machine was.
 */
export const cpuMsOf = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};

/** The Envoy processes among `pid`'s children (Linux /proc). */
export const envoyChildrenOf = (pid: number): number[] => {
  let children: number[];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
  return children.filter((child) => {
    try {
      return readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0')[0]!.endsWith('envoy');
    } catch {
      return false;
    }
  });
};
