// The rate limit service's supervision without the service: `false` stands in for a service that
// crashes at once, so the restart backoff doubles up to its cap and stop() ends the cycle.
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  findRateLimitBinary,
  type RateLimitServiceEvent,
  startRateLimitService,
} from '../index.js';

const falseBinary = execFileSync('sh', ['-c', 'command -v false'], { encoding: 'utf8' }).trim();

describe('rate limit service supervision', () => {
  it('restarts a crashing service with capped exponential backoff, and stops', async () => {
    const events: RateLimitServiceEvent[] = [];
    const service = await startRateLimitService({
      binaryPath: falseBinary,
      redisUrl: '127.0.0.1:1',
      xds: { host: '127.0.0.1', port: 1 },
      backoff: { initialMs: 20, maxMs: 80 },
      onEvent: (event) => events.push(event),
    });
    const delays = () => events.flatMap((e) => (e.type === 'restarting' ? [e.delayMs] : []));
    for (let i = 0; delays().length < 5; i++) {
      if (i > 600) throw new Error(`only ${delays().length} restarts`);
      await sleep(50);
    }
    await service.stop();
    // Doubling from 20 ms up to the 80 ms cap, started over after a run of 80 ms or more: on a
    // busy machine even `false` can take that long, so the expected list follows the runs seen.
    const expected: number[] = [];
    let failures = 0;
    for (const event of events) {
      if (event.type === 'exited' && event.uptimeMs >= 80) failures = 0;
      if (event.type === 'restarting') expected.push(Math.min(20 * 2 ** failures++, 80));
    }
    expect(delays()).toEqual(expected);
    if (events.every((e) => e.type !== 'exited' || e.uptimeMs < 80))
      expect(delays().slice(0, 5)).toEqual([20, 40, 80, 80, 80]);
    const after = events.length;
    await sleep(300);
    expect(events.slice(after)).toEqual([]);
    expect(events.at(-1)).toEqual({ type: 'stopped' });
    expect(service.status().running).toBe(false);
  });

  it('finds the binary EGTS_RATELIMIT_PATH names, and nothing when it is not there', () => {
    expect(findRateLimitBinary({ EGTS_RATELIMIT_PATH: process.execPath })).toBe(process.execPath);
    expect(findRateLimitBinary({ EGTS_RATELIMIT_PATH: '/nonexistent/ratelimit' })).toBeUndefined();
  });
});
