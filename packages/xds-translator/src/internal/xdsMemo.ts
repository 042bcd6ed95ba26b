// What one xDS translator remembers between translations: messages built per IR object, so a
// caller that passes unchanged IR objects again gets the same messages (and the xDS server's
// encodings and hashes hit). One per createXdsTranslator() instance, one per translateXds() call:
// two translators never share state. Entries are keyed by IR objects (WeakMaps), so what the
// caller drops is collected; the IR must not be mutated once translated.
import type { Any, Cluster, Route, Secret, VirtualHost } from '@egts/envoy-api';
import type {
  AccessLog as AccessLogIR,
  DestinationSetting,
  HTTPRouteIR,
  UDPListener,
} from '@egts/ir';
import type { XdsMode, XdsResources } from '../xdsResources.js';
import type { ClusterTraffic } from './cluster/buildCluster.js';
import type { AccessLog } from './envoyTypes.js';
import type { HttpFilterTranslator } from './httpfilters/httpFilter.js';
import { FilterMemo } from './listener/filterMemo.js';

/** A built route and what building it added (clusters, endpoints, secrets). */
export interface BuiltRoute {
  readonly mode: XdsMode;
  readonly route: Route;
  readonly added: XdsResources;
}

/** A virtual host built for one name and list of IR routes. */
export interface BuiltHost {
  readonly mode: XdsMode;
  readonly name: string;
  readonly routes: readonly HTTPRouteIR[];
  readonly host: VirtualHost;
  readonly added: XdsResources;
}

/** A cluster built for one name, mode, list of settings and traffic settings. */
export interface BuiltCluster {
  readonly name: string;
  readonly mode: XdsMode;
  readonly settings: readonly DestinationSetting[];
  readonly traffic: ClusterTraffic;
  /** The cluster, its endpoints and any secret its TLS needs, added on every use. */
  readonly added: XdsResources;
}

/** A sorted list of one resource type and the additions it was made from. */
export interface SortedList {
  readonly additions: readonly unknown[];
  readonly list: readonly object[];
}

export class XdsMemo {
  /** `remembers` false: for one translation only (translateXds), nothing is asked again. */
  constructor(readonly remembers = true) {
    this.httpFilters = new FilterMemo(remembers);
  }

  /** Per IR route object. */
  readonly routes = new WeakMap<HTTPRouteIR, BuiltRoute>();
  /** Per first (and second) IR route of a host: a rebuilt host finds the one it replaces. */
  readonly hosts = new WeakMap<HTTPRouteIR, BuiltHost>();
  /**
   * Per IR object a filter's per-route entries are made of (HttpFilterTranslator.routeConfigOf),
   * per filter: frozen, shared by the routes of one policy.
   */
  readonly routeConfigs = new WeakMap<
    object,
    Map<HttpFilterTranslator, Readonly<Record<string, Any>> | undefined>
  >();
  /** Per first destination setting. */
  readonly clusters = new WeakMap<DestinationSetting, BuiltCluster>();
  /**
   * Per secret a memoized cluster's build added (its upstream TLS), that cluster: when another
   * cluster of the same name was added first, the secret is not the translation's (resourceSet.ts).
   */
  readonly clusterOfSecret = new WeakMap<Secret, Cluster>();
  /** Per UDP IR listener object. */
  readonly udpListeners = new WeakMap<
    UDPListener,
    { mode: XdsMode; log: AccessLogIR | undefined; dualStack: boolean; added: XdsResources }
  >();
  /** Per IR access log (a fixed key for the default). */
  readonly accessLogs = new WeakMap<
    AccessLogIR,
    { requests: AccessLog[]; noRoute: AccessLog[]; upstream: AccessLog[] }
  >();
  /** The last sorted list made from additions starting with this object. */
  readonly sorted = new WeakMap<object, SortedList>();
  /** Per sorted list made, what it was made from: the next list of its set starts from it. */
  readonly madeFrom = new WeakMap<readonly object[], SortedList>();
  /** Per connection manager, its HTTP filters' last entries and what they were built from. */
  readonly httpFilters: FilterMemo;
  /** The last list built whose first element is this object. */
  readonly lists = new WeakMap<object, readonly object[]>();
}
