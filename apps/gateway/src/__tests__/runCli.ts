// Runs the real `egts` entry point from source in a child process, as a user would run it.
import { spawnSync } from 'node:child_process';
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
    { cwd: appDir, input, encoding: 'utf8', timeout: 60_000 },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
