// V8 hands memory back to the OS only after a full collection, and an idle process never runs
// one: after a scale-down egts kept its peak RSS indefinitely (bench: 270 MiB at 100 routes after
// 5,000, against 164 before). One full collection once changes have been quiet for a while lets
// the heap shrink; it costs tens of milliseconds at a time when nothing else is happening.
// The young generation shrinks only in a collection that sees a low allocation rate over the
// last few seconds (V8's Heap::ReduceNewSpaceSize), which the first one, right after the burst,
// does not: V8 grows it to 32 MiB during a start's translation and kept it, empty, for good (25
// MiB of a 100-route server's RSS). A second collection a few seconds later gives it back,
// without slowing the translations themselves (a young generation kept small costs them ~5% CPU).
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { debounceTime, EMPTY, type Observable, type Subscription, switchMap, timer } from 'rxjs';

/** Quiet time after the last change before collecting. */
export const IDLE_COLLECTION_MS = 2_000;
/** Time after that collection before the one that gives the young generation back. */
export const YOUNG_GENERATION_COLLECTION_MS = 6_000;
/** Young generation (bytes) worth giving back: V8 starts it at 1-2 MiB. */
const LARGE_YOUNG_GENERATION = 4 * 1024 * 1024;

let collect: (() => void) | undefined;

/** `gc()`: the global one under `--expose-gc`, else one exposed now in a fresh context. */
const collectGarbage = (): void => {
  if (collect === undefined) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (exposed === undefined) setFlagsFromString('--expose-gc');
    collect = exposed ?? (runInNewContext('gc') as () => void);
  }
  collect();
};

/** Bytes V8 holds for the young generation (its new space). */
export const youngGenerationBytes = (): number =>
  getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;

/**
 * Runs one full collection each time `changes` has been quiet for `quietMs`, and one more
 * `youngMs` later when the young generation is still large (a new change cancels it).
 */
export const collectWhenIdle = (
  changes: Observable<unknown>,
  quietMs = IDLE_COLLECTION_MS,
  youngMs = YOUNG_GENERATION_COLLECTION_MS,
): Subscription =>
  changes
    .pipe(
      debounceTime(quietMs),
      switchMap(() => {
        collectGarbage();
        return youngGenerationBytes() > LARGE_YOUNG_GENERATION ? timer(youngMs) : EMPTY;
      }),
    )
    .subscribe(() => collectGarbage());
