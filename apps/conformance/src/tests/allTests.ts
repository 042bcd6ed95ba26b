// Every conformance test this harness re-expresses, in the order they run.
import type { ConformanceTest } from '../conformanceTest.js';
import { backendTlsPolicyTests } from './backendTlsPolicy.js';
import { gatewayTests } from './gateway.js';
import { grpcRouteTests } from './grpcRoute.js';
import { httpRouteBasics } from './httpRouteBasics.js';
import { httpRouteCorsTests } from './httpRouteCors.js';
import { httpRouteExtended } from './httpRouteExtended.js';
import { httpRouteFilters } from './httpRouteFilters.js';
import { httpRouteInvalid } from './httpRouteInvalid.js';
import { httpRouteRetryTests } from './httpRouteRetry.js';
import { listenerSetTests } from './listenerSet.js';
import { notYetExpressed } from './notYetExpressed.js';
import { tlsRouteTests } from './tlsRoute.js';

export const allTests: readonly ConformanceTest[] = [
  ...gatewayTests,
  ...httpRouteBasics,
  ...httpRouteInvalid,
  ...httpRouteFilters,
  ...httpRouteExtended,
  ...httpRouteCorsTests,
  ...httpRouteRetryTests,
  ...listenerSetTests,
  ...backendTlsPolicyTests,
  ...tlsRouteTests,
  ...grpcRouteTests,
  ...notYetExpressed,
];
