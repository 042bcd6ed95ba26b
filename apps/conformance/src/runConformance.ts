// Selects conformance tests (all, some profiles, or by name), runs them one after another through
// egts and real Envoy, and builds the ConformanceReport.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConformanceTest } from './conformanceTest.js';
import type { KubeObject, StandIn } from './internal/cluster.js';
import { startDnsServer } from './internal/dnsServer.js';
import { startExtAuthServer } from './internal/extAuthServer.js';
import { startExtProcServer } from './internal/extProcServer.js';
import {
  ENVOY_GATEWAY_LAYOUT,
  GATEWAY_API_LAYOUT,
  GLOBAL_RATE_LIMIT,
  Harness,
  type SuiteLayout,
  type TestOutcome,
} from './internal/harness.js';
import { mountedCertificate } from './internal/mountedCertificate.js';
import { startOciRegistry } from './internal/ociRegistry.js';
import { startOpenIdProvider } from './internal/openIdProvider.js';
import { startOrcaBackend } from './internal/orcaBackend.js';
import { startPreserveCaseServer } from './internal/preserveCaseServer.js';
import { startStaticFileServer } from './internal/staticFileServer.js';
import { telemetryAddonObjects, telemetryCollectorStandIn } from './internal/telemetryAddon.js';
import { startWasmSourceServer } from './internal/wasmSourceServer.js';
import { ENVOY_GATEWAY_PROFILES, levelIn, PROFILES, type Profile } from './profiles.js';
import { buildReport, type ConformanceReport } from './report.js';
import { allTests } from './tests/allTests.js';
import { envoyGatewayTests } from './tests/envoyGateway/envoyGatewayTests.js';

export interface RunOptions {
  /** Which suite: Gateway API's conformance (default) or Envoy Gateway's e2e tests. */
  readonly suite?: Suite;
  /** The suite's manifests; default `../shared/gateway-api/conformance` from the repository root. */
  readonly suiteDir?: string;
  /** Profile names; default all three. */
  readonly profiles?: readonly string[];
  /** Only these tests (by name). */
  readonly tests?: readonly string[];
  /** Only core (or extended) tests of the selected profiles. */
  readonly level?: 'core' | 'extended';
  readonly timeoutMs?: number;
  readonly log?: (line: string) => void;
  /** Aborting stops every Envoy and backend at once and ends the run after the current test. */
  readonly signal?: AbortSignal;
}

