// The suite's ConformanceReport (conformance/apis/v1): per profile, core and extended results with
// statistics, supported features, and skipped and failed tests with their reasons.
import type { ConformanceTest } from './conformanceTest.js';
import type { TestOutcome } from './internal/harness.js';
import { type Level, levelIn, PROFILES, type Profile } from './profiles.js';

interface LevelReport {
  result: 'success' | 'failure' | 'partial';
  statistics: { Passed: number; Failed: number; Skipped: number };
  failedTests?: string[];
  skippedTests?: string[];
  supportedFeatures?: string[];
  unsupportedFeatures?: string[];
}

export interface ConformanceReport {
  apiVersion: 'gateway.networking.k8s.io/v1';
  kind: 'ConformanceReport';
  date: string;
  implementation: {
    organization: string;
    project: string;
    url: string;
    version: string;
    contact: string[];
  };
  gatewayAPIVersion: string;
  gatewayAPIChannel: string;
  mode: string;
  profiles: Array<{ name: string; summary: string; core: LevelReport; extended?: LevelReport }>;
  succeededProvisionalTests?: string[];
  /** Not in the upstream format's required fields: why each failed or skipped test did so. */
  testResults: Array<{ name: string; result: string; reason?: string }>;
}

const levelReport = (outcomes: readonly TestOutcome[]): LevelReport => {
  const count = (r: TestOutcome['result']) => outcomes.filter((o) => o.result === r).length;
  const stats = { Passed: count('passed'), Failed: count('failed'), Skipped: count('skipped') };
  const report: LevelReport = {
    result: stats.Failed > 0 ? 'failure' : stats.Skipped > 0 ? 'partial' : 'success',
    statistics: stats,
  };
  const failed = outcomes.filter((o) => o.result === 'failed').map((o) => o.name);
  const skipped = outcomes.filter((o) => o.result === 'skipped').map((o) => o.name);
  if (failed.length > 0) report.failedTests = failed;
  if (skipped.length > 0) report.skippedTests = skipped;
  return report;
};

const summary = (level: string, report: LevelReport): string =>
  report.result === 'success'
    ? `${level} tests succeeded.`
    : `${level} tests ${report.result === 'failure' ? 'failed' : 'partially succeeded'} with ${report.statistics.Failed} test failures and ${report.statistics.Skipped} skipped.`;

export const buildReport = (
  tests: readonly ConformanceTest[],
  outcomes: readonly TestOutcome[],
  options: {
    version: string;
    gatewayAPIVersion: string;
    profiles: readonly string[];
    /** The profiles the names come from; default Gateway API's. */
    available?: readonly Profile[];
  },
): ConformanceReport => {
  const byName = new Map(outcomes.map((o) => [o.name, o]));
  const profiles: ConformanceReport['profiles'] = [];
  const available = options.available ?? PROFILES;
  for (const profile of available.filter((p) => options.profiles.includes(p.name))) {
    const at = (level: Level) =>
      tests
        .filter((t) => levelIn(t, profile) === level && byName.has(t.name))
        .map((t) => byName.get(t.name)!);
    const coreOutcomes = at('core');
    const extendedOutcomes = at('extended');
    if (coreOutcomes.length === 0 && extendedOutcomes.length === 0) continue;
    const core = levelReport(coreOutcomes);
    const extended = levelReport(extendedOutcomes);
    // Supported: the features of extended tests that ran here (skipped ones claim nothing).
    const used = new Set(
      tests
        .filter(
          (t) => levelIn(t, profile) === 'extended' && byName.get(t.name)?.result !== 'skipped',
        )
        .flatMap((t) => t.features),
    );
    extended.supportedFeatures = profile.extended.filter((f) => used.has(f)).sort();
    extended.unsupportedFeatures = profile.extended.filter((f) => !used.has(f)).sort();
    profiles.push({
      name: profile.name,
      summary: `${summary('Core', core)} ${summary('Extended', extended)}`,
      core,
      ...(extendedOutcomes.length > 0 ? { extended } : {}),
    });
  }
  const provisional = tests
    .filter((t) => t.provisional && byName.get(t.name)?.result === 'passed')
    .map((t) => t.name);
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'ConformanceReport',
    date: new Date().toISOString(),
    implementation: {
      organization: 'egts',
      project: 'egts',
      url: 'https://github.com/egts/egts',
      version: options.version,
      contact: [],
    },
    gatewayAPIVersion: options.gatewayAPIVersion,
    gatewayAPIChannel: 'experimental',
    mode: 'default',
    profiles,
    ...(provisional.length > 0 ? { succeededProvisionalTests: provisional } : {}),
    testResults: outcomes.map((o) => ({
      name: o.name,
      result: o.result,
      ...(o.reason ? { reason: o.reason } : {}),
    })),
  };
};
