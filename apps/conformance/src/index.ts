// @egts/conformance: Gateway API conformance run offline through egts and real Envoy.
export type {
  ConformanceTest,
  Feature,
  GatewayRef,
  HttpExpectation,
  StatusExpectation,
  TestHarness,
} from './conformanceTest.js';
export type { TestOutcome } from './internal/harness.js';
export { levelIn, PROFILES, type Profile } from './profiles.js';
export type { ConformanceReport } from './report.js';
export {
  defaultSuiteDir,
  type RunOptions,
  type RunResult,
  runConformance,
  selectTests,
} from './runConformance.js';
export { allTests } from './tests/allTests.js';
