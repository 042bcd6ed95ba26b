import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { collectWhenIdle, youngGenerationBytes } from './idleCollection.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('collectWhenIdle', () => {
  it('runs a full collection once changes have been quiet, freeing what nothing holds', async () => {
    const changes = new Subject<number>();
    const subscription = collectWhenIdle(changes, 50);
    // Large enough that no young-generation scavenge in between reaches it by chance of timing.
    let garbage: number[][] | undefined = Array.from({ length: 1000 }, () =>
      new Array(1000).fill(1),
    );
    const ref = new WeakRef(garbage);
    garbage = undefined;
    await tick(10); // a WeakRef target is kept alive until the job that made it ends
    changes.next(1);
    await tick(20);
    changes.next(2); // a change within the quiet time restarts it
    await tick(200);
    expect(ref.deref()).toBeUndefined();
    subscription.unsubscribe();
  });

  it('gives the young generation back once allocation has been low for a few seconds', async () => {
    // A burst with survivors, as a translation makes: V8 grows the young generation for it.
    let kept: object[] = [];
    for (let i = 0; i < 3_000_000; i++) {
      kept.push({ i, text: `x${i}` });
      if (kept.length > 100_000) kept = [];
    }
    kept = [];
    expect(youngGenerationBytes()).toBeGreaterThan(8 * 1024 * 1024);
    const changes = new Subject<number>();
    const subscription = collectWhenIdle(changes, 50, 6000);
    changes.next(1);
    await tick(300);
    // The first collection, right after the burst, keeps it (V8 sees a high allocation rate).
    await tick(6500);
    expect(youngGenerationBytes()).toBeLessThanOrEqual(4 * 1024 * 1024);
    subscription.unsubscribe();
  }, 30_000);
});
