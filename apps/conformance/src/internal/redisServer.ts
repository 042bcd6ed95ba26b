// A real Redis for the global rate limit tests: the Rate Limit Service keeps its counters there.
// The binary comes from scripts/setup-ratelimit.sh (.tools/ratelimit/bin), EGTS_REDIS_SERVER_PATH
// or PATH; tests skip, saying so, when there is none. Nothing is persisted (no RDB, no AOF).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export function findRedisServer(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env.EGTS_REDIS_SERVER_PATH;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined;
  const tools = resolve(import.meta.dirname, '../../../../.tools/ratelimit/bin/redis-server');
  if (existsSync(tools)) return tools;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'redis-server');
    if (dir !== '' && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Sends one inline command and says whether the reply starts with `reply` within `timeoutMs`. */
const command = (port: number, line: string, reply: string, timeoutMs: number): Promise<boolean> =>
  new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write(`${line}\r\n`));
    socket.once('data', (data) => finish(data.toString().startsWith(reply)));
  });

export interface RedisServer {
  readonly url: string;
  /** Stops it (Redis down); start() brings it back on the same port, empty. */
  stop(): Promise<void>;
  /** Deletes every key (FLUSHALL). */
  flush(): Promise<void>;
  start(): Promise<void>;
}

export async function startRedis(binary: string, port: number): Promise<RedisServer> {
  let proc: ChildProcess | undefined;
  const start = async () => {
    const child = spawn(
      binary,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    proc = child;
    for (let i = 0; i < 300; i++) {
      if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode})`);
      if (await command(port, 'PING', '+PONG', 1_000)) return;
      await sleep(100);
    }
    throw new Error('redis-server did not answer PING within 30s');
  };
  const stop = async () => {
    const child = proc;
    proc = undefined;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGKILL');
    await exited;
  };
  await start();
  const flush = async () => {
    if (!(await command(port, 'FLUSHALL', '+OK', 10_000))) throw new Error('FLUSHALL failed');
  };
  return { url: `127.0.0.1:${port}`, start, stop, flush };
}
