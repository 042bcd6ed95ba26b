// Runs the real `egts` entry point from source in a child process, as a user would run it.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], input?: string): CliResult {
  const result = spawnSync(
    process.execPath,
    ['--conditions=@egts/source', '--import', 'tsx', join(appDir, 'src', 'cli.ts'), ...args],
    { cwd: appDir, input, encoding: 'utf8', timeout: 120_000 },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A long-running `egts` (run, server) started from source, with the admin port it logged. */
export interface RunningCli {
  readonly child: ChildProcess;
  readonly adminPort: number;
  /** Everything it printed so far. */
  output(): string;
  /** SIGTERM, then waits for it to exit; resolves with its exit code. */
  stop(): Promise<number | null>;
}

export async function startCli(
  args: string[],
  timeoutMs = 120_000,
  env: Record<string, string> = {},
): Promise<RunningCli> {
  const privateState = env.EGTS_STATE_DIR === undefined;
  const stateDir = env.EGTS_STATE_DIR ?? mkdtempSync(join(tmpdir(), 'egts-cli-state-'));
  const child = spawn(
    process.execPath,
    ['--conditions=@egts/source', '--import', 'tsx', join(appDir, 'src', 'cli.ts'), ...args],
    {
      cwd: appDir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, EGTS_STATE_DIR: stateDir, ...env },
    },
  );
  // A state directory of its own unless the test shares one on purpose (a restart): egts keeps
  // its proxies' records and certificates there, and concurrent tests must not see each other's.
  if (privateState) child.once('exit', () => rmSync(stateDir, { recursive: true, force: true }));
  let output = '';
  const adminPort = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`egts logged no admin port:\n${output}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"port":(\d+),"msg":"admin API listening"/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`egts exited (${code}) before listening:\n${output}`));
    });
  });
  return {
    child,
    adminPort,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((resolve) =>
        child.once('exit', (code) => resolve(code)),
      );
      child.kill('SIGTERM');
      return exited;
    },
  };
}
