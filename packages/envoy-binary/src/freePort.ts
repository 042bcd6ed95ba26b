// A free TCP port on 127.0.0.1 for a listener another process will open (Envoy's admin or
// listeners, a stand-in server, etcd). Asking the kernel for port 0 and closing it leaves a window
// before that process binds: any outgoing connection takes its local port from the same
// ephemeral range (/proc/sys/net/ipv4/ip_local_port_range), and so does every other process
// asking for port 0, so under load the port is sometimes gone ("Address already in use").
// Ports here come from below the ephemeral range, where the kernel never picks, and each is
// reserved for this process with a lock file (created O_EXCL, holding the pid) so concurrent
// processes on the machine, such as test workers, never hand out the same one. A reservation
// ends when its process does.
import { readFileSync } from 'node:fs';
import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LOCK_DIR = join(tmpdir(), 'egts-ports');
/** The lowest port handed out: above the usual fixed ports of local services. */
const RANGE_START = 20000;
/** Fewer ports than this below the ephemeral range: fall back to the kernel's pick. */
const MIN_RANGE = 1000;

const ephemeralStart = (): number => {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/);
    const port = Number(low);
    return Number.isInteger(port) && port > 0 ? port : 32768;
  } catch {
    return 32768; // Linux's default; other systems keep the range free of fixed services too.
  }
};

const tryListen = (port: number): Promise<number | undefined> =>
  new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Reserves `port` for this process; false when a live process holds it. */
export async function reserve(port: number): Promise<boolean> {
  const file = join(LOCK_DIR, String(port));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(await readFile(file, 'utf8').catch(() => ''));
      // An empty file is a reservation being written right now.
      if (!owner || owner === process.pid || isAlive(owner)) return false;
      await unlink(file).catch(() => undefined); // left by a process that is gone
    }
  }
  return false;
}

const handedOut = new Set<number>();

/**
 * A port on 127.0.0.1 that nothing listens on now, that no other live process using this function
 * holds, and that this process has not handed out before.
 */
export async function freePort(): Promise<number> {
  const end = ephemeralStart() - 1;
  if (end - RANGE_START < MIN_RANGE) {
    for (;;) {
      const port = await tryListen(0);
      if (port !== undefined && !handedOut.has(port)) return hand(port);
    }
  }
  await mkdir(LOCK_DIR, { recursive: true });
  const size = end - RANGE_START + 1;
  // A random start spreads processes over the range, so they rarely probe the same ports.
  const start = Math.floor(Math.random() * size);
  for (let i = 0; i < size; i++) {
    const port = RANGE_START + ((start + i) % size);
    if (handedOut.has(port)) continue;
    if ((await tryListen(port)) === undefined) continue;
    if (await reserve(port)) return hand(port);
  }
  throw new Error(`no free port on 127.0.0.1 between ${RANGE_START} and ${end}`);
}

const hand = (port: number): number => {
  handedOut.add(port);
  return port;
};
