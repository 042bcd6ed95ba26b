import { readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, reserve } from '../freePort.js';

const lockFile = (port: number) => join(tmpdir(), 'egts-ports', String(port));
const ephemeralStart = Number(
  readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0],
);

/** A pid no process has: spawned pids stay far below the kernel's pid_max. */
const DEAD_PID = 4_000_000;

describe('freePort', () => {
  it('hands out distinct ports below the ephemeral range, each locked with this pid', async () => {
    const ports = [];
    for (let i = 0; i < 50; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(50);
    for (const port of ports) {
      expect(port).toBeLessThan(ephemeralStart);
      expect(await readFile(lockFile(port), 'utf8')).toBe(String(process.pid));
    }
  });

  it('skips a port a live process holds and reclaims one a gone process held', async () => {
    await mkdir(join(tmpdir(), 'egts-ports'), { recursive: true });
    const held = 19_990; // below the range freePort hands out, so no other test takes them
    const stale = 19_991;
    await writeFile(lockFile(held), '1'); // pid 1 lives as long as the machine
    await writeFile(lockFile(stale), String(DEAD_PID));
    try {
      expect(await reserve(held)).toBe(false);
      expect(await reserve(stale)).toBe(true);
      expect(await readFile(lockFile(stale), 'utf8')).toBe(String(process.pid));
      // This process holds it now: not handed out twice (a second module instance in the same
      // worker sees the same pid).
      expect(await reserve(stale)).toBe(false);
    } finally {
      await rm(lockFile(held), { force: true });
      await rm(lockFile(stale), { force: true });
    }
  });
});
