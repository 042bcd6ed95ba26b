// V8 hands memory back to the OS only after a full collection, and an idle process never runs
// one: after a scale-down egts kept its peak RSS indefinitely (bench: 270 MiB at 100 routes after
// 5,000, against 164 before). One collection once egts has been quiet for a moment lets the heap
// shrink; it costs tens of milliseconds at a time when nothing else is happening.
// The collection is V8's low-memory one (Isolate::LowMemoryNotification, which the inspector's
// HeapProfiler.collectGarbage runs): it collects with the reduce-memory flag, so it also gives
// back the young generation V8 grew to 32 MiB for the burst (Heap::ReduceNewSpaceSize) and the
// pages it pooled. A plain gc() shrinks the young generation only once V8 has seen a low
// allocation rate for 5 s, which a server right after a push never shows (and a busy watched
// directory may never let it see): that kept ~25 MiB of an idle server's RSS for 6-8 s, or for
// good. Translations keep V8's default young-generation growth (a young generation kept small
// costs them ~5% CPU).
import { type Observable, of, type Subscription, switchMap, timer } from 'rxjs';

/** Quiet time after the last change or xDS exchange before collecting. */
export const IDLE_COLLECTION_MS = 1_000;
/**
 * Quiet time after which egts collects even though a response is still unanswered (a proxy that
 * never ACKs must not keep the memory of every change held).
 */
export const UNANSWERED_COLLECTION_MS = 10_000;

type Collector = () => Promise<void>;
let collector: Promise<Collector> | undefined;

/** `gc()` exposed at run time, for a Node built without the inspector. */
const plainCollection = async (): Promise<Collector> => {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed !== undefined) return async () => exposed();
  const [{ setFlagsFromString }, { runInNewContext }] = await Promise.all([
    import('node:v8'),
    import('node:vm'),
  ]);
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  return async () => gc();
};

/**
 * The low-memory collection through an in-process inspector session (loaded on first use). A
 * reduce-memory collection also throws away the bytecode of every function not running (V8's
 * forced code flushing), which the next translation would compile again (~20% more CPU for a
 * change after an idle period, bench at 1,000 routes): flushing is off while it runs, and V8's
 * usual flushing of old bytecode is back once it is done.
 */
const lowMemoryCollection = async (): Promise<Collector> => {
  if (!process.features.inspector) return plainCollection();
  const [{ Session }, { setFlagsFromString }] = await Promise.all([
    import('node:inspector'),
    import('node:v8'),
  ]);
  const flushing = !process.execArgv.includes('--no-flush-bytecode');
  return () =>
    new Promise<void>((resolve) => {
      const session = new Session();
      session.connect();
      if (flushing) setFlagsFromString('--no-flush-bytecode');
      session.post('HeapProfiler.collectGarbage', () => {
        if (flushing) setFlagsFromString('--flush-bytecode');
        // Disconnecting inside the callback of the session's own message leaves it pending.
        setImmediate(() => {
          session.disconnect();
          resolve();
        });
      });
    });
};

/** One collection that gives back what the heap does not need, young generation included. */
export const collectGarbage = async (): Promise<void> => {
  collector ??= lowMemoryCollection();
  await (await collector)();
};

export interface IdleCollectionOptions {
  /** Whether egts is still busy (a response unanswered) though quiet. */
  readonly busy?: () => boolean;
  readonly quietMs?: number;
  /** Quiet time after which it collects even when busy. */
  readonly busyMs?: number;
  readonly collect?: () => Promise<void>;
}

/**
 * Runs one collection each time `changes` has been quiet for `quietMs` with nothing `busy` (else
 * once quiet for `busyMs`); a change meanwhile starts the wait again.
 */
export const collectWhenIdle = (
  changes: Observable<unknown>,
  {
    busy = () => false,
    quietMs = IDLE_COLLECTION_MS,
    busyMs = UNANSWERED_COLLECTION_MS,
    collect = collectGarbage,
  }: IdleCollectionOptions = {},
): Subscription =>
  changes
    .pipe(
      switchMap(() =>
        timer(quietMs).pipe(switchMap(() => (busy() ? timer(busyMs - quietMs) : of(0)))),
      ),
    )
    .subscribe(() => void collect());
