// EnvoyPatchPolicy fields: applied or not (see ../fieldRegistry.ts). The patches themselves are
// not applied to the xDS output yet, so every EnvoyPatchPolicy reports NotApplied.
import type { KindFields } from '../fieldRegistry.js';
import { TARGETING_PROOF } from './proofs.js';

export const envoyPatchPolicyFields: KindFields = {
  applied: { 'spec.targetRef': TARGETING_PROOF },
  notApplied: ['spec.jsonPatches', 'spec.priority', 'spec.type'],
};
