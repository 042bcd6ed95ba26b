// The file resource provider: watches files and directories of YAML/JSON and publishes a debounced
// Resources snapshot whenever what they say changes (DESIGN.md, "provider-file").
import { watch as watchDirectory } from 'node:fs';
import { basename, dirname, resolve, sep } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import {
  bundleResources,
  type Problem,
  type ProviderSnapshot,
  READ_CONCURRENCY,
  resourceFiles,
  withDnsEndpointSlices,
} from '@egts/api';
import { type FSWatcher, watch } from 'chokidar';
import pMap from 'p-map';
import { type Observable, ReplaySubject } from 'rxjs';
import { boundedChunks, ReadTimedOut } from './internal/boundedChunks.js';
import { FileStates } from './internal/fileStates.js';
import { fileVersion } from './internal/fileVersion.js';
import { ResourceHolders } from './internal/resourceHolders.js';

export interface FileProviderOptions {
  /** Files and directories (read recursively: *.yaml, *.yml, *.json; dot-entries skipped). */
  readonly paths: readonly string[];
  /**
   * Quiet time after the last change before a snapshot is taken; default 20 ms. Long enough to fold
   * an atomic save's events (temp file written, renamed) and a tool writing several files into one
   * scan, short enough not to dominate a change's propagation (issue #9: p50 <= 100 ms).
   */
  readonly debounceMs?: number;
  /**
   * Decode with `@egts/api`'s lenient rules, keeping resources that break a CRD rule. Default
   * false: a resource the API server would refuse is refused, reported in `problems`, never served.
   */
  readonly lenient?: boolean;
  /**
   * `group/kind` of the kinds an extension server registers (`@egts/api` extensionKinds()): their
   * objects are read, unstructured, into `extensionResources` instead of refused as unknown.
   */
  readonly extensionKinds?: ReadonlySet<string>;
  /** Full re-scan this often even without watch events (a watch can go quiet); default 30 s, 0 = never. */
  readonly resyncMs?: number;
  /** Largest file read; a larger one is reported and keeps its last content. Default 16 MiB. */
  readonly maxFileBytes?: number;
  /**
   * Time one step of a file's read (open, stat, one chunk) may take (a hung network file system);
   * past it the file is reported, keeps its last content, and is not read again until that step
   * returns. Default 5 s.
   */
  readonly readTimeoutMs?: number;
  /** A scan running longer than this makes `health()` bad (a listing that hangs). Default 30 s. */
  readonly stuckAfterMs?: number;
}

/** Whether the provider still follows its files: false while a read or a scan is stuck. */
export interface FileProviderHealth {
  readonly healthy: boolean;
  /** What is stuck, when something is. */
  readonly message?: string;
}

/** What the files say now, and every problem found in them. */
export type FileSnapshot = ProviderSnapshot;

export interface FileProvider {
  /**
   * The first snapshot after the initial scan, then one per change in content (never two equal
   * in a row). Replays the latest to late subscribers; completes on `close()`.
   */
  readonly resources$: Observable<FileSnapshot>;
  /** Stuck reads or scans, for a health check. */
  liveness(): FileProviderHealth;
  /** Stops watching; resolves once the watcher is closed and no scan is running. Idempotent. */
  close(): Promise<void>;
}

