// What survives egts in host mode: a record per running Envoy in the state directory (its pid,
// the egts that owns it, its admin port and the bootstrap it was started with), and a detached
// watchdog beside each Envoy. A `kill -9` of egts leaves the proxy serving (a short control-plane
// outage costs no request); the next egts stops what the dead one left before starting its own
// (two Envoys on one port would split the traffic), and a proxy whose egts never comes back
// drains and exits after a grace period instead of running forever.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ProxyRecord {
  readonly proxy: string;
  readonly pid: number;
  /** The egts process that supervises it. */
  readonly ownerPid: number;
  readonly adminPort: number;
  readonly bootstrap: object;
  readonly startedAt: string;
}

export const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, owned by someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Whether `pid` runs an Envoy (so a reused pid is never signalled). Linux /proc. */
const isEnvoy = (pid: number): boolean => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0]?.includes('envoy') ?? false;
  } catch {
    return false;
  }
};

const recordsDir = (stateDir: string) => join(stateDir, 'proxies');
const recordFile = (stateDir: string, proxy: string, pid: number) =>
  join(recordsDir(stateDir), `${encodeURIComponent(proxy)}.${pid}.json`);

export function writeRecord(stateDir: string, record: ProxyRecord): void {
  mkdirSync(recordsDir(stateDir), { recursive: true, mode: 0o700 });
  writeFileSync(recordFile(stateDir, record.proxy, record.pid), JSON.stringify(record), {
    mode: 0o600,
  });
}

export function removeRecord(stateDir: string, proxy: string, pid: number): void {
  rmSync(recordFile(stateDir, proxy, pid), { force: true });
}

/**
 * Stops every Envoy a dead egts left running (drain, SIGTERM, SIGKILL after `stopTimeoutMs`) and
 * forgets records of processes gone. Proxies of a live egts are left alone. Returns what it stopped.
 */
export async function stopOrphans(
  stateDir: string,
  drainMs: number,
  stopTimeoutMs: number,
): Promise<ProxyRecord[]> {
  let names: string[];
  try {
    names = readdirSync(recordsDir(stateDir)).filter((name) => name.endsWith('.json'));
  } catch {
    return [];
  }
  const stopped: ProxyRecord[] = [];
  await Promise.all(
    names.map(async (name) => {
      const file = join(recordsDir(stateDir), name);
      let record: ProxyRecord;
      try {
        record = JSON.parse(readFileSync(file, 'utf8')) as ProxyRecord;
      } catch {
        rmSync(file, { force: true });
        return;
      }
      if (record.ownerPid !== process.pid && alive(record.ownerPid)) return;
      if (alive(record.pid) && isEnvoy(record.pid)) {
        await stopProcess(record.pid, record.adminPort, drainMs, stopTimeoutMs);
        stopped.push(record);
      }
      rmSync(file, { force: true });
    }),
  );
  return stopped;
}

async function stopProcess(pid: number, adminPort: number, drainMs: number, timeoutMs: number) {
  if (drainMs > 0) {
    try {
      await fetch(`http://127.0.0.1:${adminPort}/drain_listeners?graceful`, {
        method: 'POST',
        signal: AbortSignal.timeout(1_000),
      });
      await sleep(drainMs);
    } catch {
      // Admin not answering: straight to SIGTERM.
    }
  }
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(pid, name);
    } catch {
      // Already gone.
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (alive(pid) && Date.now() < deadline) await sleep(50);
  if (alive(pid)) signal('SIGKILL');
  while (alive(pid)) await sleep(20);
}

// The watchdog runs as `node -e`, detached, so it needs no file of its own and outlives egts.
// It checks every second; once egts is gone it waits out the grace period (a restarted egts
// stops the proxy itself meanwhile), then drains the listeners and ends Envoy.
const WATCHDOG = `
const [envoy, owner, adminPort, graceMs, drainMs] = process.argv.slice(1).map(Number);
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
(async () => {
  while (alive(envoy) && alive(owner)) await sleep(1000);
  const until = Date.now() + graceMs;
  while (alive(envoy) && Date.now() < until) await sleep(250);
  if (!alive(envoy)) return;
  try {
    await fetch('http://127.0.0.1:' + adminPort + '/drain_listeners?graceful', { method: 'POST', signal: AbortSignal.timeout(1000) });
    await sleep(drainMs);
  } catch {}
  try { process.kill(envoy, 'SIGTERM'); } catch {}
  const deadline = Date.now() + 5000;
  while (alive(envoy) && Date.now() < deadline) await sleep(100);
  try { process.kill(envoy, 'SIGKILL'); } catch {}
})();
`;

export function startWatchdog(options: {
  envoyPid: number;
  ownerPid: number;
  adminPort: number;
  graceMs: number;
  drainMs: number;
}): void {
  const child = spawn(
    process.execPath,
    [
      '-e',
      WATCHDOG,
      String(options.envoyPid),
      String(options.ownerPid),
      String(options.adminPort),
      String(options.graceMs),
      String(options.drainMs),
    ],
    { detached: true, stdio: 'ignore' },
  );
  child.unref();
}
