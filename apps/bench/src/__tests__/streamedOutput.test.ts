// `egts translate -o xds` streamed prints what it printed whole, on the bench's HTTP scenario
// (Envoy Gateway's large shape: streamedOutput.heavy.test.ts).
import { describe, expect, it } from 'vitest';
import { httpScenario } from '../scenarios.js';
import { expectStreamedAsWhole } from './streamedOutput.js';

describe('streamed Envoy output', () => {
  it('prints the HTTP scenario resource by resource as the whole-document writers', () => {
    expect(expectStreamedAsWhole(httpScenario({ routes: 200 }))).toBeGreaterThan(100_000);
  });
});
