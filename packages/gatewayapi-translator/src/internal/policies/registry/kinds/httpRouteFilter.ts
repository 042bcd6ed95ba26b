// HTTPRouteFilter fields: applied or not (see ../fieldRegistry.ts). A rule using a filter that
// sets a not-applied field is not accepted (the filter has no status of its own).
import type { KindFields } from '../fieldRegistry.js';
import { goldenProof } from './proofs.js';

export const httpRouteFilterFields: KindFields = {
  applied: {
    'spec.directResponse.statusCode': goldenProof('registry-applied-fields'),
  },
  notApplied: [
    'spec.credentialInjection',
    'spec.directResponse.body',
    'spec.directResponse.contentType',
    'spec.directResponse.header',
    'spec.matches',
    'spec.urlRewrite',
  ],
};
