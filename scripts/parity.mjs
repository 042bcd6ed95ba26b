// `pnpm parity`: how close the Envoy configuration egts serves is to Envoy Gateway's, case by case.
// Builds the egts CLI, then runs the scorer of ../shared/conformance/xds-parity (its README says
// what it compares) against the stored Envoy Gateway signatures and prints its summary.
// Arguments go to the scorer (`pnpm parity --profile core`, `pnpm parity -- <case folder>`);
// `--full` prints every case's differences instead of the summary alone.
// Skips, with a message and exit code 0, where ../shared is absent (a fresh clone).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const parity = resolve(root, '../shared/conformance/xds-parity');
const statusCases = resolve(root, '../shared/conformance/gatewayapi-status/cases');

if (!existsSync(join(parity, 'compare.py')) || !existsSync(statusCases)) {
  console.log(`parity: skipped, the scorer is not here (${parity} or ${statusCases} is absent)`);
  process.exit(0);
}

const run = (command, args) => {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.error !== undefined) {
    console.error(`parity: cannot run ${command}: ${result.error.message}`);
    process.exit(1);
  }
  if (result.status !== 0) process.exit(result.status ?? 1);
};

const args = process.argv.slice(2).filter((arg) => arg !== '--');
const full = args.includes('--full');
const scorerArgs = args.filter((arg) => arg !== '--full');
const caseFolders = scorerArgs.some((arg) => !arg.startsWith('-') && existsSync(arg));

// The CLI and what it imports (turbo replays cached builds).
run('corepack', [
  'pnpm',
  'exec',
  'turbo',
  'run',
  'build',
  '--filter=@egts/gateway...',
  '--output-logs=errors-only',
]);
run('python3', [
  join(parity, 'compare.py'),
  '--expected',
  join(parity, 'cases'),
  ...(caseFolders ? [] : ['--cases', statusCases]),
  ...(full ? [] : ['--only-equal-summary']),
  ...scorerArgs,
]);
