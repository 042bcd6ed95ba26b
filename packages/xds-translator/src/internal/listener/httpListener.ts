// HTTP and HTTPS IR listeners -> filter chains running the HTTP connection manager, and their
// RouteConfigurations. Plain HTTP listeners on one port share one chain and one route config;
// each HTTPS listener gets its own route config and one chain per hostname, matched by SNI, so
// a client asking for a name the Gateway does not serve is refused at the handshake
// (https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto).
import {
  FilterChain,
  HttpConnectionManager,
  HttpConnectionManager_CodecType,
  HttpConnectionManager_PathWithEscapedSlashesAction,
  HttpConnectionManager_ServerHeaderTransformation,
  type HttpConnectionManager_Tracing,
  type HttpFilter,
  type RouteConfiguration,
  HttpProtocolOptions_HeadersWithUnderscoresAction as UnderscoresAction,
} from '@egts/envoy-api';
import type { HeaderSettings, HTTPListener } from '@egts/ir';
import { headerSettings, http2Settings } from '../defaults.js';
import type { AccessLog } from '../envoyTypes.js';
import { orderHttpFilters } from '../httpfilters/filterOrder.js';
import { HTTP_FILTERS } from '../httpfilters/httpFilters.js';
import { withUpstreamLog } from '../httpfilters/router.js';
import { adsConfigSource, typedConfig } from '../protoValues.js';
import type { ResourceSet } from '../resourceSet.js';
import { routeConfiguration } from '../route/routeConfiguration.js';
import type { ChainClaims } from './chainClaims.js';
import {
  connectionFilters,
  connectionManagerSettings,
  servesHttp3,
  tlsChainSettings,
} from './clientTraffic.js';
import { downstreamTlsSocket, quicTlsSocket } from './downstreamTls.js';
import { memoizedFilters } from './filterMemo.js';

/**
 * The HCM's filters: what each known filter needs for these listeners, in list order; each
 * filter's entries reused while what it read of the listeners is unchanged (filterMemo.ts).
 */
const httpFilters = (listeners: readonly HTTPListener[], out: ResourceSet): HttpFilter[] =>
  orderHttpFilters(
    memoizedFilters(out.memo.httpFilters, HTTP_FILTERS, listeners, out.mode),
    listeners[0]?.filterOrder,
  );

const UNDERSCORES_ACTIONS: Record<
  NonNullable<HeaderSettings['withUnderscoresAction']>,
  UnderscoresAction
> = {
  Allow: UnderscoresAction.ALLOW,
  RejectRequest: UnderscoresAction.REJECT_REQUEST,
  DropHeader: UnderscoresAction.DROP_HEADER,
};

/** What every connection manager of a fleet reports: its access logs and its request tracing. */
export interface HcmTelemetry {
  readonly accessLog: AccessLog[];
  /** Access logs of each upstream request (the router's). */
  readonly upstreamLog: AccessLog[];
  readonly tracing?: HttpConnectionManager_Tracing | undefined;
  /** The UUID request ID's trace settings, when not Envoy's default. */
  readonly requestIdExtension?: HttpConnectionManager['requestIdExtension'];
}

const connectionManager = (
  first: HTTPListener,
  listeners: readonly HTTPListener[],
  routes: RouteConfiguration,
  out: ResourceSet,
  telemetry: HcmTelemetry,
  http3 = false,
) => {
  const message = connectionManagerSettings(
    first,
    HttpConnectionManager.fromPartial({
      statPrefix: `${first.tls === undefined ? 'http' : 'https'}-${first.port}`,
      // HTTP/1.1, and HTTP/2 by ALPN or prior knowledge (h2c, gRPC); HTTP/3 on QUIC chains.
      ...(http3
        ? { codecType: HttpConnectionManager_CodecType.HTTP3, http3ProtocolOptions: {} }
        : { codecType: HttpConnectionManager_CodecType.AUTO }),
      ...(out.mode === 'ads'
        ? { rds: { configSource: adsConfigSource(), routeConfigName: routes.name } }
        : { routeConfig: routes }),
      httpFilters: withUpstreamLog(httpFilters(listeners, out), first, telemetry.upstreamLog),
      accessLog: telemetry.accessLog,
      ...(telemetry.tracing ? { tracing: telemetry.tracing } : {}),
      ...(telemetry.requestIdExtension ? { requestIdExtension: telemetry.requestIdExtension } : {}),
      useRemoteAddress: true,
      commonHttpProtocolOptions: {
        headersWithUnderscoresAction:
          UNDERSCORES_ACTIONS[headerSettings(first.headers).withUnderscoresAction],
      },
      // The upstream's `server` header reaches the client as it is (Envoy would put its own).
      serverHeaderTransformation: HttpConnectionManager_ServerHeaderTransformation.PASS_THROUGH,
      // Also what HTTP/1.1 clients upgrading to h2c get.
      http2ProtocolOptions: http2Settings(first.http2),
      // Envoy's path normalisation hardening, as Envoy Gateway sets it
      // (https://www.envoyproxy.io/docs/envoy/latest/configuration/best_practices/edge).
      normalizePath: true,
      mergeSlashes: true,
      pathWithEscapedSlashesAction:
        HttpConnectionManager_PathWithEscapedSlashesAction.UNESCAPE_AND_REDIRECT,
    }),
  );
  // The one packed last time when equal (filterMemo.ts).
  return out.memo.httpFilters.packed(listeners, out.mode, http3 ? 'http3' : 'http', message, (m) =>
    typedConfig('envoy.filters.network.http_connection_manager', HttpConnectionManager, m),
  );
};

