// Backend fields: applied or not (see ../fieldRegistry.ts). Endpoints by FQDN or IP become the
// cluster's endpoints; TLS origination, Unix sockets, fallback and DynamicResolver do not yet.
import type { KindFields } from '../fieldRegistry.js';
import { goldenProof } from './proofs.js';

const ENDPOINTS = goldenProof('registry-applied-fields');

export const backendFields: KindFields = {
  applied: {
    'spec.endpoints.fqdn.hostname': ENDPOINTS,
    'spec.endpoints.fqdn.port': ENDPOINTS,
    'spec.endpoints.ip.address': ENDPOINTS,
    'spec.endpoints.ip.port': ENDPOINTS,
  },
  notApplied: [
    'spec.appProtocols',
    'spec.endpoints.hostname',
    'spec.endpoints.unix',
    'spec.endpoints.zone',
    'spec.fallback',
    'spec.tls',
    'spec.type',
  ],
};
