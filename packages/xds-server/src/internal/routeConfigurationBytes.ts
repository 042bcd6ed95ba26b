// Encodes a RouteConfiguration from the cached encodings of its VirtualHost and Route messages.
// One route change rebuilds a RouteConfiguration of thousands of routes whose VirtualHost and
// Route objects are otherwise the same (the xds-translator memoizes them), and encoding them all
// again was most of a snapshot's cost.
// The bytes equal RouteConfiguration.encode's: protobuf encodes a message as the concatenation of
// its fields, and the generated encoders write `name`, `domains` and then `routes` (VirtualHost),
// and `name` then `virtual_hosts` (RouteConfiguration) before any other field; the tests pin it.
// The content hash is made the same way, from each VirtualHost's digest: hashing the whole
// encoding (hundreds of KiB at thousands of routes) again on every route change cost more than
// encoding the changed host.
import { hash } from 'node:crypto';
import { encodeMessage, Route, RouteConfiguration, VirtualHost } from '@egts/envoy-api';
import { fieldHeader, varintSize, writeVarint } from './protoWire.js';

/** Tags of the length-delimited fields spliced in: VirtualHost.routes (3), RouteConfiguration.virtual_hosts (2). */
const ROUTES_TAG = (3 << 3) | 2;
const VIRTUAL_HOSTS_TAG = (2 << 3) | 2;

const EMPTY_HOST = VirtualHost.fromPartial({});
const EMPTY_CONFIG = RouteConfiguration.fromPartial({});

/** Collects chunks, then copies them once into one buffer. */
class Chunks {
  readonly parts: Uint8Array[] = [];
  length = 0;

  push(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.length += bytes.length;
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

/** A VirtualHost's encoding, its field header in a RouteConfiguration, and the SHA-256 of it. */
interface EncodedHost {
  readonly header: Uint8Array;
  readonly bytes: Uint8Array;
  readonly digest: Buffer;
}

/**
 * Encodes RouteConfigurations, remembering the encodings of their Route and VirtualHost objects
 * (immutable): the snapshots of one node group share one encoder (see SnapshotMemo).
 */
export class RouteConfigurationEncoder {
  readonly #routes = new WeakMap<Route, Uint8Array>();
  readonly #hosts = new WeakMap<VirtualHost, EncodedHost>();

  #route(route: Route): Uint8Array {
    let bytes = this.#routes.get(route);
    if (bytes === undefined) {
      // Through the shared writer: a writer of its own per route grew and copied a buffer each.
      bytes = encodeMessage(Route, route);
      this.#routes.set(route, bytes);
    }
    return bytes;
  }

  #virtualHost(host: VirtualHost): EncodedHost {
    let encoded = this.#hosts.get(host);
    if (encoded === undefined) {
      const head = encodeMessage(VirtualHost, {
        ...EMPTY_HOST,
        name: host.name,
        domains: host.domains,
      });
      const routes = host.routes.map((route) => this.#route(route));
      const tail = encodeMessage(VirtualHost, { ...host, name: '', domains: [], routes: [] });
      // Sized first and written once: a header buffer per route (Chunks.field) was thousands of
      // small allocations in a first snapshot.
      let length = head.length + tail.length;
      for (const route of routes) length += 1 + varintSize(route.length) + route.length;
      const bytes = new Uint8Array(length);
      bytes.set(head, 0);
      let at = head.length;
      for (const route of routes) {
        bytes[at++] = ROUTES_TAG;
        at = writeVarint(bytes, at, route.length);
        bytes.set(route, at);
        at += route.length;
      }
      bytes.set(tail, at);
      encoded = {
        header: fieldHeader(VIRTUAL_HOSTS_TAG, bytes.length),
        bytes,
        digest: hash('sha256', bytes, 'buffer'),
      };
      this.#hosts.set(host, encoded);
    }
    return encoded;
  }

  /**
   * The encoding of `config`, and a content hash of it: SHA-256 over its bytes with each
   * VirtualHost's bytes replaced by their SHA-256, so equal bytes give an equal version and a
   * change anywhere gives another (short of a SHA-256 collision).
   */
  encode(config: RouteConfiguration): { bytes: Uint8Array; version: string } {
    const out = new Chunks();
    // What is hashed, hashed at once: an update per host was most of the cost of a change.
    const hashed = new Chunks();
    const head = encodeMessage(RouteConfiguration, { ...EMPTY_CONFIG, name: config.name });
    out.push(head);
    hashed.push(head);
    for (const host of config.virtualHosts) {
      const { header, bytes, digest } = this.#virtualHost(host);
      out.push(header);
      out.push(bytes);
      hashed.push(header);
      hashed.push(digest);
    }
    const tail = encodeMessage(RouteConfiguration, { ...config, name: '', virtualHosts: [] });
    out.push(tail);
    hashed.push(tail);
    const version = hash('sha256', hashed.concat(), 'base64url').slice(0, 16);
    return { bytes: out.concat(), version };
  }
}
