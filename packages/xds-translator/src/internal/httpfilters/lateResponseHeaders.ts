// ClientTrafficPolicy `headers.lateResponseHeaders`: response headers changed after every other
// filter and route has, by the header_mutation filter placed first in the chain (its response
// side runs last) (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/header_mutation_filter).
import { HeaderMutationFilter, HttpFilter, packAny } from '@egts/envoy-api';
import { headerMutations } from '../listener/clientTraffic.js';
import type { HttpFilterTranslator } from './httpFilter.js';

export const lateResponseHeadersFilter: HttpFilterTranslator = {
  // Listeners sharing a connection manager share its settings: the first one's apply.
  patchListener: ([listener]) => {
    const late = listener?.clientTraffic?.headers?.lateResponse;
    if (late === undefined) return [];
    return [
      HttpFilter.fromPartial({
        name: 'envoy.filters.http.header_mutation/late-response-headers',
        typedConfig: packAny(
          HeaderMutationFilter,
          HeaderMutationFilter.fromPartial({
            mutations: { responseMutations: headerMutations(late) },
          }),
        ),
      }),
    ];
  },
};