const errorMessage = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
const isNotFound = (error: unknown): boolean =>
  (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';

export const createFileProvider = (options: FileProviderOptions): FileProvider => {
  const debounceMs = options.debounceMs ?? 20;
  const states = new FileStates({
    lenient: options.lenient ?? false,
    extensionKinds: options.extensionKinds,
  });
  const holders = new ResourceHolders();
  const subject = new ReplaySubject<FileSnapshot>(1);
  let last: FileSnapshot | undefined;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let scanning: Promise<void> | undefined;
  let rescan = false;
  let scanStartedAt: number | undefined;
  /** Set by the periodic resync: the next scan reads every file, whatever its version says. */
  let readAll = false;
  const readLimits = {
    maxBytes: options.maxFileBytes ?? 16 * 1024 * 1024,
    timeoutMs: options.readTimeoutMs ?? 5000,
  };
  /** Files whose read outlived its timeout and has not returned yet. */
  const stuckReads = new Set<string>();

  /**
   * Reads a listed file into `states`, decoded as it streams in: its content, or why it could not
   * be read (kept, reported). False when the file is gone.
   */
  const readFile = async (file: string, full: boolean): Promise<boolean> => {
    if (stuckReads.has(file)) {
      states.unreadable(file, `an earlier read has not returned after ${readLimits.timeoutMs} ms`);
      return true;
    }
    try {
      // An unchanged file (same settled version) is not read again: with one large file and
      // small edits beside it, reading and decoding it on every scan was most of a change's
      // cost. The periodic resync reads everything regardless.
      const version = await fileVersion(file, readLimits.timeoutMs);
      if (!full && states.holds(file, version)) return true;
      await states.read(file, () => boundedChunks(file, readLimits), version);
      return true;
    } catch (error) {
      // Gone between listing and reading (a delete, or the old name of an atomic save).
      if (isNotFound(error)) return false;
      if (error instanceof ReadTimedOut) {
        stuckReads.add(file);
        void error.settled.then(() => {
          stuckReads.delete(file);
          schedule();
        });
      }
      states.unreadable(file, errorMessage(error));
      return true;
    }
  };

  /** Lists every file now under the paths, reads the changed ones, and emits if content moved. */
  const scan = async (): Promise<void> => {
    const order: string[] = [];
    const listed = new Set<string>();
    const pathProblems: Problem[] = [];
    for (const path of options.paths) {
      let files: string[];
      try {
        files = await resourceFiles(path);
      } catch (error) {
        const message = isNotFound(error) ? 'no such file or directory' : errorMessage(error);
        pathProblems.push({
          severity: 'error',
          file: path,
          path: [],
          message: `cannot read: ${message}`,
        });
        continue;
      }
      for (const file of files) if (!listed.has(file)) listed.add(file) && order.push(file);
    }
    // Files read side by side (as @egts/api reads a directory), each decoded as it streams in.
    const full = readAll;
    readAll = false;
    const read = await pMap(order, (file) => readFile(file, full), {
      concurrency: READ_CONCURRENCY,
    });
    const present = order.filter((_, i) => read[i]);
    states.retain(new Set(present));
    const collected = states.collect(present);
    const held = holders.resolve(collected.resources);
    const bundled = bundleResources(held.resources);
    const snapshot: FileSnapshot = {
      resources: withDnsEndpointSlices(bundled.resources),
      problems: [...pathProblems, ...collected.problems, ...held.problems, ...bundled.problems],
    };
    if (closed || (last !== undefined && isDeepStrictEqual(last, snapshot))) return;
    last = snapshot;
    subject.next(snapshot);
  };

  /** Runs scans one at a time; a change seen during a scan triggers one more after it. */
  const run = (): void => {
    timer = undefined;
    if (closed) return;
    if (scanning !== undefined) {
      rescan = true;
      return;
    }
    scanStartedAt = performance.now();
    scanning = scan()
      .catch((error: unknown) => {
        // scan() handles file errors itself; anything else is a bug worth surfacing, not a crash.
        subject.next({
          resources: last?.resources ?? bundleResources([]).resources,
          problems: [
            { severity: 'error', file: '<provider>', path: [], message: errorMessage(error) },
          ],
        });
      })
      .finally(() => {
        scanning = undefined;
        scanStartedAt = undefined;
        if (rescan) {
          rescan = false;
          schedule();
        }
      });
  };

  /** Debounce: every event restarts the quiet period, so a burst of writes costs one scan. */
  const schedule = (): void => {
    if (closed) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(run, debounceMs);
  };

  // chokidar (v4) rather than fs.watch: recursive watching on Linux, atomic-save handling (an
  // unlink followed by an add of the same path within 100 ms reads as a change) and re-watching
  // of replaced files. Each path is watched itself; chokidar watches the parent of a path that
  // does not exist (yet) for it to appear, and a path deleted is watched again that way. (Watching
  // every path from its parent also saw these, but cost a listing of the parent on every event in
  // it: with /tmp as the parent, every temp file another process made.) Events only trigger a
  // scan; the scan re-lists and re-reads, so a missed or reordered event cannot leave stale
  // content behind, and a periodic resync covers a watch that went quiet.
  const targets = options.paths.map((path) => resolve(path));
  // Below a target, dot-entries are skipped by the scan (editors' and atomic writers' temp files),
  // so their events would only cost an idle scan.
  const hidden = (below: string): boolean => below.split(sep).some((part) => part.startsWith('.'));
  const relevant = (path: string): boolean =>
    targets.some(
      (target) =>
        path === target ||
        (path.startsWith(`${target}${sep}`) && !hidden(path.slice(target.length + 1))) ||
        target.startsWith(path === sep ? path : `${path}${sep}`),
    );
  const watcher: FSWatcher = watch([...new Set(targets)], {
    ignoreInitial: true,
    atomic: true,
    ignored: (path) => !relevant(resolve(path)),
  });
  // chokidar drops a path's 'change' events within 50 ms of the previous one (a throttle, not a
  // debounce), so the last of two quick edits could go unseen until the resync: one more scan
  // after the 'change' events go quiet catches it. Only 'change' is throttled that long (chokidar
  // drops other raw events within 5 ms or the same tick, which the debounced scan covers), so
  // other events need no such scan: after every new file it was an idle scan landing on the next
  // change when files come one after another (egts run, routes added one file at a time).
  let trailing: NodeJS.Timeout | undefined;
  // chokidar reports a change once it has looked again (a directory's event is followed by a
  // listing of it and an lstat of every entry: 2-4 ms with a few dozen files, on the path of
  // every change). A scan needs only to know that something happened, so the raw fs.watch
  // events start the quiet period as they come (below); chokidar's own events, which follow
  // them, start one only when none is pending, so that they do not put the scan off. Either
  // way a scan starts after every event.
  const onEvent = (event: unknown): void => {
    if (timer === undefined) schedule();
    if (event !== 'change') return;
    if (trailing !== undefined) clearTimeout(trailing);
    trailing = setTimeout(schedule, 100);
  };
  watcher.on('all', onEvent);
  // `name` is relative to the watched path: a directory's entry, or the watched file's own name
  // (giving `<file>/<name>`, which is relevant exactly when the file is).
  watcher.on('raw', (_event, name, details) => {
    const watched = (details as { watchedPath?: unknown } | undefined)?.watchedPath;
    if (typeof watched === 'string' && relevant(resolve(watched, name ?? ''))) schedule();
  });
  // A path deleted and created again (or replaced by a rename) is a new inode chokidar no longer
  // watches: its parent directory's own events (inotify, no listing) say so, by name, and the
  // path is watched anew. Other entries of the parent cost a name comparison.
  const parentWatches = [...new Set(targets.map((target) => dirname(target)))].flatMap((parent) => {
    try {
      const parentWatch = watchDirectory(parent, (event, name) => {
        const target = targets.find(
          (path) => dirname(path) === parent && basename(path) === String(name),
        );
        if (event !== 'rename' || target === undefined) return;
        schedule();
        watcher.unwatch(target);
        watcher.add(target);
      });
      parentWatch.on('error', () => {}); // the parent deleted: the resync still covers it
      return [parentWatch];
    } catch {
      return []; // no parent yet: chokidar watches the nearest one, and the resync covers it
    }
  });
  watcher.on('error', onEvent);
  watcher.once('ready', run);
  const resyncMs = options.resyncMs ?? 30_000;
  const resync =
    resyncMs > 0
      ? setInterval(() => {
          readAll = true;
          schedule();
        }, resyncMs)
      : undefined;
  resync?.unref();

  return {
    resources$: subject.asObservable(),
    liveness: () => {
      const stuck = [...stuckReads];
      if (stuck.length > 0)
        return { healthy: false, message: `reads not returning: ${stuck.join(', ')}` };
      // Every read is bounded, so a scan this long means something unbounded is stuck.
      const scanMs = scanStartedAt === undefined ? 0 : performance.now() - scanStartedAt;
      if (scanMs > (options.stuckAfterMs ?? 30_000))
        return { healthy: false, message: `a scan has run for ${Math.round(scanMs)} ms` };
      return { healthy: true };
    },
    close: async () => {
      if (closed) return;
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      if (trailing !== undefined) clearTimeout(trailing);
      if (resync !== undefined) clearInterval(resync);
      for (const parentWatch of parentWatches) parentWatch.close();
      await watcher.close();
      await scanning;
      subject.complete();
    },
  };
};
