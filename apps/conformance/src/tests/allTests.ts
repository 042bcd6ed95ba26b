// Every conformance test this harness re-expresses, in the order they run.
import type { ConformanceTest } from '../conformanceTest.js';
import { httpRouteBasics } from './httpRouteBasics.js';

export const allTests: readonly ConformanceTest[] = [...httpRouteBasics];
