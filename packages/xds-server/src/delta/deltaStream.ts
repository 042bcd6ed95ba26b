// Delta (incremental) ADS (DeltaAggregatedResources): responses carry only changed resources
// and removed names; subscriptions change by deltas; a reconnecting proxy's
// initial_resource_versions spare re-sending what it already has
// (https://www.envoyproxy.io/docs/envoy/latest/api-docs/xds_protocol#incremental-xds).
import type { DeltaDiscoveryRequest, DeltaDiscoveryResponse, Resource } from '@egts/envoy-api';
import { type ServerDuplexStream, status } from '@grpc/grpc-js';
import { type Entry, type Push, StreamCore, type StreamCoreDeps } from '../internal/streamCore.js';
import { isServedType, WILDCARD_TYPES } from '../resourceTypes.js';

/** FNV-1a (32 bits) of `name NUL version`, from `seed`. */
const fnv1a = (seed: number, name: string, version: string): number => {
  let hash = seed;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  hash = Math.imul(hash, 0x01000193);
  for (let i = 0; i < version.length; i++)
    hash = Math.imul(hash ^ version.charCodeAt(i), 0x01000193);
  return hash >>> 0;
};

/** The two lanes of a digest, and how many entries they sum. */
interface Sums {
  readonly low: number;
  readonly high: number;
  readonly size: number;
}

/**
 * The responses' system_version_info, which Delta xDS leaves to the server (for debugging): a
 * digest of the names and versions the proxy holds once it applies the response, whatever their
 * order. Per-entry hashes summed in two lanes: sorting and SHA-256 hashing every name took a few
 * ms of each CDS and EDS response at 1,000 clusters, on the way to the routes that use them.
 * Sums move with what changed: a response's target is what the proxy held, less the removed
 * and replaced entries, plus the changed ones, so the sums of what it held (the target of the
 * response it ACKed, kept by map) give the target's without going over every entry again.
 * An entry's hashes are computed where needed, not kept by entry: hashing one costs about what
 * a WeakMap lookup does, and a first response would have kept one per resource. One per stream.
 */
class SystemVersions {
  readonly #sums = new WeakMap<ReadonlyMap<string, Entry>, Sums>();

  of(push: Push): string {
    let low = 0;
    let high = 0;
    const add = ({ name, version }: Entry, sign: 1 | -1) => {
      low = (low + sign * fnv1a(0x811c9dc5, name, version)) >>> 0;
      high = (high + sign * fnv1a(0x050c5d1f, name, version)) >>> 0;
    };
    const held = this.#sums.get(push.held);
    // A map the stream changed since (a name unsubscribed) is summed anew.
    if (held !== undefined && held.size === push.held.size) {
      ({ low, high } = held);
      for (const name of push.removed) add(push.held.get(name)!, -1);
      for (const entry of push.changed) {
        const replaced = push.held.get(entry.name);
        if (replaced !== undefined) add(replaced, -1);
        add(entry, 1);
      }
    } else {
      // An entry is held under its own name.
      for (const entry of push.target.values()) add(entry, 1);
    }
    const size = push.target.size;
    this.#sums.set(push.target, { low, high, size });
    return `${size.toString(36)}-${high.toString(36)}-${low.toString(36)}`;
  }
}

/**
 * A response's resource, as DeltaDiscoveryResponse.fromPartial makes it but without copying the
 * encoded Any (fromPartial copies every message of a response of thousands).
 */
const resourceOf = ({ name, version, resource }: Entry): Resource => ({
  name,
  resourceName: undefined,
  aliases: [],
  version,
  resource,
  ttl: undefined,
  cacheControl: undefined,
  metadata: undefined,
});

export const serveDeltaStream = (
  call: ServerDuplexStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse>,
  deps: Omit<StreamCoreDeps, 'variant' | 'send' | 'peer' | 'abort'>,
): StreamCore => {
  const versions = new SystemVersions();
  const core = new StreamCore({
    ...deps,
    variant: 'delta',
    peer: call.getPeer(),
    // grpc-js sends an 'error' emitted on a server stream as its status (destroy() would not).
    abort: (message) =>
      call.emit('error', Object.assign(new Error(message), { code: status.RESOURCE_EXHAUSTED })),
    send: (push) => {
      const response: DeltaDiscoveryResponse = {
        systemVersionInfo: versions.of(push),
        resources: push.changed.map(resourceOf),
        typeUrl: push.typeUrl,
        removedResources: [...push.removed],
        removedResourceNames: [],
        nonce: push.nonce,
        controlPlane: undefined,
      };
      deps.callbacks.onResponse(core.info, push.typeUrl, response);
      call.write(response);
    },
  });
  deps.callbacks.onStreamOpen(core.info);
  const seen = new Set<string>();

  call.on('data', (request: DeltaDiscoveryRequest) => {
    if (!core.bound) {
      if (request.node === undefined) {
        call.destroy(
          Object.assign(new Error('first request has no node'), { code: status.INVALID_ARGUMENT }),
        );
        return;
      }
      core.bind(request.node);
    }
    const typeUrl = request.typeUrl;
    const state = core.typeState(typeUrl);
    const stale = core.isStale(state, request.responseNonce);
    deps.callbacks.onRequest(core.info, typeUrl, request, stale);
    if (!isServedType(typeUrl)) return;

    if (!seen.has(typeUrl)) {
      seen.add(typeUrl);
      // First request of the type: an empty subscribe list on Listener/Cluster is a wildcard, and
      // initial_resource_versions is what the proxy kept from an earlier stream.
      if (request.resourceNamesSubscribe.length === 0 && WILDCARD_TYPES.has(typeUrl))
        state.wildcard = true;
      for (const [name, version] of Object.entries(request.initialResourceVersions)) {
        state.acked.set(name, { name, version, resource: undefined });
      }
      core.unsettle(state);
    }
    // The ACK/NACK is of the previous response, so it is settled before the subscription changes.
    if (!stale && request.responseNonce !== '') {
      core.settle(state, request.responseNonce, request.errorDetail?.message);
    }
    // Subscription deltas are applied even on a stale nonce: unlike SotW they are not repeated.
    const subscribing = request.resourceNamesSubscribe.length;
    if (core.tooManyNames(state.names.size + subscribing, typeUrl)) return;
    if (subscribing > 0 || request.resourceNamesUnsubscribe.length > 0) core.unsettle(state);
    for (const name of request.resourceNamesSubscribe) {
      if (name === '*') state.wildcard = true;
      else state.names.add(name);
    }
    for (const name of request.resourceNamesUnsubscribe) {
      if (name === '*') state.wildcard = false;
      else {
        state.names.delete(name);
        core.forget(state, name);
      }
    }
    core.pump();
  });
  const close = (error?: Error): void => {
    if (core.close()) deps.callbacks.onStreamClose(core.info, error);
  };
  call.on('end', () => {
    close();
    call.end();
  });
  call.on('error', (error) => close(error));
  call.on('cancelled', () => close());
  return core;
};
