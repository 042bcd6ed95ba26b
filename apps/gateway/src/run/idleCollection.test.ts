import { getHeapSpaceStatistics } from 'node:v8';
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { collectGarbage, collectWhenIdle } from './idleCollection.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const youngGenerationBytes = (): number =>
  getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')!.space_size;

describe('collectWhenIdle', () => {
  it('collects once changes have been quiet; a change within the quiet time restarts it', async () => {
    const changes = new Subject<number>();
    let collections = 0;
    const subscription = collectWhenIdle(changes, {
      quietMs: 100,
      collect: async () => void collections++,
    });
    changes.next(1);
    await tick(60);
    changes.next(2);
    await tick(60);
    expect(collections).toBe(0);
    await tick(150);
    expect(collections).toBe(1);
    await tick(200);
    expect(collections).toBe(1); // once per quiet period
    subscription.unsubscribe();
  });

  it('waits while busy, and collects anyway once quiet for the longer time', async () => {
    const changes = new Subject<number>();
    let busy = true;
    let collections = 0;
    const collect = async () => void collections++;
    const subscription = collectWhenIdle(changes, {
      busy: () => busy,
      quietMs: 50,
      busyMs: 500,
      collect,
    });
    changes.next(1);
    await tick(250);
    expect(collections).toBe(0); // quiet, but a response is unanswered
    await tick(450);
    expect(collections).toBe(1);
    busy = false;
    changes.next(2); // the answer
    await tick(150);
    expect(collections).toBe(2);
    subscription.unsubscribe();
  });
});

describe('collectGarbage', () => {
  it('frees what nothing holds', async () => {
    let garbage: number[][] | undefined = Array.from({ length: 1000 }, () =>
      new Array(1000).fill(1),
    );
    const ref = new WeakRef(garbage);
    garbage = undefined;
    await tick(10); // a WeakRef target is kept alive until the job that made it ends
    await collectGarbage();
    expect(ref.deref()).toBeUndefined();
  });

  it('gives the young generation back right after a burst', async () => {
    // A burst with survivors, as a translation makes: V8 grows the young generation for it.
    let kept: object[] = [];
    for (let i = 0; i < 3_000_000; i++) {
      kept.push({ i, text: `x${i}` });
      if (kept.length > 100_000) kept = [];
    }
    kept = [];
    expect(youngGenerationBytes()).toBeGreaterThan(8 * 1024 * 1024);
    // A plain gc() here keeps it: V8 still sees the burst's allocation rate.
    await collectGarbage();
    expect(youngGenerationBytes()).toBeLessThanOrEqual(4 * 1024 * 1024);
  });
});
