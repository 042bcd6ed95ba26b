// HTTPRouteFilter fields: applied or not (see ../fieldRegistry.ts). A rule using a filter that
// sets a not-applied field is not accepted (the filter has no status of its own).
import type { KindFields } from '../fieldRegistry.js';
import { goldenProof } from './proofs.js';

const DIRECT_RESPONSE =
  'apps/conformance/src/tests/envoyGateway/httpRouteFilter.ts: EgtsDirectResponse';

export const httpRouteFilterFields: KindFields = {
  applied: {
    'spec.directResponse.statusCode': goldenProof('registry-applied-fields'),
    'spec.directResponse.body':
      'apps/conformance/src/tests/envoyGateway/httpRouteFilter.ts: DirectResponse',
    'spec.directResponse.contentType': DIRECT_RESPONSE,
    'spec.directResponse.header': DIRECT_RESPONSE,
    'spec.urlRewrite.path':
      'apps/conformance/src/tests/envoyGateway/httpRouteFilter.ts: HTTPRouteRewriteRegexPath',
    'spec.urlRewrite.hostname':
      'apps/conformance/src/tests/envoyGateway/httpRouteFilter.ts: EgtsHTTPRouteRewriteHost',
    'spec.urlRewrite.appendXForwardedHost':
      'apps/conformance/src/tests/envoyGateway/httpRouteFilter.ts: EgtsHTTPRouteRewriteHost',
    'spec.matches':
      'apps/conformance/src/tests/envoyGateway/httpRouteFilter.ts: HTTPRouteFilterCookieMatch',
    'spec.credentialInjection':
      'apps/conformance/src/tests/envoyGateway/httpRouteFilter.ts: CredentialInjectionBackendFilter',
  },
  notApplied: [],
};
