// IR for tests that build it by hand: one HTTP listener of one fleet and plain routes, each with
// one backend, as the gateway API translator gives for a route with no filters or policies.
import type { DestinationSetting, HTTPRouteIR, XdsIR } from '@egts/ir';

/** One backend of a destination, one ready endpoint at `host`:8080. */
export const backendSetting = (name: string, host = '10.0.0.1'): DestinationSetting => ({
  name,
  weight: 1,
  protocol: 'HTTP',
  addressType: 'IP',
  endpoints: [{ host, port: 8080, ready: true }],
});

/** A route `name` matching the path prefix `prefix`, to the destination `<name>/dest`. */
export const httpRoute = (
  name: string,
  prefix: string,
  fields: Partial<HTTPRouteIR> = {},
): HTTPRouteIR => ({
  name,
  hostname: '*',
  pathMatch: { type: 'PathPrefix', value: prefix },
  headerMatches: [],
  queryParamMatches: [],
  addRequestHeaders: [],
  removeRequestHeaders: [],
  addResponseHeaders: [],
  removeResponseHeaders: [],
  mirrors: [],
  grpc: false,
  source: { kind: 'HTTPRoute', namespace: 'default', name },
  destination: { name: `${name}/dest`, settings: [backendSetting(`${name}/dest/backend/0`)] },
  ...fields,
});

/** Fleet `default/eg` with `routes` on one HTTP listener (port 10080), and `fleet`'s fields. */
export const fleetIR = (routes: HTTPRouteIR[], fleet: Partial<XdsIR> = {}): XdsIR => ({
  name: 'default/eg',
  http: [
    {
      name: 'default/eg/http',
      address: '0.0.0.0',
      port: 10080,
      externalPort: 80,
      hostnames: [],
      routes,
    },
  ],
  tcp: [],
  udp: [],
  ...fleet,
});
