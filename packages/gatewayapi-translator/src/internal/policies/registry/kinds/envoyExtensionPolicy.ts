// EnvoyExtensionPolicy fields: applied or not (see ../fieldRegistry.ts).
import type { KindFields } from '../fieldRegistry.js';
import { TARGETING_PROOF } from './proofs.js';

export const envoyExtensionPolicyFields: KindFields = {
  applied: {
    'spec.targetRef': TARGETING_PROOF,
    'spec.targetRefs': TARGETING_PROOF,
    'spec.targetSelectors': TARGETING_PROOF,
  },
  notApplied: ['spec.dynamicModule', 'spec.extProc', 'spec.lua', 'spec.mergeType', 'spec.wasm'],
};
