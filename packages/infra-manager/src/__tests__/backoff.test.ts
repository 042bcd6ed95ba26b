// A proxy whose process keeps dying is restarted with exponential backoff, capped; close stops
// the cycle. `false` stands in for a crashing Envoy (it exits 1 at once), so no Envoy is needed.
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createHostInfraManager, type ProxyEvent } from '../index.js';
import { eventually, infraIR, proxyInfra } from './fixtures.js';

const falseBinary = execFileSync('sh', ['-c', 'command -v false'], { encoding: 'utf8' }).trim();

describe('restart backoff', () => {
  it('doubles the delay after each crash up to the cap, and stops on close', async () => {
    const events: ProxyEvent[] = [];
    const manager = createHostInfraManager({
      xds: { host: '127.0.0.1', port: 1 },
      envoyPath: falseBinary,
      backoff: { initialMs: 20, maxMs: 80 },
      onEvent: (event) => events.push(event),
    });
    await manager.apply(infraIR(proxyInfra('default/crashy', 10080)));
    const delays = () => events.flatMap((e) => (e.type === 'restarting' ? [e.delayMs] : []));
    await eventually(() => delays().length >= 5);
    expect(delays().slice(0, 5)).toEqual([20, 40, 80, 80, 80]);
    expect(events.find((e) => e.type === 'exited')).toMatchObject({
      proxy: 'default/crashy',
      code: 1,
    });
    expect(manager.proxies()[0]?.restarts).toBeGreaterThanOrEqual(5);

    await manager.close();
    const count = events.length;
    expect(events.at(-1)).toMatchObject({
      type: 'stopped',
      proxy: 'default/crashy',
      reason: 'close',
    });
    await sleep(200);
    expect(events.length).toBe(count);
  });
});
