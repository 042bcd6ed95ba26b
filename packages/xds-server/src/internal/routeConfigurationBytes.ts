// Encodes a RouteConfiguration from the cached encodings of its VirtualHost and Route messages.
// One route change rebuilds a RouteConfiguration of thousands of routes whose VirtualHost and
// Route objects are otherwise the same (the xds-translator memoizes them), and encoding them all
// again was most of a snapshot's cost.
// The bytes equal RouteConfiguration.encode's: protobuf encodes a message as the concatenation of
// its fields, and the generated encoders write `name`, `domains` and then `routes` (VirtualHost),
// and `name` then `virtual_hosts` (RouteConfiguration) before any other field; the tests pin it.
import { Route, RouteConfiguration, VirtualHost } from '@egts/envoy-api';

/** Tags of the length-delimited fields spliced in: VirtualHost.routes (3), RouteConfiguration.virtual_hosts (2). */
const ROUTES_TAG = (3 << 3) | 2;
const VIRTUAL_HOSTS_TAG = (2 << 3) | 2;

const EMPTY_HOST = VirtualHost.fromPartial({});
const EMPTY_CONFIG = RouteConfiguration.fromPartial({});

const routeBytes = new WeakMap<Route, Uint8Array>();

const encodedRoute = (route: Route): Uint8Array => {
  let bytes = routeBytes.get(route);
  if (bytes === undefined) {
    bytes = Route.encode(route).finish();
    routeBytes.set(route, bytes);
  }
  return bytes;
};

/** Collects chunks, then copies them once into one buffer. */
class Chunks {
  readonly parts: Uint8Array[] = [];
  length = 0;

  push(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.length += bytes.length;
  }

  /** A length-delimited field: tag, varint length, then `body`. */
  field(tag: number, body: Uint8Array): void {
    this.push(varint(tag, body.length));
    this.push(body);
  }

  concat(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const part of this.parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }
}

/** A one-byte tag followed by `value` as a varint. */
const varint = (tag: number, value: number): Uint8Array => {
  const bytes = [tag];
  let rest = value;
  while (rest > 0x7f) {
    bytes.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  bytes.push(rest);
  return Uint8Array.from(bytes);
};

const hostBytes = new WeakMap<VirtualHost, Uint8Array>();

const encodedVirtualHost = (host: VirtualHost): Uint8Array => {
  let bytes = hostBytes.get(host);
  if (bytes === undefined) {
    const out = new Chunks();
    out.push(
      VirtualHost.encode({ ...EMPTY_HOST, name: host.name, domains: host.domains }).finish(),
    );
    for (const route of host.routes) out.field(ROUTES_TAG, encodedRoute(route));
    out.push(VirtualHost.encode({ ...host, name: '', domains: [], routes: [] }).finish());
    bytes = out.concat();
    hostBytes.set(host, bytes);
  }
  return bytes;
};

export const encodeRouteConfiguration = (config: RouteConfiguration): Uint8Array => {
  const out = new Chunks();
  out.push(RouteConfiguration.encode({ ...EMPTY_CONFIG, name: config.name }).finish());
  for (const host of config.virtualHosts) out.field(VIRTUAL_HOSTS_TAG, encodedVirtualHost(host));
  out.push(RouteConfiguration.encode({ ...config, name: '', virtualHosts: [] }).finish());
  return out.concat();
};
