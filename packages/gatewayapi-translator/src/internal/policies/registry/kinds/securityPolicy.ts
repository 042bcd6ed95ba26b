// SecurityPolicy fields: applied or not (see ../fieldRegistry.ts). Applied fields are proven by
// Envoy Gateway's e2e tests re-expressed in apps/conformance (`pnpm conformance --suite
// envoy-gateway`), through egts and real Envoy.
import type { KindFields } from '../fieldRegistry.js';
import { TARGETING_PROOF } from './proofs.js';

const e2e = (test: string) => `apps/conformance/src/tests/envoyGateway/securityPolicy.ts: ${test}`;
const BASIC_AUTH = e2e('BasicAuth');
const AUTHZ = e2e('AuthzWithHTTPMethodAndHeader');
const CORS = e2e('CORSFromSecurityPolicy');
const LOCAL_JWKS = e2e('LocalJWKSInline');

export const securityPolicyFields: KindFields = {
  applied: {
    'spec.targetRef': TARGETING_PROOF,
    'spec.targetRefs': TARGETING_PROOF,
    'spec.targetSelectors': TARGETING_PROOF,
    'spec.basicAuth.users': BASIC_AUTH,
    'spec.basicAuth.forwardUsernameHeader': BASIC_AUTH,
    'spec.authorization.defaultAction': e2e('AuthzWithDefaultActions'),
    'spec.authorization.rules.action': AUTHZ,
    'spec.authorization.rules.name': AUTHZ,
    'spec.authorization.rules.operation.methods': AUTHZ,
    'spec.authorization.rules.principal.headers': AUTHZ,
    'spec.cors.allowOrigins': CORS,
    'spec.cors.allowMethods': CORS,
    'spec.cors.allowHeaders': CORS,
    'spec.cors.exposeHeaders': CORS,
    'spec.jwt.optional': e2e('OptionalJWT'),
    'spec.jwt.providers.name': LOCAL_JWKS,
    'spec.jwt.providers.claimToHeaders': LOCAL_JWKS,
    'spec.jwt.providers.localJWKS.type': LOCAL_JWKS,
    'spec.jwt.providers.localJWKS.inline': LOCAL_JWKS,
    'spec.jwt.providers.localJWKS.valueRef': e2e('LocalJWKSValueRef'),
    'spec.jwt.providers.remoteJWKS.uri': e2e('OptionalJWT'),
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
