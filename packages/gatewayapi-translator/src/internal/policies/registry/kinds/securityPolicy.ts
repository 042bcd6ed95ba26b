// SecurityPolicy fields: applied or not (see ../fieldRegistry.ts).
import type { KindFields } from '../fieldRegistry.js';
import { TARGETING_PROOF } from './proofs.js';

export const securityPolicyFields: KindFields = {
  applied: {
    'spec.targetRef': TARGETING_PROOF,
    'spec.targetRefs': TARGETING_PROOF,
    'spec.targetSelectors': TARGETING_PROOF,
  },
  notApplied: [
    'spec.apiKeyAuth',
    'spec.authorization',
    'spec.basicAuth',
    'spec.cors',
    'spec.csrf',
    'spec.extAuth',
    'spec.jwt',
    'spec.mergeType',
    'spec.oidc',
  ],
};
