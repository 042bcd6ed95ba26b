// Adds up the JSON reports vitest wrote in every package, for both tiers (vitest.shared.ts), into
// closing lines for CI: per tier `N passed, F failed, S skipped`, the packages with failures, and
// the packages that wrote no report at all (vitest crashed or never ran: counted as failed, so a
// package cannot drop out of the count silently), then each failing test with the first line of its
// error (CI shows only the tail of the log, so the tail must say what broke). Exits non-zero on any of those, or when no test ran.
//   node scripts/test-summary.mjs [test|test:heavy ...]   (default: both tiers)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const REPORTS = { test: '.vitest-report.json', 'test:heavy': '.vitest-heavy-report.json' };
const tiers = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(REPORTS);

/** Every workspace package (packages/*, apps/*) with its scripts. */
const packages = ['packages', 'apps']
  .filter((root) => existsSync(root))
  .flatMap((root) => readdirSync(root).map((name) => join(root, name)))
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .map((dir) => ({
    dir,
    scripts: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).scripts ?? {},
  }));

let ok = true;
let anyPassed = false;
for (const tier of tiers) {
  const report = REPORTS[tier];
  if (!report) throw new Error(`unknown tier ${tier}; known: ${Object.keys(REPORTS).join(', ')}`);
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const failing = [];
  const silent = [];
  const failures = [];
  for (const { dir, scripts } of packages) {
    if (!scripts[tier]) continue;
    const file = join(dir, report);
    if (!existsSync(file)) {
      silent.push(dir);
      continue;
    }
    const r = JSON.parse(readFileSync(file, 'utf8'));
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += r.numPendingTests + r.numTodoTests;
    // A file that failed to load (syntax error, a throwing import) fails no test but fails the run.
    const broken = r.numFailedTestSuites > 0 && r.numFailedTests === 0;
    if (r.numFailedTests > 0 || broken || r.success === false) failing.push(dir);
    for (const file of r.testResults ?? []) {
      const where = join(dir, file.name.split(`${dir}/`).pop() ?? file.name);
      if (file.status === 'failed' && (file.assertionResults ?? []).length === 0) {
        failures.push(`${where}: ${firstLine(file.message)}`);
      }
      for (const t of file.assertionResults ?? []) {
        if (t.status !== 'failed') continue;
        failures.push(`${where} > ${t.fullName}: ${firstLine(t.failureMessages?.[0])}`);
      }
    }
  }
  console.log(
    `${tier}: ${passed} passed, ${failed} failed, ${skipped} skipped` +
      (failing.length ? `; failing: ${failing.join(', ')}` : '') +
      (silent.length ? `; no report (did not run or crashed): ${silent.join(', ')}` : ''),
  );
  for (const f of failures) console.log(`  FAILED ${f}`);
  if (failed > 0 || failing.length > 0 || silent.length > 0) ok = false;
  if (passed > 0) anyPassed = true;
}
process.exit(ok && anyPassed ? 0 : 1);

/** The first non-empty line of an error message, cut to fit a log line. */
function firstLine(message) {
  const line = (message ?? '').split('\n').find((l) => l.trim()) ?? '(no message)';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
