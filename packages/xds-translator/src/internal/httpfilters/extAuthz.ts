// SecurityPolicy extAuth with Envoy's ext_authz filter, HTTP or gRPC: one instance per policy
// (its own authorization service), disabled in the connection manager and enabled on the routes
// the policy protects; the service's cluster comes from its backendRefs
// (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/ext_authz_filter).
import { ApiVersion, ExtAuthz, ExtAuthzPerRoute, HttpFilter, packAny } from '@egts/envoy-api';
import type { ExtAuth } from '@egts/ir';
import { addDestination } from '../cluster/destinationClusters.js';
import { durationMs } from '../protoValues.js';
import { type HttpFilterTranslator, routesOf } from './httpFilter.js';
import { enabledOnRoute, instanceName, policiesWith } from './securityPolicies.js';

const NAME = 'envoy.filters.http.ext_authz';
/** Envoy Gateway's default authorization timeout. */
const DEFAULT_TIMEOUT_MS = 10_000;

const exact = (name: string) => ({ exact: name, ignoreCase: true });

const extAuthz = (ext: ExtAuth): ExtAuthz => {
  const timeout = durationMs(ext.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const cluster = ext.destination.name;
  const common = {
    transportApiVersion: ApiVersion.V3,
    failureModeAllow: ext.failOpen,
  };
  if (ext.protocol === 'GRPC') {
    return ExtAuthz.fromPartial({
      ...common,
      grpcService: { envoyGrpc: { clusterName: cluster, authority: cluster }, timeout },
    });
  }
  return ExtAuthz.fromPartial({
    ...common,
    httpService: {
      serverUri: { uri: `http://${cluster}${ext.path ?? ''}`, cluster, timeout },
      pathPrefix: ext.path ?? '',
      authorizationRequest:
        ext.headersToExtAuth.length > 0
          ? { allowedHeaders: { patterns: ext.headersToExtAuth.map(exact) } }
          : {},
      authorizationResponse: {
        allowedUpstreamHeaders: { patterns: ext.headersToBackend.map(exact) },
      },
    },
  });
};

export const extAuthzFilter: HttpFilterTranslator = {
  patchListener: (listeners) =>
    policiesWith(listeners, 'extAuth').map(({ policy, extAuth }) =>
      HttpFilter.fromPartial({
        name: instanceName(NAME, policy),
        disabled: true,
        typedConfig: packAny(ExtAuthz, extAuthz(extAuth)),
      }),
    ),
  patchRoute: (route) =>
    route.security?.extAuth === undefined
      ? undefined
      : {
          [instanceName(NAME, route.security.policy)]: enabledOnRoute(
            packAny(ExtAuthzPerRoute, ExtAuthzPerRoute.fromPartial({ checkSettings: {} })),
          ),
        },
  addResources: (listener, out) => {
    for (const route of routesOf([listener])) {
      const ext = route.security?.extAuth;
      if (ext) addDestination(ext.destination, out, { single: true });
    }
  },
};
