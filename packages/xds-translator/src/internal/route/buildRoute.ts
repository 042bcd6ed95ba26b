// One IR HTTP route -> one Envoy Route: match, then redirect, fixed response or forwarding,
// header modifiers, and the per-route config of each HTTP filter.

import { type Any, DirectResponseAction, RedirectAction, Route } from '@egts/envoy-api';
import type { HTTPRouteIR } from '@egts/ir';
import { ORCA_HEADERS } from '../cluster/backendUtilization.js';
import { addDestination, hasBackendFilters } from '../cluster/destinationClusters.js';
import { geoHeadersToRemove } from '../httpfilters/geoip.js';
import type { HttpFilterTranslator } from '../httpfilters/httpFilter.js';
import { HTTP_FILTERS } from '../httpfilters/httpFilters.js';
import { wasmUnavailable } from '../httpfilters/wasm.js';
import { routeTracing } from '../listener/tracing.js';
import type { ResourceSet } from '../resourceSet.js';
import type { XdsMemo } from '../xdsMemo.js';
import { headersToAdd, headersToRemove } from './headers.js';
import { redirectAction } from './redirect.js';
import { routeAction } from './routeAction.js';
import { routeMatch } from './routeMatch.js';
import { routeMetadata } from './routeMetadata.js';

const action = (route: HTTPRouteIR, out: ResourceSet): Partial<Route> => {
  if (route.redirect !== undefined) return { redirect: redirectAction(route, route.redirect) };
  if (route.directResponse !== undefined) {
    const { statusCode, body, formatted } = route.directResponse;
    // A body with command operators goes as a format string (Envoy 1.40's body_format, whose
    // Content-Type the route's response headers set as written).
    const content =
      body === undefined
        ? {}
        : formatted
          ? {
              bodyFormat: {
                textFormatSource: { inlineString: body },
                omitEmptyValues: false,
                contentType: '',
                formatters: [],
              },
            }
          : { body: { inlineString: body } };
    return { directResponse: { status: statusCode, ...content } };
  }
  // A Wasm module that must run but cannot be loaded: fail closed.
  if (wasmUnavailable(route)) return { directResponse: { status: 500 } };
  const target =
    route.destination === undefined
      ? { kind: 'none' as const }
      : addDestination(route.destination, out, {
          // A session (stateful_session) pins a host of the route's cluster: with several
          // backends in one locality-weighted cluster, it holds across them (GEP-1619).
          single:
            route.sessionPersistence !== undefined &&
            !route.destination.settings.some(hasBackendFilters),
        });
  // Gateway API: a rule whose backends are all invalid or all weighted 0 answers 500.
  if (target.kind === 'none') return { directResponse: { status: 500 } };
  return { route: routeAction(route, target, out) };
};

/** The filters with a per-route config: the others are not asked for each route. */
const PER_ROUTE_FILTERS = HTTP_FILTERS.filter((filter) => filter.patchRoute !== undefined);

/**
 * A filter's per-route entries; built once per IR object they are made of (routeConfigOf), so
 * the routes of one policy share them.
 */
const routeEntries = (filter: HttpFilterTranslator, route: HTTPRouteIR, memo: XdsMemo) => {
  const source = filter.routeConfigOf?.(route);
  if (source === undefined) return filter.patchRoute!(route);
  let byFilter = memo.routeConfigs.get(source);
  if (byFilter === undefined) {
    byFilter = new Map();
    memo.routeConfigs.set(source, byFilter);
  }
  if (byFilter.has(filter)) return byFilter.get(filter);
  const entries = filter.patchRoute!(route);
  if (entries !== undefined) for (const any of Object.values(entries)) Object.freeze(any);
  byFilter.set(filter, entries && Object.freeze(entries));
  return entries;
};

const perFilterConfig = (route: HTTPRouteIR, memo: XdsMemo): Record<string, Any> => {
  const config: Record<string, Any> = {};
  for (const filter of PER_ROUTE_FILTERS) {
    const entries = routeEntries(filter, route, memo);
    if (entries !== undefined) Object.assign(config, entries);
  }
  return config;
};

/**
 * The Route written out whole: every field Route.fromPartial would set, in its order. The match,
 * the forwarding action, the metadata and the per-filter configs are complete messages placed as
 * they are; the redirect, direct response and tracing (partial) are completed by their own
 * fromPartial as Route.fromPartial would. Copying a whole route through Route.fromPartial was a
 * third of building one (5,000 routes).
 */
export const buildRoute = (route: HTTPRouteIR, out: ResourceSet): Route => {
  const { route: forward, redirect, directResponse } = action(route, out);
  // Tracing's codec is not exported on its own: Route.fromPartial completes it (rare).
  const tracing = route.tracing
    ? Route.fromPartial({ tracing: routeTracing(route.tracing) }).tracing
    : undefined;
  return {
    name: route.name,
    match: routeMatch(route),
    route: forward,
    redirect: redirect === undefined ? undefined : RedirectAction.fromPartial(redirect),
    directResponse:
      directResponse === undefined ? undefined : DirectResponseAction.fromPartial(directResponse),
    filterAction: undefined,
    nonForwardingAction: undefined,
    metadata: routeMetadata(route),
    decorator: undefined,
    typedPerFilterConfig: perFilterConfig(route, out.memo),
    requestHeadersToAdd: headersToAdd(route.addRequestHeaders),
    requestHeadersToRemove: headersToRemove([
      ...route.removeRequestHeaders,
      ...geoHeadersToRemove(route),
    ]),
    responseHeadersToAdd: headersToAdd(route.addResponseHeaders),
    responseHeadersToRemove: [
      ...headersToRemove(route.removeResponseHeaders),
      // BackendUtilization's ORCA load reports stay between the endpoints and Envoy.
      ...(route.destination?.loadBalancer?.type === 'BackendUtilization' &&
      route.destination.loadBalancer.backendUtilization?.keepResponseHeaders !== true
        ? ORCA_HEADERS
        : []),
    ],
    tracing,
    perRequestBufferLimitBytes: undefined,
    // BackendTrafficPolicy metrics.routeStatName: the route's own stats (vhost.<host>.route.<prefix>.*).
    statPrefix: route.statName ?? '',
  };
};
