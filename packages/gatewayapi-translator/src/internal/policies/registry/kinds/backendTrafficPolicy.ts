// BackendTrafficPolicy fields: applied or not (see ../fieldRegistry.ts).
import type { KindFields } from '../fieldRegistry.js';
import { TARGETING_PROOF } from './proofs.js';

export const backendTrafficPolicyFields: KindFields = {
  applied: {
    'spec.targetRef': TARGETING_PROOF,
    'spec.targetRefs': TARGETING_PROOF,
    'spec.targetSelectors': TARGETING_PROOF,
  },
  notApplied: [
    'spec.admissionControl',
    'spec.bandwidthLimit',
    'spec.circuitBreaker',
    'spec.compression',
    'spec.compressor',
    'spec.connection',
    'spec.dns',
    'spec.faultInjection',
    'spec.healthCheck',
    'spec.http2',
    'spec.httpUpgrade',
    'spec.loadBalancer',
    'spec.mergeType',
    'spec.proxyProtocol',
    'spec.rateLimit',
    'spec.requestBuffer',
    'spec.responseOverride',
    'spec.retry',
    'spec.routingType',
    'spec.tcpKeepalive',
    'spec.telemetry',
    'spec.timeout',
    'spec.useClientProtocol',
  ],
};
