// An HTTP or HTTPS IR listener -> an Envoy Listener running the HTTP connection manager, and its
// RouteConfiguration. HTTPS gets one filter chain per hostname, matched by SNI, so a client
// asking for a name the Gateway does not serve is refused at the handshake
// (https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto).
import {
  FilterChain,
  HttpConnectionManager,
  HttpConnectionManager_CodecType,
  HttpConnectionManager_PathWithEscapedSlashesAction,
  Listener,
  type RouteConfiguration,
  TlsInspector,
} from '@egts/envoy-api';
import type { HTTPListener } from '@egts/ir';
import { HTTP_FILTERS } from '../httpfilters/httpFilters.js';
import { adsConfigSource, socketAddress, stdoutAccessLog, typedConfig } from '../protoValues.js';
import type { ResourceSet } from '../resourceSet.js';
import { routeConfiguration } from '../route/routeConfiguration.js';
import { downstreamTlsSocket, TLS_INSPECTOR } from './downstreamTls.js';

const connectionManager = (
  listener: HTTPListener,
  routes: RouteConfiguration,
  out: ResourceSet,
): HttpConnectionManager =>
  HttpConnectionManager.fromPartial({
    statPrefix: `${listener.tls === undefined ? 'http' : 'https'}-${listener.port}`,
    // HTTP/1.1, and HTTP/2 by ALPN or prior knowledge (h2c, gRPC).
    codecType: HttpConnectionManager_CodecType.AUTO,
    ...(out.mode === 'ads'
      ? { rds: { configSource: adsConfigSource(), routeConfigName: routes.name } }
      : { routeConfig: routes }),
    httpFilters: HTTP_FILTERS.map((filter) => filter.patchListener(listener)).filter(
      (filter) => filter !== undefined,
    ),
    accessLog: [stdoutAccessLog()],
    useRemoteAddress: true,
    // Envoy's path normalisation hardening, as Envoy Gateway sets it
    // (https://www.envoyproxy.io/docs/envoy/latest/configuration/best_practices/edge).
    normalizePath: true,
    mergeSlashes: true,
    pathWithEscapedSlashesAction:
      HttpConnectionManager_PathWithEscapedSlashesAction.UNESCAPE_AND_REDIRECT,
    upgradeConfigs: [{ upgradeType: 'websocket', filters: [] }],
  });

export const addHttpListener = (listener: HTTPListener, out: ResourceSet): void => {
  for (const filter of HTTP_FILTERS) filter.addResources?.(listener, out);
  const routes = routeConfiguration(listener, out);
  out.addRoute(routes);
  const hcm = typedConfig(
    'envoy.filters.network.http_connection_manager',
    HttpConnectionManager,
    connectionManager(listener, routes, out),
  );
  const tls = listener.tls?.mode === 'Terminate' ? listener.tls : undefined;
  const hostnames = listener.hostnames.length === 0 ? ['*'] : listener.hostnames;
  const filterChains =
    tls === undefined
      ? [FilterChain.fromPartial({ name: listener.name, filters: [hcm] })]
      : hostnames.map((hostname) =>
          FilterChain.fromPartial({
            name: `${listener.name}/${hostname}`,
            // "*" (no Gateway hostname) catches every SNI, and clients that send none.
            ...(hostname === '*' ? {} : { filterChainMatch: { serverNames: [hostname] } }),
            filters: [hcm],
            transportSocket: downstreamTlsSocket(tls, out),
          }),
        );
  out.addListener(
    Listener.fromPartial({
      name: listener.name,
      address: socketAddress(listener.address, listener.port),
      ...(tls === undefined
        ? {}
        : {
            listenerFilters: [
              typedConfig(TLS_INSPECTOR, TlsInspector, TlsInspector.fromPartial({})),
            ],
          }),
      filterChains,
    }),
  );
};
