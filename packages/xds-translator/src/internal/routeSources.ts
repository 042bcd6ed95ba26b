// Which route resource each Envoy resource of a fleet comes from, read from the IR's typed
// sources (never from a name): an Envoy route is named after its IR route, and a cluster (and its
// ClusterLoadAssignment) after the route's destination or one of its backend groups, exactly as
// the builders name them (route/buildRoute.ts, cluster/destinationClusters.ts).
import type { RouteDestination, RouteSource, XdsIR } from '@egts/ir';

/** An Envoy route, Cluster or ClusterLoadAssignment name -> the route resource it comes from. */
export const routeSources = (ir: XdsIR): ReadonlyMap<string, RouteSource> => {
  const sources = new Map<string, RouteSource>();
  const add = (name: string, source: RouteSource) => {
    // A name two routes share (none should) stays with the first, in IR order.
    if (!sources.has(name)) sources.set(name, source);
  };
  const addDestination = (destination: RouteDestination | undefined, source: RouteSource) => {
    if (destination === undefined) return;
    add(destination.name, source);
    for (const setting of destination.settings) {
      add(setting.name, source);
      // A cluster routes share (EnvoyProxy mergeBackends): the first route reaching it.
      if (setting.cluster !== undefined) add(setting.cluster, source);
    }
  };
  for (const listener of ir.http) {
    for (const route of listener.routes) {
      add(route.name, route.source);
      addDestination(route.destination, route.source);
      for (const mirror of route.mirrors) addDestination(mirror.destination, route.source);
    }
  }
  for (const listener of ir.tcp) {
    for (const route of listener.routes) {
      add(route.name, route.source);
      addDestination(route.destination, route.source);
    }
  }
  for (const { route } of ir.udp) {
    if (route === undefined) continue;
    add(route.name, route.source);
    addDestination(route.destination, route.source);
  }
  return sources;
};
