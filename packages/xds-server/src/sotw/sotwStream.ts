// State-of-the-World ADS (StreamAggregatedResources): every response of a type carries the whole
// set the proxy should hold; a request naming the latest nonce ACKs (or with error_detail NACKs)
// it (https://www.envoyproxy.io/docs/envoy/latest/api-docs/xds_protocol#ack-nack-and-resource-type-instance-version).
import { createHash } from 'node:crypto';
import type { Any, DiscoveryRequest, DiscoveryResponse } from '@egts/envoy-api';
import { type ServerDuplexStream, status } from '@grpc/grpc-js';
import { type Entry, StreamCore, type StreamCoreDeps } from '../internal/streamCore.js';
import { isServedType, WILDCARD_TYPES } from '../resourceTypes.js';

/** A version_info for a SotW response: a hash of its names and per-resource versions. */
const setVersion = (target: ReadonlyMap<string, Entry>): string => {
  const hash = createHash('sha256');
  for (const name of [...target.keys()].sort())
    hash.update(`${name}\u0000${target.get(name)?.version}\u0000`);
  return hash.digest('base64url').slice(0, 16);
};

export const serveSotwStream = (
  call: ServerDuplexStream<DiscoveryRequest, DiscoveryResponse>,
  deps: Omit<StreamCoreDeps, 'variant' | 'send' | 'peer' | 'abort'>,
): StreamCore => {
  const core = new StreamCore({
    ...deps,
    variant: 'sotw',
    peer: call.getPeer(),
    // grpc-js sends an 'error' emitted on a server stream as its status (destroy() would not).
    abort: (message) =>
      call.emit('error', Object.assign(new Error(message), { code: status.RESOURCE_EXHAUSTED })),
    send: (push) => {
      // Made as DiscoveryResponse.fromPartial makes it, without copying every encoded Any.
      const resources: Any[] = [];
      for (const entry of push.target.values()) if (entry.resource) resources.push(entry.resource);
      const response: DiscoveryResponse = {
        versionInfo: setVersion(push.target),
        resources,
        canary: false,
        typeUrl: push.typeUrl,
        nonce: push.nonce,
        controlPlane: undefined,
      };
      deps.callbacks.onResponse(core.info, push.typeUrl, response);
      call.write(response);
    },
  });
  deps.callbacks.onStreamOpen(core.info);

  call.on('data', (request: DiscoveryRequest) => {
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
    if (stale || !isServedType(typeUrl)) return;

    // The ACK/NACK is of the previous response, so it is settled before the subscription changes.
    if (request.responseNonce !== '') {
      core.settle(state, request.responseNonce, request.errorDetail?.message);
    }
    // The request's resource_names are the whole subscription (empty on Listener/Cluster: wildcard).
    // A Set keeps this linear: a list lookup per name froze the server for 40 s on 50,000 names.
    const names = new Set(request.resourceNames);
    if (core.tooManyNames(names.size, typeUrl)) return;
    const wildcard = names.has('*') || (names.size === 0 && WILDCARD_TYPES.has(typeUrl));
    // An ACK repeats the subscription: what the last pumps found holds unless it changed.
    let same =
      wildcard === state.wildcard && names.size - (names.has('*') ? 1 : 0) === state.names.size;
    for (const name of state.names) {
      if (names.has(name)) continue;
      core.forget(state, name);
      same = false;
    }
    if (!same) core.unsettle(state);
    // Set again in the request's order (the order of a response's resources).
    state.names.clear();
    for (const name of names) if (name !== '*') state.names.add(name);
    state.wildcard = wildcard;

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
