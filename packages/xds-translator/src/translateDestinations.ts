// translateDestinations(): the clusters, endpoints and upstream secrets of every destination in
// an xDS IR, without its listeners and routes. For updates where nothing but endpoints changed:
// the caller swaps these in by name. Messages equal those translateXds builds for the same
// destinations (the same builders, in the same modes); destinations translateXds leaves out
// (a mirror of a route that sends nothing, say) give clusters it does not have, which a caller
// matching by name notices. With `endpointsOnly`, EDS clusters are left out (their messages hold
// no endpoints) and only their ClusterLoadAssignments are built.
import type { XdsIR } from '@egts/ir';
import { addDestination, addEmptyDestination } from './internal/cluster/destinationClusters.js';
import { withIpFamilyDns } from './internal/cluster/ipFamilyDns.js';
import { addEmptyListenerCluster } from './internal/listener/tcpListener.js';
import { ResourceSet } from './internal/resourceSet.js';
import { XdsMemo } from './internal/xdsMemo.js';
import type { TranslateXdsOptions, XdsResources } from './xdsResources.js';

export const translateDestinations = (
  ir: XdsIR,
  options: TranslateXdsOptions = {},
  memo: XdsMemo = new XdsMemo(),
  endpointsOnly = false,
): XdsResources => {
  const out = new ResourceSet(options.mode ?? 'ads', memo, endpointsOnly);
  for (const listener of ir.http) {
    for (const route of listener.routes) {
      if (route.destination !== undefined) addDestination(route.destination, out);
      for (const mirror of route.mirrors) addDestination(mirror.destination, out, { single: true });
    }
  }
  for (const listener of ir.tcp) {
    if (listener.routes.length === 0) addEmptyListenerCluster(listener, out);
    for (const route of listener.routes) {
      if (addDestination(route.destination, out).kind === 'none') {
        addEmptyDestination(route.destination, out);
      }
    }
  }
  for (const listener of ir.udp) {
    const route = listener.route;
    if (route === undefined) continue;
    if (addDestination(route.destination, out, { single: true }).kind !== 'cluster') {
      addEmptyDestination(route.destination, out);
    }
  }
  return withIpFamilyDns(out.toResources(), ir.ipFamily);
};
