// The heavy tier: Envoy Gateway's large shape (JWT, authorization, CORS filters, GRPC and UDP
// routes) printed resource by resource as the whole-document writers print it.
import { describe, expect, it } from 'vitest';
import { largeScenario } from '../scenarios.js';
import { expectStreamedAsWhole } from './streamedOutput.js';

describe('streamed Envoy output, large shape', () => {
  it('prints the large shape resource by resource as the whole-document writers', () => {
    expect(expectStreamedAsWhole(largeScenario())).toBeGreaterThan(1_000_000);
  });
});
