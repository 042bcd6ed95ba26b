// `pnpm conformance [--suite gateway-api|envoy-gateway] [--profile NAME]... [--core|--extended]
// [--report FILE] [TEST...]`: runs the offline Gateway API conformance tests (or Envoy Gateway's
// e2e tests) and prints `conformance: N passed, F failed` last.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import {
  defaultEnvoyGatewayDir,
  defaultSuiteDir,
  runConformance,
  type Suite,
} from './runConformance.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    suite: { type: 'string', default: 'gateway-api' },
    profile: { type: 'string', multiple: true },
    core: { type: 'boolean', default: false },
    extended: { type: 'boolean', default: false },
    report: { type: 'string', default: 'conformance-report.yaml' },
    timeout: { type: 'string' },
  },
});

// Ctrl-C or SIGTERM: stop the Envoys and backends before exiting (nothing is left running).
const abort = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    console.log(`conformance: ${signal}, stopping`);
    abort.abort();
  });

const main = async (): Promise<number> => {
  if (values.suite !== 'gateway-api' && values.suite !== 'envoy-gateway')
    throw new Error(`--suite ${values.suite}: must be gateway-api or envoy-gateway`);
  const suite: Suite = values.suite;
  const suiteDir = suite === 'envoy-gateway' ? defaultEnvoyGatewayDir() : defaultSuiteDir();
  if (!suiteDir) {
    console.log(
      suite === 'envoy-gateway'
        ? "conformance: skipped, Envoy Gateway's e2e tests are not at ../shared/envoy-gateway/e2e (set EGTS_ENVOY_GATEWAY_E2E_DIR)"
        : 'conformance: skipped, the Gateway API conformance manifests are not at ../shared/gateway-api/conformance (set EGTS_CONFORMANCE_DIR)',
    );
    console.log('conformance: 0 passed, 0 failed');
    return 0;
  }
  const { outcomes, report } = await runConformance({
    suite,
    suiteDir,
    ...(values.profile ? { profiles: values.profile } : {}),
    ...(positionals.length > 0 ? { tests: positionals } : {}),
    ...(values.core
      ? { level: 'core' as const }
      : values.extended
        ? { level: 'extended' as const }
        : {}),
    ...(values.timeout ? { timeoutMs: Number(values.timeout) } : {}),
    log: (line) => console.log(line),
    signal: abort.signal,
  });
  writeFileSync(values.report, stringify(report));
  const passed = outcomes.filter((o) => o.result === 'passed').length;
  const failed = outcomes.filter((o) => o.result === 'failed').length;
  const skipped = outcomes.filter((o) => o.result === 'skipped').length;
  for (const profile of report.profiles) {
    const e = profile.extended?.statistics;
    console.log(
      `${profile.name}: core ${profile.core.statistics.Passed} passed, ${profile.core.statistics.Failed} failed, ${profile.core.statistics.Skipped} skipped` +
        (e ? `; extended ${e.Passed} passed, ${e.Failed} failed, ${e.Skipped} skipped` : ''),
    );
  }
  console.log(`report: ${values.report}${skipped > 0 ? ` (${skipped} skipped)` : ''}`);
  console.log(`conformance: ${passed} passed, ${failed} failed`);
  if (abort.signal.aborted) return 130;
  return failed > 0 ? 1 : 0;
};

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    console.log('conformance: 0 passed, 1 failed');
    process.exitCode = 1;
  },
);
