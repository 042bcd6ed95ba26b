// The contract of one HTTP filter in the translator (STYLE.md #10, Envoy Gateway httpfilters.go):
// it may add itself to a listener's connection manager, configure itself per route, and add
// resources it needs. The filters and their order are listed in httpFilters.ts.
import type { Any, HttpFilter } from '@egts/envoy-api';
import type { HTTPListener, HTTPRouteIR } from '@egts/ir';
import type { ResourceSet } from '../resourceSet.js';

export interface HttpFilterTranslator {
  /** Envoy filter name; also the key of the route's typed_per_filter_config. */
  readonly name: string;
  /** The filter's entry in the listener's HTTP connection manager, or undefined when no route needs it. */
  patchListener(listener: HTTPListener): HttpFilter | undefined;
  /** Per-route configuration (typed_per_filter_config[name]), if the route needs one. */
  patchRoute?(route: HTTPRouteIR): Any | undefined;
  /** Resources the filter needs besides its config (clusters, secrets). */
  addResources?(listener: HTTPListener, out: ResourceSet): void;
}
