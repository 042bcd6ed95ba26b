// A route rule's destination is named after the rule, and a rule attached to several listeners
// gets one IR destination per listener: equal unless a listener's settings reach its clusters (a
// ClientTrafficPolicy's `http1.preserveHeaderCase`, a BackendTrafficPolicy on one listener). The
// xds-translator builds one cluster per name (the first wins), so a variant that differs gets a
// name of its own, `<rule destination>/<listener>`, its backends' names following; the first
// variant in IR order keeps the rule's name. The variants of a name all come from one route rule,
// so translating that route alone (the incremental paths) names them as a full translation does.
import type { HTTPRouteIR, RouteDestination, TCPRouteIR, UDPListener, XdsIR } from '@egts/ir';
import { canonicalJson, contentDigest } from './contentDigest.js';

const digestOf = (destination: RouteDestination) => contentDigest(canonicalJson(destination));

const renamed = (destination: RouteDestination, name: string): RouteDestination => ({
  ...destination,
  name,
  settings: destination.settings.map((setting) =>
    setting.name.startsWith(`${destination.name}/`)
      ? { ...setting, name: `${name}${setting.name.slice(destination.name.length)}` }
      : setting,
  ),
});

export function withDistinctDestinations(ir: XdsIR): XdsIR {
  // Name -> digest of the first variant; only names seen twice are digested.
  const first = new Map<string, RouteDestination>();
  const digests = new Map<RouteDestination, string>();
  const digest = (d: RouteDestination) => {
    let known = digests.get(d);
    if (known === undefined) {
      known = digestOf(d);
      digests.set(d, known);
    }
    return known;
  };
  /** The destination as this listener's route keeps it. */
  const distinct = (destination: RouteDestination, listener: string): RouteDestination => {
    const seen = first.get(destination.name);
    if (seen === undefined) {
      first.set(destination.name, destination);
      return destination;
    }
    if (seen === destination || digest(seen) === digest(destination)) return destination;
    return renamed(destination, `${destination.name}/${listener}`);
  };
  let changed = false;
  const http = ir.http.map((listener) => {
    let routesChanged = false;
    const routes = listener.routes.map((route): HTTPRouteIR => {
      if (route.destination === undefined) return route;
      const destination = distinct(route.destination, listener.name);
      if (destination === route.destination) return route;
      routesChanged = true;
      return { ...route, destination };
    });
    if (!routesChanged) return listener;
    changed = true;
    return { ...listener, routes };
  });
  const tcp = ir.tcp.map((listener) => {
    let routesChanged = false;
    const routes = listener.routes.map((route): TCPRouteIR => {
      const destination = distinct(route.destination, listener.name);
      if (destination === route.destination) return route;
      routesChanged = true;
      return { ...route, destination };
    });
    if (!routesChanged) return listener;
    changed = true;
    return { ...listener, routes };
  });
  const udp = ir.udp.map((listener): UDPListener => {
    const route = listener.route;
    if (route === undefined) return listener;
    const destination = distinct(route.destination, listener.name);
    if (destination === route.destination) return listener;
    changed = true;
    return { ...listener, route: { ...route, destination } };
  });
  return changed ? { ...ir, http, tcp, udp } : ir;
}
