// Collects the Envoy resources of one translation: deduplicated by name (the IR gives equal
// content under equal names, so the first one wins) and emitted sorted by name, for byte-stable output.
import type {
  Cluster,
  ClusterLoadAssignment,
  Listener,
  RouteConfiguration,
  Secret,
} from '@egts/envoy-api';
import type { XdsMode, XdsResources } from '../xdsResources.js';

/**
 * The last list built whose first element is this object. A list equal to it element by element
 * is returned as that same array, so consumers that cache per array (the xDS server indexes each
 * once) pay nothing for a type where nothing changed.
 */
const lists = new WeakMap<object, readonly object[]>();

// The default sort compares strings by UTF-16 code units, as `<` does, without a JS callback.
const byName = <T extends object>(map: Map<string, T>): T[] => {
  const list = [...map.keys()].sort().map((name) => map.get(name)!);
  const [first] = list;
  if (first === undefined) return list;
  const known = lists.get(first) as T[] | undefined;
  if (known?.length === list.length && known.every((item, i) => item === list[i])) return known;
  lists.set(first, list);
  return list;
};

export class ResourceSet {
  private readonly listeners = new Map<string, Listener>();
  private readonly routes = new Map<string, RouteConfiguration>();
  private readonly clusters = new Map<string, Cluster>();
  private readonly endpoints = new Map<string, ClusterLoadAssignment>();
  private readonly secrets = new Map<string, Secret>();

  constructor(readonly mode: XdsMode) {}

  addListener(listener: Listener): void {
    if (!this.listeners.has(listener.name)) this.listeners.set(listener.name, listener);
  }

  addRoute(route: RouteConfiguration): void {
    if (!this.routes.has(route.name)) this.routes.set(route.name, route);
  }

  hasCluster(name: string): boolean {
    return this.clusters.has(name);
  }

  addCluster(cluster: Cluster): void {
    if (!this.clusters.has(cluster.name)) this.clusters.set(cluster.name, cluster);
  }

  addEndpoints(assignment: ClusterLoadAssignment): void {
    if (!this.endpoints.has(assignment.clusterName)) {
      this.endpoints.set(assignment.clusterName, assignment);
    }
  }

  addSecret(secret: Secret): void {
    if (!this.secrets.has(secret.name)) this.secrets.set(secret.name, secret);
  }

  /** Adds everything `other` holds (first wins, as for single adds). */
  addAll(other: ResourceSet): void {
    for (const listener of other.listeners.values()) this.addListener(listener);
    for (const route of other.routes.values()) this.addRoute(route);
    for (const cluster of other.clusters.values()) this.addCluster(cluster);
    for (const assignment of other.endpoints.values()) this.addEndpoints(assignment);
    for (const secret of other.secrets.values()) this.addSecret(secret);
  }

  toResources(): XdsResources {
    return {
      listeners: byName(this.listeners),
      routes: byName(this.routes),
      clusters: byName(this.clusters),
      endpoints: byName(this.endpoints),
      secrets: byName(this.secrets),
    };
  }
}
