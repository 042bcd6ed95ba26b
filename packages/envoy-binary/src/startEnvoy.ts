// Runs one Envoy process with its admin interface on an ephemeral 127.0.0.1 port: for tests and for
// the host infra-manager. Readiness is the admin `/ready` endpoint
// (https://www.envoyproxy.io/docs/envoy/latest/operations/admin#get--ready).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type EnvoyConfig, writeConfig } from './configFile.js';
import { findEnvoy } from './findEnvoy.js';
import { localHttp } from './localHttp.js';
import { createOutputPipe } from './outputPipe.js';
import { createOutputTail } from './outputTail.js';

export interface StartEnvoyOptions {
  readonly config: EnvoyConfig;
  /** Admin port on 127.0.0.1; 0 (default) lets the kernel pick. Overrides the config's admin. */
  readonly adminPort?: number;
  /** Worker threads (`--concurrency`); default 1, enough for tests and small hosts. */
  readonly concurrency?: number;
  /** `--log-level`; default `info`. */
  readonly logLevel?: string;
  /** `--service-node` / `--service-cluster`, when the config does not set `node`. */
  readonly nodeId?: string;
  readonly nodeCluster?: string;
  /** Extra command-line arguments. */
  readonly args?: readonly string[];
  /** Envoy executable; defaults to `findEnvoy()`. */
  readonly envoyPath?: string;
  /** How many of the last characters Envoy wrote `logs()` keeps; default 256 Ki. */
  readonly logsLimit?: number;
}

export interface EnvoyHandle {
  readonly pid: number;
  /** Resolves with `http://127.0.0.1:<port>` once `/ready` answers LIVE; rejects if Envoy exits. */
  ready(timeoutMs?: number): Promise<string>;
  /** GET an admin path (`/stats?format=json`, `/config_dump`, ...) and return the body. */
  admin(path: string): Promise<string>;
  /** Bound port of each active listener by name (listeners may ask for port 0). */
  listenerPorts(): Promise<Map<string, number>>;
  /**
   * What Envoy wrote to stdout and stderr so far: the last `logsLimit` characters (its stdout
   * access log grows with every request for as long as it serves).
   */
  logs(): string;
  /** SIGTERM, then SIGKILL after `graceMs` (default 5 s); removes the temp dir. Idempotent. */
  stop(graceMs?: number): Promise<void>;
  /** Resolves with the exit code (or null when killed by a signal). */
  readonly exited: Promise<number | null>;
}

const DEFAULT_LOGS_LIMIT = 256 * 1024;

/** Envoys started by this process, killed if the process exits without stopping them. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;
const installExitHook = (): void => {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
};

export const startEnvoy = (options: StartEnvoyOptions): EnvoyHandle => {
  const envoy = options.envoyPath ?? findEnvoy();
  const file = writeConfig(options.config);
  const adminAddressPath = join(file.dir, 'admin-address');
  const adminOverlay = JSON.stringify({
    admin: {
      address: { socket_address: { address: '127.0.0.1', port_value: options.adminPort ?? 0 } },
    },
  });
  const args = [
    '-c',
    file.configPath,
    '--config-yaml',
    adminOverlay,
    '--admin-address-path',
    adminAddressPath,
    // No shared memory for hot restart: several Envoys run side by side in tests.
    '--disable-hot-restart',
    '--concurrency',
    String(options.concurrency ?? 1),
    '--log-level',
    options.logLevel ?? 'info',
    ...(options.nodeId === undefined ? [] : ['--service-node', options.nodeId]),
    ...(options.nodeCluster === undefined ? [] : ['--service-cluster', options.nodeCluster]),
    ...(options.args ?? []),
  ];
  // stdout and stderr share one real pipe (see outputPipe.ts for why not Node's socketpair).
  const pipe = createOutputPipe(file.dir);
  const child = spawn(envoy, args, { stdio: ['ignore', pipe.writeFd, pipe.writeFd] });
  pipe.closeWriteEnd();
  running.add(child);
  installExitHook();
  const output = createOutputTail(options.logsLimit ?? DEFAULT_LOGS_LIMIT);
  pipe.reader.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
  // The read end closes itself at EOF; an error (none expected on a pipe) only ends the log.
  pipe.reader.on('error', () => pipe.reader.destroy());

  let exitCode: number | null | undefined;
  // Everything Envoy wrote is read once the pipe reaches end of file (all writers gone).
  const outputRead = new Promise<void>((resolve) => pipe.reader.once('close', () => resolve()));
  const exited = new Promise<number | null>((resolve) => {
    const done = (code: number | null): void => {
      running.delete(child);
      file.remove();
      void outputRead.then(() => {
        exitCode = code;
        resolve(code);
      });
    };
    child.once('exit', (code) => done(code));
    child.once('error', (error) => {
      output.push(`spawn error: ${error.message}\n`);
      done(-1);
    });
  });

  let adminUrl: string | undefined;
  const adminBase = (): string => {
    if (adminUrl !== undefined) return adminUrl;
    if (!existsSync(adminAddressPath)) throw new Error('Envoy admin address not known yet');
    const address = readFileSync(adminAddressPath, 'utf8').trim();
    if (address === '') throw new Error('Envoy admin address not known yet');
    adminUrl = `http://${address}`;
    return adminUrl;
  };
  const admin = async (path: string): Promise<string> => {
    const response = await localHttp(`${adminBase()}${path}`);
    return response.body;
  };
  const logs = (): string => output.text();

  const ready = async (timeoutMs = 15_000): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (exitCode !== undefined) {
        throw new Error(`Envoy exited (code ${exitCode}) before ready:\n${logs()}`);
      }
      try {
        const response = await localHttp(`${adminBase()}/ready`);
        if (response.status === 200 && response.body.trim() === 'LIVE') return adminBase();
      } catch {
        // admin not up yet
      }
      await sleep(50);
    }
    throw new Error(`Envoy not ready after ${timeoutMs} ms:\n${logs()}`);
  };

  const listenerPorts = (): Promise<Map<string, number>> => listenerPortsAt(adminBase());

  const stop = async (graceMs = 5_000): Promise<void> => {
    if (exitCode === undefined) {
      child.kill('SIGTERM');
      const killed = await Promise.race([
        exited.then(() => true),
        sleep(graceMs).then(() => false),
      ]);
      if (!killed) child.kill('SIGKILL');
    }
    await exited;
  };

  return { pid: child.pid ?? -1, ready, admin, listenerPorts, logs, stop, exited };
};

/**
 * The ports Envoy's listeners are bound to, by listener name, from the admin interface at
 * `adminUrl` (`http://host:port`): what a listener configured with port 0 got from the kernel.
 */
export async function listenerPortsAt(adminUrl: string): Promise<Map<string, number>> {
  const body = JSON.parse((await localHttp(`${adminUrl}/listeners?format=json`)).body) as {
    listener_statuses?: {
      name: string;
      local_address?: { socket_address?: { port_value?: number } };
    }[];
  };
  const ports = new Map<string, number>();
  for (const status of body.listener_statuses ?? []) {
    const port = status.local_address?.socket_address?.port_value;
    if (port !== undefined) ports.set(status.name, port);
  }
  return ports;
}
