// Every Envoy Gateway e2e test this harness re-expresses, in the order they run.
import type { ConformanceTest } from '../../conformanceTest.js';
import { backendTests } from './backend.js';
import { backendHealthCheckTests } from './backendHealthCheck.js';
import { backendL4Tests } from './backendL4.js';
import { backendTrafficPolicyTests } from './backendTrafficPolicy.js';
import { backendTrafficResilienceTests } from './backendTrafficResilience.js';
import { backendTrafficTargetingTests } from './backendTrafficTargeting.js';
import { backendUpgradeTest } from './backendUpgrade.js';
import { clientTrafficPolicyTests } from './clientTrafficPolicy.js';
import { dynamicModuleTests } from './dynamicModule.js';
import { dynamicResolverTests } from './dynamicResolver.js';
import { egtsSecurityPolicyTests } from './egtsSecurityPolicy.js';
import { envoyExtensionPolicyTests } from './envoyExtensionPolicy.js';
import { envoyPatchPolicyTests } from './envoyPatchPolicy.js';
import { extAuthTests } from './extAuth.js';
import { globalRateLimitTests } from './globalRateLimit.js';
import { httpRouteFilterTests } from './httpRouteFilter.js';
import { loadBalancingTests } from './loadBalancing.js';
import { localRateLimitOptionsTest } from './localRateLimitOptions.js';
import { httpRouteMixedBackendsTest } from './mixedBackends.js';
import {
  oidcBackendClusterTest,
  oidcDefaultTokenTTLTest,
  oidcDiscoveryTest,
  oidcOptionsTest,
  oidcTest,
} from './oidc.js';
import { responseOverrideTests } from './responseOverride.js';
import { securityPolicyTests } from './securityPolicy.js';
import { sessionPersistenceTest } from './sessionPersistence.js';
import { telemetryAccessLogTests } from './telemetryAccessLog.js';
import { telemetryMetricsTests } from './telemetryMetrics.js';
import { telemetryTracingTests } from './telemetryTracing.js';
import { wasmOciTest } from './wasmOci.js';
import { wasmPullPolicyTest } from './wasmPullPolicy.js';
import { weightedRouteTest } from './weightedRoute.js';

/** The tests, for Envoy Gateway's e2e folder `suiteDir` (some read data from its Go files). */
export const envoyGatewayTests = (suiteDir: string): ConformanceTest[] => [
  ...securityPolicyTests(suiteDir),
  oidcTest(suiteDir),
  oidcBackendClusterTest,
  oidcOptionsTest,
  oidcDiscoveryTest,
  oidcDefaultTokenTTLTest,
  ...extAuthTests(),
  ...egtsSecurityPolicyTests(),
  ...backendTrafficPolicyTests(),
  localRateLimitOptionsTest,
  ...backendTrafficResilienceTests(),
  ...responseOverrideTests(suiteDir),
  ...loadBalancingTests(),
  weightedRouteTest,
  sessionPersistenceTest,
  backendUpgradeTest,
  ...backendHealthCheckTests(),
  ...backendTrafficTargetingTests(),
  ...clientTrafficPolicyTests(),
  ...globalRateLimitTests(suiteDir),
  ...envoyPatchPolicyTests(),
  ...envoyExtensionPolicyTests(),
  wasmOciTest(suiteDir),
  wasmPullPolicyTest,
  ...dynamicModuleTests(),
  ...httpRouteFilterTests(),
  ...backendTests(),
  httpRouteMixedBackendsTest,
  ...telemetryAccessLogTests(),
  ...telemetryTracingTests(),
  ...telemetryMetricsTests(),
  ...backendL4Tests(),
  ...dynamicResolverTests(),
];
