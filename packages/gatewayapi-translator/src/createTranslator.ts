// createTranslator(): translate() with memory, for a control plane that sees one snapshot after
// another (DESIGN.md "Cost follows change"). Each update returns what a full translation of the
// same input returns, but computes only what the change can reach: an endpoint-only change
// patches the destinations it moves, a route change splices the changed routes into their
// Gateways' IR (internal/incremental/). An unchanged Gateway's IR is the previous object, so the
// stages after it (xds-translator, snapshots) can skip it by identity. Inputs other than the
// resources that can change while it runs (OpenID provider discovery, fetched beside the
// translator) are passed with each update; a changed one (by identity) translates everything.
import type { ResourceStatus, Resources } from '@egts/api';
import type { InfraIR, XdsIR } from '@egts/ir';
import { endpointsOnlyUpdate, indexSettings } from './internal/incremental/endpointsOnly.js';
import { IncrementalMemo } from './internal/incremental/incrementalMemo.js';
import { policiesOnlyUpdate } from './internal/incremental/policiesOnly.js';
import { routesOnlyUpdate } from './internal/incremental/routesOnly.js';
import { shareUnchanged } from './internal/incremental/shareUnchanged.js';
import type { Translation } from './internal/incremental/translation.js';
import { mergeBackendClusters } from './internal/ir/mergeBackends.js';
import type { OidcDiscovery } from './oidcDiscovery.js';
import { type TranslateOptions, translateWith } from './translate.js';

/** How an update was computed. */
export type UpdatePath = 'full' | 'endpoints' | 'routes' | 'spliced';

export interface TranslatorUpdate {
  /** Proxy fleets to run, sorted by name. */
  readonly infraIR: InfraIR;
  /** Each fleet's xDS IR by name, in name order; an unchanged one is the previous object. */
  readonly xdsIR: ReadonlyMap<string, XdsIR>;
  /** Fleets whose xDS IR is new or changed since the previous update. */
  readonly changed: ReadonlySet<string>;
  /** Fleets the previous update had and this one has not. */
  readonly removed: ReadonlySet<string>;
  /** Every input resource a status was computed for, as translate() lists them. */
  readonly statuses: readonly ResourceStatus[];
  readonly path: UpdatePath;
  /** Fleets translated again (route updates). */
  readonly touched?: ReadonlySet<string> | undefined;
  /** An incremental path that failed (a bug) before the full translation that replaced it. */
  readonly incrementalError?: unknown;
}

/** Inputs besides the resources that may change between updates. */
export interface TranslatorInputs {
  /**
   * OpenID provider discovery results (an OidcDiscoverer's map). Replaces the one given at
   * creation from this update on; omitted, the last one given stays. A new map (by identity)
   * makes the update a full translation.
   */
  readonly oidcDiscovery?: OidcDiscovery;
}

export interface Translator {
  /**
   * Translates `resources`, the provider's next snapshot. Unchanged objects must be the same
   * objects as in the previous snapshot, and no input may be mutated once passed in. Throws
   * when the translation itself fails; the translator then keeps its previous state.
   */
  update(resources: Resources, inputs?: TranslatorInputs): TranslatorUpdate;
}

const byName = (xdsIR: readonly XdsIR[]) => new Map(xdsIR.map((ir) => [ir.name, ir]));

export function createTranslator(initial: TranslateOptions = {}): Translator {
  let options = initial;
  let last: Translation | undefined;
  let served = new Map<string, XdsIR>();
  // Indexes of this translator's inputs and outputs: never shared with another translator.
  const memo = new IncrementalMemo();

  /** Gives unchanged parts the previous objects (unless the path shared them already). */
  const share = (xdsIR: readonly XdsIR[], shared: boolean): XdsIR[] =>
    shared ? [...xdsIR] : xdsIR.map((ir) => shareUnchanged(served.get(ir.name), ir));

  const incremental = (
    previous: Translation,
    resources: Resources,
  ):
    | { translation: Translation; path: UpdatePath; touched?: ReadonlySet<string> | undefined }
    | undefined => {
    const endpoints = endpointsOnlyUpdate(previous, resources, options, memo);
    if (endpoints !== undefined) {
      return { translation: { ...previous, resources, xdsIR: endpoints }, path: 'endpoints' };
    }
    // A policy edited in place: its targets spliced again, its status alone computed again.
    const routes =
      routesOnlyUpdate(previous, resources, options, memo) ??
      policiesOnlyUpdate(previous, resources, options, memo);
    if (routes === undefined) return undefined;
    const { translation, shared, touched } = routes;
    return {
      translation: { ...translation, xdsIR: share(translation.xdsIR, shared) },
      path: shared ? 'spliced' : 'routes',
      touched,
    };
  };

  /**
   * Which backends share clusters (EnvoyProxy mergeBackends) depends on every route of a fleet:
   * decided again on what the incremental paths spliced together (internal/ir/mergeBackends.ts).
   */
  const mergedBackends = (translation: Translation): Translation => {
    let changed = false;
    const xdsIR = translation.xdsIR.map((ir) => {
      const merged = mergeBackendClusters(ir);
      if (merged === ir) return ir;
      changed = true;
      // Same shape: the settings sit where they did.
      const paths = memo.settingPaths.get(ir);
      if (paths !== undefined) memo.settingPaths.set(merged, paths);
      return merged;
    });
    return changed ? { ...translation, xdsIR } : translation;
  };

  const publish = (
    spliced: Translation,
    path: UpdatePath,
    extra: Pick<TranslatorUpdate, 'touched' | 'incrementalError'>,
  ): TranslatorUpdate => {
    const translation = mergedBackends(spliced);
    const xdsIR = byName(translation.xdsIR);
    const changed = new Set<string>();
    for (const [name, ir] of xdsIR) if (served.get(name) !== ir) changed.add(name);
    const removed = new Set<string>();
    for (const name of served.keys()) if (!xdsIR.has(name)) removed.add(name);
    last = translation;
    served = xdsIR;
    return {
      infraIR: translation.infraIR,
      xdsIR,
      changed,
      removed,
      statuses: translation.statuses,
      path,
      ...extra,
    };
  };

  return {
    update(resources, inputs = {}) {
      const previousOptions = options;
      const discoveryChanged =
        inputs.oidcDiscovery !== undefined && inputs.oidcDiscovery !== options.oidcDiscovery;
      if (discoveryChanged) options = { ...options, oidcDiscovery: inputs.oidcDiscovery };
      let incrementalError: unknown;
      // New discovery results can change any OIDC policy: the incremental paths compare
      // resources only, so they are bypassed.
      if (last !== undefined && !discoveryChanged) {
        try {
          const update = incremental(last, resources);
          if (update !== undefined) {
            return publish(update.translation, update.path, { touched: update.touched });
          }
        } catch (error) {
          // A bug on a fast path must not cost correctness: the full translation follows.
          incrementalError = error;
        }
      }
      let result: ReturnType<typeof translateWith>;
      try {
        result = translateWith(resources, options, memo.lookups);
      } catch (error) {
        // The translator keeps its previous state, discovery included.
        options = previousOptions;
        throw error;
      }
      const xdsIR = share(result.xdsIR, false);
      // Indexed now so that the first endpoint-only change never walks a whole IR.
      for (const ir of xdsIR) indexSettings(memo, ir);
      const translation = { resources, infraIR: result.infraIR, xdsIR, statuses: result.statuses };
      return publish(
        translation,
        'full',
        incrementalError === undefined ? {} : { incrementalError },
      );
    },
  };
}
