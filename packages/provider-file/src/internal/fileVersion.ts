// What identifies a file's content without reading it, and when that identity can be trusted:
// the file provider skips reading a file whose version it has read before (git's "racily clean"
// rule, with the file system's time stamps in place of git's index).
import { stat } from 'node:fs/promises';
import { answered } from './boundedChunks.js';

/**
 * Device, inode, size and both change times. `settled` when no write after this version was
 * taken can give the file the same time stamps, so that the same version later means the same
 * content (see `stampSettled`). A version that is not settled proves nothing.
 */
export interface FileVersion {
  readonly key: string;
  readonly settled: boolean;
}

const SECOND_NS = 1_000_000_000n;
/**
 * The kernel stamps files with its coarse clock, up to one tick (at most 10 ms) behind the clock
 * `Date.now()` reads. A write stamps a file before it copies its data, so a read can see the
 * data half copied under the final stamp; a write that keeps the size (a longer one changes
 * it) must then still be copying this long after it stamped. Both fit in 50 ms with room.
 */
const SLACK_NS = 50_000_000n;

/**
 * The coarsest time stamp granularity that can give `stampNs`: two seconds for a whole second
 * (FAT keeps 2 s, HFS+ and ext3 keep 1 s), else ten times the largest power of ten dividing its
 * fraction (exFAT's 10 ms: x.37 s gives 100 ms; a nanosecond file system, ten nanoseconds),
 * which also covers granularities of two and five times a power of ten.
 */
const granularityNs = (stampNs: bigint): bigint => {
  let fraction = stampNs % SECOND_NS;
  if (fraction === 0n) return 2n * SECOND_NS;
  let unit = 10n;
  while (fraction % 10n === 0n) {
    fraction /= 10n;
    unit *= 10n;
  }
  return unit;
};

/**
 * Whether a write after `nowNs` must stamp the file later than `stampNs`. Time stamps only grow,
 * cut to the file system's granularity: once the file system's clock has left the granule of
 * `stampNs`, any later write gets a newer stamp, so content read after `nowNs` under this stamp
 * is the content of every later read under it. Whether the change was two seconds or two
 * milliseconds ago does not matter; how coarse the stamp may be does, so a whole-second file
 * system still waits two seconds. Assumes the file system's clock is this machine's (for a
 * network file system, its server's within the slack).
 */
export const stampSettled = (stampNs: bigint, nowNs: bigint): boolean =>
  nowNs - stampNs > granularityNs(stampNs) + SLACK_NS;

/** `file`'s version, within `timeoutMs` (a hung file system); throws as `stat` does. */
export async function fileVersion(file: string, timeoutMs: number): Promise<FileVersion> {
  // Taken before the stat: a write after this instant cannot carry a stamp it calls settled.
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const info = await answered(stat(file, { bigint: true }), timeoutMs);
  return {
    key: `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`,
    settled: stampSettled(info.mtimeNs, nowNs) && stampSettled(info.ctimeNs, nowNs),
  };
}