export interface RunResult {
  readonly outcomes: readonly TestOutcome[];
  readonly report: ConformanceReport;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export type Suite = 'gateway-api' | 'envoy-gateway';

/** Envoy Gateway's e2e folder (`../shared/envoy-gateway/e2e`), or undefined when absent. */
export const defaultEnvoyGatewayDir = (): string | undefined => {
  const dir =
    process.env.EGTS_ENVOY_GATEWAY_E2E_DIR ??
    join(repoRoot, '..', 'shared', 'envoy-gateway', 'e2e');
  return existsSync(join(dir, 'base', 'manifests.yaml')) ? dir : undefined;
};

/** Envoy Gateway's example Wasm module (its static file server's files). */
const WASM_EXAMPLE = 'envoy_filter_http_wasm_example.wasm';

/** What differs between the suites: their tests, folder layout, profiles and stand-ins. */
const suiteSetup = (
  suite: Suite,
  suiteDir: string,
): {
  tests: readonly ConformanceTest[];
  profiles: readonly Profile[];
  layout: SuiteLayout;
  standIns: StandIn[];
  addons: KubeObject[];
} =>
  suite === 'envoy-gateway'
    ? {
        tests: envoyGatewayTests(suiteDir),
        profiles: ENVOY_GATEWAY_PROFILES,
        layout: ENVOY_GATEWAY_LAYOUT,
        // Envoy Gateway's e2e install adds the observability add-ons (monitoring namespace).
        addons: telemetryAddonObjects(),
        standIns: [
          telemetryCollectorStandIn,
          { image: 'gateway-envoy-ext-auth', start: startExtAuthServer },
          // egts's own ext_proc tests (a plaintext stand-in of the e2e grpc-ext-proc server).
          { image: 'egts-ext-proc', start: startExtProcServer },
          // The e2e grpc-ext-proc image (TLS, usage reported for UsageRateLimit).
          { image: 'gateway-grpc-ext-proc', start: startExtProcServer },
          {
            image: 'keycloak/keycloak',
            start: (namespace, _pod, deployment, get) =>
              startOpenIdProvider(() => mountedCertificate(deployment, namespace, get)),
          },
          // The registry the WasmOCIImageCodeSource test pushes its Wasm image to.
          { image: 'registry:2', start: startOciRegistry },
          { image: 'gateway-preserve-case-backend', start: startPreserveCaseServer },
          // ORCA load reports in response headers (BackendUtilization load balancing).
          { image: 'gateway-backend-utilization', start: startOrcaBackend },
          // The CoreDNS pod of the UDPRoute tests (its Corefile's whoami zones).
          { image: 'coredns/coredns', start: startDnsServer },
          // egts's pullPolicy test: a module its publisher replaces (wasmPullPolicy.ts).
          {
            image: 'egts-wasm-source',
            start: () =>
              startWasmSourceServer(
                join(suiteDir, 'servers', 'static-file-server', 'files', 'wasm', WASM_EXAMPLE),
              ),
          },
          {
            image: 'gateway-static-file-server',
            start: (namespace, pod, deployment, get) =>
              startStaticFileServer(
                join(suiteDir, 'servers', 'static-file-server', 'files'),
                namespace,
                pod,
                mountedCertificate(deployment, namespace, get),
              ),
          },
        ],
      }
    : {
        tests: allTests,
        profiles: PROFILES,
        layout: GATEWAY_API_LAYOUT,
        standIns: [],
        addons: [],
      };

/** Where the suite's manifests are, or undefined when this machine has none (a fresh clone). */
export const defaultSuiteDir = (): string | undefined => {
  const dir =
    process.env.EGTS_CONFORMANCE_DIR ??
    join(repoRoot, '..', 'shared', 'gateway-api', 'conformance');
  return existsSync(join(dir, 'base', 'manifests.yaml')) ? dir : undefined;
};

/** The tests the options select, in the suite's order. */
export const selectTests = (
  options: RunOptions,
  tests: readonly ConformanceTest[] = allTests,
  available: readonly Profile[] = PROFILES,
): ConformanceTest[] => {
  const profiles = available.filter((p) =>
    (options.profiles ?? available.map((q) => q.name)).includes(p.name),
  );
  return tests.filter((test) => {
    if (options.tests && !options.tests.includes(test.name)) return false;
    return profiles.some((p) => {
      const level = levelIn(test, p);
      return level !== undefined && (options.level === undefined || level === options.level);
    });
  });
};

export const runConformance = async (options: RunOptions = {}): Promise<RunResult> => {
  const suite = options.suite ?? 'gateway-api';
  const suiteDir =
    options.suiteDir ?? (suite === 'envoy-gateway' ? defaultEnvoyGatewayDir() : defaultSuiteDir());
  if (!suiteDir) throw new Error(`the ${suite} suite's manifests are not here`);
  const log = options.log ?? (() => {});
  const setup = suiteSetup(suite, suiteDir);
  const tests = selectTests(options, setup.tests, setup.profiles);
  const unknown = (options.tests ?? []).filter((name) => !setup.tests.some((t) => t.name === name));
  if (unknown.length > 0) throw new Error(`no such conformance test: ${unknown.join(', ')}`);
  const harness = new Harness({
    suiteDir,
    layout: setup.layout,
    standIns: setup.standIns,
    addons: setup.addons,
    rateLimit: tests.some((t) => t.features.includes(GLOBAL_RATE_LIMIT) && t.skip === undefined),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    log,
  });
  const outcomes: TestOutcome[] = [];
  const stop = () => void harness.close();
  options.signal?.addEventListener('abort', stop, { once: true });
  try {
    await harness.start();
    for (const test of tests) {
      if (options.signal?.aborted) break;
      const outcome = await harness.run(test);
      outcomes.push(outcome);
      const mark =
        outcome.result === 'passed' ? 'PASS' : outcome.result === 'failed' ? 'FAIL' : 'SKIP';
      log(`${mark} ${test.name} (${outcome.ms} ms)${outcome.reason ? `: ${outcome.reason}` : ''}`);
    }
  } finally {
    options.signal?.removeEventListener('abort', stop);
    await harness.close();
  }
  const report = buildReport(tests, outcomes, {
    version: '0.0.0',
    gatewayAPIVersion: 'v1.6.1',
    profiles: options.profiles ?? setup.profiles.map((p) => p.name),
    available: setup.profiles,
  });
  return { outcomes, report };
};
