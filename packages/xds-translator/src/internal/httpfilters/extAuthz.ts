// SecurityPolicy extAuth with Envoy's ext_authz filter, HTTP or gRPC: one instance per policy
// (its own authorization service), disabled in the connection manager and enabled on the routes
// the policy protects; the service's cluster comes from its backendRefs
// (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/ext_authz_filter).
import { ApiVersion, ExtAuthz, ExtAuthzPerRoute, HttpFilter, packAny } from '@egts/envoy-api';
import type { ExtAuth } from '@egts/ir';
import { addDestination } from '../cluster/destinationClusters.js';
import { durationMs } from '../protoValues.js';
import { ROUTE_METADATA } from '../route/routeMetadata.js';
import { type HttpFilterTranslator, routesOf } from './httpFilter.js';
import { enabledOnRoute, instanceName, policiesWith, securityOf } from './securityPolicies.js';
import { serviceRetryPolicy } from './serviceRetry.js';

const NAME = 'envoy.filters.http.ext_authz';
/** Envoy Gateway's default authorization timeout. */
const DEFAULT_TIMEOUT_MS = 10_000;

const exact = (name: string) => ({ exact: name, ignoreCase: true });

/** `host:port` of the service's first endpoint. */
const authority = (ext: ExtAuth): string => {
  const endpoint = ext.destination.settings[0]?.endpoints[0];
  return endpoint ? `${endpoint.host}:${endpoint.port}` : 'ext-authz';
};

const extAuthz = (ext: ExtAuth): ExtAuthz => {
  const timeout = durationMs(ext.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const cluster = ext.destination.name;
  const common = {
    transportApiVersion: ApiVersion.V3,
    failureModeAllow: ext.failOpen,
    clearRouteCache: ext.recomputeRoute,
    routeMetadataContextNamespaces: ext.includeRouteMetadata ? [ROUTE_METADATA] : [],
    // A body larger than bodyToExtAuth.maxRequestBytes is answered 413, unchecked (the CRD).
    ...(ext.maxRequestBytes !== undefined
      ? { withRequestBody: { maxRequestBytes: ext.maxRequestBytes } }
      : {}),
    ...(ext.statusOnError !== undefined ? { statusOnError: { code: ext.statusOnError } } : {}),
  };
  if (ext.protocol === 'GRPC') {
    return ExtAuthz.fromPartial({
      ...common,
      grpcService: {
        envoyGrpc: { clusterName: cluster, authority: authority(ext) },
        timeout,
        ...(ext.retry ? { retryPolicy: serviceRetryPolicy(ext.retry) } : {}),
      },
      // Headers sent in the CheckRequest: all when none are listed.
      ...(ext.headersToExtAuth.length > 0
        ? { allowedHeaders: { patterns: ext.headersToExtAuth.map(exact) } }
        : {}),
    });
  }
  return ExtAuthz.fromPartial({
    ...common,
    httpService: {
      // The URI only names the service (Host); the cluster decides where the check goes.
      serverUri: {
        uri: `http://${authority(ext)}${ext.pathOverride ?? ext.path ?? ''}`,
        cluster,
        timeout,
      },
      pathPrefix: ext.path ?? '',
      // The check goes to this path instead of the client's (after any path prefix).
      pathOverride: ext.pathOverride ?? '',
      ...(ext.retry ? { retryPolicy: serviceRetryPolicy(ext.retry) } : {}),
      authorizationRequest:
        ext.headersToExtAuth.length > 0
          ? { allowedHeaders: { patterns: ext.headersToExtAuth.map(exact) } }
          : {},
      // Envoy refuses an empty matcher list: no headersToBackend, no allowed upstream headers.
      authorizationResponse:
        ext.headersToBackend.length > 0
          ? { allowedUpstreamHeaders: { patterns: ext.headersToBackend.map(exact) } }
          : {},
    },
  });
};

export const extAuthzFilter: HttpFilterTranslator = {
  resourcesPerRoute: true,
  patchListener: (listeners) =>
    policiesWith(listeners, 'extAuth').map(({ policy, extAuth }) =>
      HttpFilter.fromPartial({
        name: instanceName(NAME, policy),
        disabled: true,
        typedConfig: packAny(ExtAuthz, extAuthz(extAuth)),
      }),
    ),
  routeConfigOf: securityOf,
  patchRoute: (route) =>
    route.security?.extAuth === undefined
      ? undefined
      : {
          [instanceName(NAME, route.security.policy)]: enabledOnRoute(
            packAny(
              ExtAuthzPerRoute,
              ExtAuthzPerRoute.fromPartial({
                checkSettings: { contextExtensions: route.security.extAuth.contextExtensions },
              }),
            ),
          ),
        },
  addResources: (listener, out) => {
    for (const route of routesOf([listener])) {
      const ext = route.security?.extAuth;
      if (ext) addDestination(ext.destination, out, { single: true });
    }
  },
};
