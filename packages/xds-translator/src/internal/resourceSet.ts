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

// The default sort compares strings by UTF-16 code units, as `<` does, without a JS callback.
const byName = <T>(map: Map<string, T>): T[] =>
  [...map.keys()].sort().map((name) => map.get(name)!);

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