/**
 * Adds a route config for `listeners` named after the first, and returns the HCM serving it (and
 * with `http3`, the HTTP/3 one serving it on QUIC chains).
 */
const serve = (
  listeners: readonly HTTPListener[],
  out: ResourceSet,
  telemetry: HcmTelemetry,
  http3 = false,
) => {
  const [first] = listeners as [HTTPListener, ...HTTPListener[]];
  // Filters with resourcesPerRoute add theirs with each memoized route (route/routeMemo.ts).
  for (const filter of HTTP_FILTERS) {
    if (filter.resourcesPerRoute === true) continue;
    for (const listener of listeners) filter.addResources?.(listener, out);
  }
  const routes = routeConfiguration(first.name, listeners, out);
  out.addRoute(routes);
  return {
    hcm: connectionManager(first, listeners, routes, out, telemetry),
    hcm3: http3 ? connectionManager(first, listeners, routes, out, telemetry, true) : undefined,
  };
};

/**
 * The filter chains of the HTTP/HTTPS IR listeners that share one port, and the QUIC chains of
 * those that also serve HTTP/3 (for a UDP listener on the same port).
 */
export const httpFilterChains = (
  listeners: readonly HTTPListener[],
  claims: ChainClaims,
  out: ResourceSet,
  telemetry: HcmTelemetry,
): { chains: FilterChain[]; quic: FilterChain[] } => {
  const chains: FilterChain[] = [];
  const quic: FilterChain[] = [];
  const plain = listeners.filter((listener) => listener.tls?.mode !== 'Terminate');
  const [firstPlain] = plain;
  if (firstPlain !== undefined && claims.claim([]) !== undefined) {
    chains.push(
      FilterChain.fromPartial({
        name: firstPlain.name,
        filters: [
          ...connectionFilters(firstPlain.clientTraffic, `http-${firstPlain.port}`),
          serve(plain, out, telemetry).hcm,
        ],
        // Envoy Gateway sets the TLS handshake timeout on plain chains too (a connect timeout there).
        ...tlsChainSettings(firstPlain.clientTraffic),
      }),
    );
  }
  for (const listener of listeners) {
    const tls = listener.tls;
    // Without a certificate there is nothing to terminate with (the listener is not Programmed).
    if (tls?.mode !== 'Terminate' || tls.certificates.length === 0) continue;
    const { hcm, hcm3 } = serve([listener], out, telemetry, servesHttp3(listener));
    const hostnames = listener.hostnames.length === 0 ? ['*'] : listener.hostnames;
    for (const hostname of hostnames) {
      const serverNames = claims.claim([hostname]);
      if (serverNames === undefined) continue;
      chains.push(
        FilterChain.fromPartial({
          name: `${listener.name}/${hostname}`,
          // "*" (no Gateway hostname) catches every SNI, and clients that send none.
          ...(serverNames.length === 0 ? {} : { filterChainMatch: { serverNames } }),
          filters: [...connectionFilters(listener.clientTraffic, `https-${listener.port}`), hcm],
          transportSocket: downstreamTlsSocket(tls, out, listener.clientTraffic?.tls),
          ...tlsChainSettings(listener.clientTraffic),
        }),
      );
      if (hcm3 !== undefined)
        quic.push(
          FilterChain.fromPartial({
            name: `${listener.name}/${hostname}`,
            ...(serverNames.length === 0 ? {} : { filterChainMatch: { serverNames } }),
            filters: [hcm3],
            transportSocket: quicTlsSocket(tls, out, listener.clientTraffic?.tls),
          }),
        );
    }
  }
  return { chains, quic };
};
