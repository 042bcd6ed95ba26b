// A fleet's listeners after a whole translation, with those equal to the ones served before
// given back as those objects: a route or policy change rebuilds every listener of its port
// around connection managers that are mostly the same, and a new Listener object costs the xDS
// server an encoding, a hash and a decoding (its consistency check) per change.
import { isDeepStrictEqual } from 'node:util';
import type { Listener } from '@egts/envoy-api';
import type { XdsResources } from '../../xdsResources.js';

/**
 * `resources` with each listener equal to the one of the same name in `previous` replaced by
 * that one, and the previous list itself when every listener is. The compare is cheap where it
 * matters: unchanged connection managers are the same packed objects (filterMemo.ts).
 */
export const withUnchangedListeners = (
  previous: XdsResources | undefined,
  resources: XdsResources,
): XdsResources => {
  const before = previous?.listeners;
  if (before === undefined || before.length === 0 || resources.listeners === before)
    return resources;
  const byName = new Map(before.map((listener) => [listener.name, listener]));
  let changed = resources.listeners.length !== before.length;
  const listeners = resources.listeners.map((listener, i): Listener => {
    const old = byName.get(listener.name);
    const kept = old !== undefined && isDeepStrictEqual(old, listener) ? old : listener;
    if (kept !== before[i]) changed = true;
    return kept;
  });
  return { ...resources, listeners: changed ? listeners : before };
};
