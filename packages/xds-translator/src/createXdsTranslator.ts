// createXdsTranslator(): translateXds() with memory, one entry per proxy fleet. An IR whose only
// change is endpoints (the gatewayapi-translator's endpoint-only updates) rebuilds just the
// clusters and ClusterLoadAssignments of the moved destinations and keeps every other message
// object, so the xDS server's per-resource hashes hit and only EDS is pushed. Every other change
// rebuilds only what changed IR objects need: messages are remembered per IR object, in this
// instance only (two translators share nothing).
import type { RouteSource, XdsIR } from '@egts/ir';
import { endpointChanges } from './internal/incremental/endpointChanges.js';
import { withUnchangedListeners } from './internal/incremental/unchangedListeners.js';
import { withMovedEndpoints } from './internal/incremental/withMovedEndpoints.js';
import { routeSources } from './internal/routeSources.js';
import { XdsMemo } from './internal/xdsMemo.js';
import { translateDestinations } from './translateDestinations.js';
import { translateXdsWith } from './translateXds.js';
import type { TranslateXdsOptions, XdsResources } from './xdsResources.js';

export interface XdsTranslator {
  /**
   * Fleet `name`'s Envoy resources for `ir`, equal to `translateXds(ir)`. Messages built from
   * IR objects this translator saw before (any fleet's), and lists equal to ones it returned, are
   * the objects returned before; neither `ir` nor the output may be mutated.
   */
  update(name: string, ir: XdsIR): XdsResources;
  /**
   * The clusters, ClusterLoadAssignments and upstream secrets of `ir` alone, without listeners
   * or routes: what a fleet's proxies can apply while the rest is translated (a cold start
   * pushes them first). Built with this translator's memory, so the `update` that follows reuses
   * them; nothing is remembered for the fleet.
   */
  destinations(ir: XdsIR): XdsResources;
  /** Forgets a fleet. */
  remove(name: string): void;
  /**
   * The route resource (kind, namespace, name, rule) that the Envoy route, Cluster or
   * ClusterLoadAssignment `resourceName` of fleet `name` comes from, as last translated; undefined
   * for the rest (listeners, secrets, policy clusters). For attributing what Envoy rejects: no
   * caller needs to know how resources are named.
   */
  sourceOf(name: string, resourceName: string): RouteSource | undefined;
}

export function createXdsTranslator(options: TranslateXdsOptions = {}): XdsTranslator {
  return xdsTranslatorWith(new XdsMemo(), options);
}

/** createXdsTranslator() on a given memo (tests look into what it remembers). */
export function xdsTranslatorWith(memo: XdsMemo, options: TranslateXdsOptions): XdsTranslator {
  const fleets = new Map<string, { ir: XdsIR; resources: XdsResources }>();
  // Built on the first question about an IR (a rejection is rare), per IR object.
  const sources = new WeakMap<XdsIR, ReadonlyMap<string, RouteSource>>();
  // What a whole translation of a fleet remembers by name (connection managers' filters) is
  // the fleet's until its next whole translation or its removal.
  const translate = (name: string, ir: XdsIR) => {
    const previous = fleets.get(name)?.resources;
    return withUnchangedListeners(
      previous,
      memo.httpFilters.buildFor(name, () => translateXdsWith(memo, ir, options, previous)),
    );
  };
  const build = (
    name: string,
    previous: { ir: XdsIR; resources: XdsResources } | undefined,
    ir: XdsIR,
  ) => {
    if (previous !== undefined) {
      if (previous.ir === ir) return previous.resources;
      // Patches apply to the final resources: moved endpoints are patched again, in full.
      if ((ir.envoyPatchPolicies ?? []).length > 0) return translate(name, ir);
      const changes = endpointChanges(previous.ir, ir);
      const patched = changes && withMovedEndpoints(previous.resources, changes, options, memo);
      if (patched !== undefined) return patched;
    }
    return translate(name, ir);
  };
  return {
    update(name, ir) {
      const resources = build(name, fleets.get(name), ir);
      fleets.set(name, { ir, resources });
      return resources;
    },
    destinations: (ir) => translateDestinations(ir, options, memo),
    remove(name) {
      fleets.delete(name);
      memo.httpFilters.forget(name);
    },
    sourceOf(name, resourceName) {
      const ir = fleets.get(name)?.ir;
      if (ir === undefined) return undefined;
      let bySource = sources.get(ir);
      if (bySource === undefined) {
        bySource = routeSources(ir);
        sources.set(ir, bySource);
      }
      return bySource.get(resourceName);
    },
  };
}
