// ClientTrafficPolicy fields: applied or not (see ../fieldRegistry.ts).
import type { KindFields } from '../fieldRegistry.js';
import { TARGETING_PROOF } from './proofs.js';

export const clientTrafficPolicyFields: KindFields = {
  applied: {
    'spec.targetRef': TARGETING_PROOF,
    'spec.targetRefs': TARGETING_PROOF,
    'spec.targetSelectors': TARGETING_PROOF,
  },
  notApplied: [
    'spec.clientIPDetection',
    'spec.connection',
    'spec.enableProxyProtocol',
    'spec.grpc',
    'spec.headers',
    'spec.healthCheck',
    'spec.http1',
    'spec.http2',
    'spec.http3',
    'spec.path',
    'spec.proxyProtocol',
    'spec.scheme',
    'spec.tcpKeepalive',
    'spec.timeout',
    'spec.tls',
  ],
};
