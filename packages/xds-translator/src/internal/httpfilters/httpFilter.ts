// The contract of one HTTP filter in the translator (STYLE.md #10, Envoy Gateway httpfilters.go):
// it may add itself to a connection manager, configure itself per route, and add resources it
// needs. The filters and their order are listed in httpFilters.ts.
import type { Any, HttpFilter } from '@egts/envoy-api';
import type { HTTPListener, HTTPRouteIR } from '@egts/ir';
import type { XdsMode } from '../../xdsResources.js';
import type { ResourceSet } from '../resourceSet.js';

export interface HttpFilterTranslator {
  /**
   * The filter's entries in the HTTP connection manager serving `listeners` (IR listeners
   * sharing a port): none when no route needs it, several for one instance per policy. `mode`
   * says how SDS secrets are referenced (over ADS, or from the bootstrap). A route that does not
   * need it (alone on the listeners, it gives the entries of no route) changes nothing wherever
   * it sits: the connection manager's memo keeps the entries when such a route comes or goes.
   */
  patchListener(listeners: readonly HTTPListener[], mode: XdsMode): readonly HttpFilter[];
  /** Per-route configuration: typed_per_filter_config entries, by filter (instance) name. */
  patchRoute?(route: HTTPRouteIR): Readonly<Record<string, Any>> | undefined;
  /**
   * The IR object `patchRoute` reads of a route, when it reads one alone (its `security`, its
   * `cors`): the routes sharing it, a policy's, share one set of entries built once per
   * translator (route/buildRoute.ts).
   */
  routeConfigOf?(route: HTTPRouteIR): object | undefined;
  /** Resources the filter needs besides its config (clusters, secrets). */
  addResources?(listener: HTTPListener, out: ResourceSet): void;
  /**
   * `addResources` reads nothing but `listener.routes`, each route on its own: it is then run
   * once per IR route object (with a listener holding that one route) when the route is built,
   * and its resources come back with the memoized route and virtual host, so a change to one
   * route does not walk the others (route/routeMemo.ts).
   */
  readonly resourcesPerRoute?: true;
}

/**
 * The routes of `listeners`, for filters that collect what their routes need: the listener's own
 * array when there is one listener (most ports), as every filter asks for every connection manager.
 */
export const routesOf = (listeners: readonly HTTPListener[]): readonly HTTPRouteIR[] =>
  listeners.length === 1 ? listeners[0]!.routes : listeners.flatMap((listener) => listener.routes);
