// @egts/conformance: Gateway API conformance, and Envoy Gateway's e2e tests, run offline through
// egts and real Envoy.
export type {
  ConformanceTest,
  Feature,
  GatewayRef,
  HttpExpectation,
  StatusExpectation,
  TestHarness,
} from './conformanceTest.js';
export type { TestOutcome } from './internal/harness.js';
export { ENVOY_GATEWAY_PROFILES, levelIn, PROFILES, type Profile } from './profiles.js';
export type { ConformanceReport } from './report.js';
export {
  defaultEnvoyGatewayDir,
  defaultSuiteDir,
  type RunOptions,
  type RunResult,
  runConformance,
  type Suite,
  selectTests,
} from './runConformance.js';
export { allTests } from './tests/allTests.js';
