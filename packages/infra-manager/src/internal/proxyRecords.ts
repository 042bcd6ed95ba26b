// What survives egts in host mode: a record per running Envoy in the state directory (its pid,
// the egts that owns it, its admin port and what it was started with), and a detached watchdog
// beside each Envoy. A `kill -9` of egts leaves the proxy serving (a short control-plane outage
// costs no request); the next egts takes over a proxy started as it would start it (same Envoy,
// same bootstrap and flags: it reconnects to the same xDS address and gets the new configuration
// there), so a restart costs no request either; any other proxy the dead one left is stopped
// before the new egts starts its own (two Envoys on one port would split the traffic). A proxy
// whose egts never comes back drains and exits after a grace period instead of running forever.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { localHttp } from '@egts/envoy-binary';

export interface ProxyRecord {
  readonly proxy: string;
  readonly pid: number;
  /** The egts process that supervises it. */
  readonly ownerPid: number;
  readonly adminPort: number;
  readonly bootstrap: object;
  readonly startedAt: string;
  /** The Envoy executable and the launch settings: what must match for a takeover. */
  readonly envoyPath?: string;
  readonly launch?: object;
  /** The watchdog that ends this Envoy once its owner is gone (replaced at a takeover). */
  readonly watchdogPid?: number;
}

/** Whether `pid` runs: it exists (EPERM: someone else's) and is no zombie waiting to be reaped. */
export const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A killed process whose new parent does not reap it stays a zombie: it answers signal 0.
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return true;
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

/** What the next egts does with the proxies a dead one left. */
export interface OrphanTakeover {
  /** Still running, now this process's: their watchdogs replaced, their records rewritten. */
  readonly adopted: ProxyRecord[];
  /** Being stopped; `stopped` settles once they are gone. */
  readonly stopping: ProxyRecord[];
  readonly stopped: Promise<void>;
}

/**
 * Takes over the Envoys a dead egts left running: one per proxy that `adoptable` accepts (its
 * watchdog stopped; the caller supervises it and writes its record), the others stopped (drain,
 * SIGTERM, SIGKILL after `stopTimeoutMs`). Records of processes gone are forgotten; proxies of a
 * live egts are left alone. Synchronous up to the stops, so that a caller with nothing to stop
 * starts its proxies in the same turn.
 */
export function takeOverOrphans(
  stateDir: string,
  adoptable: (record: ProxyRecord) => boolean,
  drainMs: number,
  stopTimeoutMs: number,
): OrphanTakeover {
  let names: string[];
  try {
    names = readdirSync(recordsDir(stateDir)).filter((name) => name.endsWith('.json'));
  } catch {
    return { adopted: [], stopping: [], stopped: Promise.resolve() };
  }
  const adopted: ProxyRecord[] = [];
  const stopping: ProxyRecord[] = [];
  for (const name of names.sort()) {
    const file = join(recordsDir(stateDir), name);
    let record: ProxyRecord;
    try {
      record = JSON.parse(readFileSync(file, 'utf8')) as ProxyRecord;
    } catch {
      rmSync(file, { force: true });
      continue;
    }
    if (record.ownerPid !== process.pid && alive(record.ownerPid)) continue;
    if (!alive(record.pid) || !isEnvoy(record.pid)) {
      rmSync(file, { force: true });
      continue;
    }
    const taken = adopted.some((other) => other.proxy === record.proxy);
    if (!taken && adoptable(record) && stopWatchdog(record)) adopted.push(record);
    else stopping.push(record);
  }
  const stopped = Promise.all(
    stopping.map(async (record) => {
      await stopProcess(record.pid, record.adminPort, drainMs, stopTimeoutMs);
      removeRecord(stateDir, record.proxy, record.pid);
    }),
  ).then(() => undefined);
  return { adopted, stopping, stopped };
}

/**
 * Ends the watchdog of a proxy being taken over (it would end the proxy after the grace period).
 * False when the record names none that can be told apart from another process: the proxy is
 * then not taken over.
 */
function stopWatchdog(record: ProxyRecord): boolean {
  const pid = record.watchdogPid;
  if (pid === undefined) return false;
  if (!alive(pid)) return true;
  let args: string[];
  try {
    args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return true; // gone meanwhile
  }
  // `node -e WATCHDOG <envoy pid> ...`: this proxy's, not a reused pid.
  if (args[1] !== '-e' || args[2] !== WATCHDOG || args[3] !== String(record.pid)) return false;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Gone meanwhile.
  }
  return true;
}

/**
 * Asks Envoy to drain its listeners gracefully (admin `POST /drain_listeners?graceful`,
 * https://www.envoyproxy.io/docs/envoy/latest/operations/admin#post--drain_listeners): it closes
 * idle connections and asks clients to reconnect elsewhere. False when the admin does not answer.
 */
export async function drainListeners(adminPort: number): Promise<boolean> {
  try {
    await localHttp(`http://127.0.0.1:${adminPort}/drain_listeners?graceful`, {
      method: 'POST',
      timeoutMs: 1_000,
    });
    return true;
  } catch {
    return false;
  }
}

/** Drains (when `drainMs` > 0), then SIGTERM, then SIGKILL after `timeoutMs`; resolves once gone. */
export async function stopProcess(
  pid: number,
  adminPort: number,
  drainMs: number,
  timeoutMs: number,
): Promise<void> {
  // Admin not answering: straight to SIGTERM.
  if (drainMs > 0 && (await drainListeners(adminPort))) await sleep(drainMs);
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
// takes the proxy over, ending this watchdog, or stops it), then drains the listeners and ends
// Envoy.
const WATCHDOG = `
const [envoy, owner, adminPort, graceMs, drainMs] = process.argv.slice(1).map(Number);
const fs = require('node:fs');
const alive = (pid) => {
  try { process.kill(pid, 0); } catch (e) { if (e.code !== 'EPERM') return false; }
  try { return fs.readFileSync('/proc/' + pid + '/stat', 'utf8').split(') ')[1][0] !== 'Z'; } catch { return true; }
};
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
}): number | undefined {
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
  return child.pid;
}
