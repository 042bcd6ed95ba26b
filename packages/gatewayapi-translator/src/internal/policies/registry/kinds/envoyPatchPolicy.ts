// EnvoyPatchPolicy fields: applied or not (see ../fieldRegistry.ts). JSON pointer patches apply
// to the final xDS resources (@egts/xds-translator), at a JSON pointer or at each JSONPath match.
import type { KindFields } from '../fieldRegistry.js';
import { TARGETING_PROOF } from './proofs.js';

const PATCHES =
  'packages/xds-translator/src/__tests__/envoyPatches.test.ts: patches a listener by proto field names, as Envoy Gateway writes them';
const PRIORITY =
  'packages/gatewayapi-translator/src/__tests__/envoyPatchPolicy.test.ts: puts accepted policies in their fleet by priority';

export const envoyPatchPolicyFields: KindFields = {
  applied: {
    'spec.targetRef': TARGETING_PROOF,
    'spec.type': PATCHES,
    'spec.jsonPatches.name': PATCHES,
    'spec.jsonPatches.type': PATCHES,
    'spec.jsonPatches.operation.op': PATCHES,
    'spec.jsonPatches.operation.path': PATCHES,
    'spec.jsonPatches.operation.value': PATCHES,
    'spec.jsonPatches.operation.from':
      'packages/xds-translator/src/__tests__/envoyPatches.test.ts: moves and copies by from',
    'spec.jsonPatches.operation.jsonPath':
      'apps/conformance/src/tests/envoyGateway/envoyPatchPolicy.ts: EgtsEnvoyPatchPolicyJSONPath',
    'spec.priority': PRIORITY,
  },
  notApplied: [],
};
