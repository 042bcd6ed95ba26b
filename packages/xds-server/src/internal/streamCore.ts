// What both protocol variants share on one ADS stream: per-type subscriptions, what the proxy
// holds (ACKed), NACKed versions, the one response in flight, and the make-before-break pump.
// Policy for resources a proxy has not asked for (see README): each type is answered with what the
// snapshot has of what was asked; missing names are left out, never block other names or types.
import type { Any, Node } from '@egts/envoy-api';
import type { Rejection, StreamInfo, XdsCallbacks, XdsVariant } from '../callbacks.js';
import { REMOVE_LAST, type TypeUrl, UPDATE_ORDER } from '../resourceTypes.js';
import { changedSince, type Snapshot, type VersionedResource } from '../snapshot.js';
import type { SnapshotCache, SnapshotEntry } from '../snapshotCache.js';
import { attributeRejection } from './attribution.js';
import type { PushMetrics } from './pushMetrics.js';
import { quarantineRoutes } from './quarantine.js';

/** A resource version the proxy holds or is sent. `resource` is unknown for Delta initial versions. */
export interface Entry {
  readonly name: string;
  readonly version: string;
  readonly resource: Any | undefined;
}

export interface InFlight {
  readonly nonce: string;
  /**
   * What the proxy holds once it ACKs (SotW: the whole set; Delta: acked + changed - removed).
   * Built for this response alone: an ACK makes it the type's `acked` as it is.
   */
  readonly target: Map<string, Entry>;
  readonly changed: readonly Entry[];
  readonly removed: readonly string[];
  readonly snapshotSetAt: number;
  /** The snapshot the response was built from: its resources are what the proxy is warming. */
  readonly snapshot: Snapshot;
  /**
   * What the type's `quiet` becomes if the proxy ACKs the response as is: it then holds the
   * target, and a pump against the same resources would find nothing due (see #sendIfChanged).
   */
  readonly quietOnAck: Quiets;
  /** The type's `unsettled` count when the response was made (quietOnAck holds if unchanged). */
  readonly unsettled: number;
}

export interface TypeState {
  readonly typeUrl: string;
  wildcard: boolean;
  readonly names: Set<string>;
  /** What the proxy holds (as far as its ACKs tell). */
  acked: Map<string, Entry>;
  /** Versions the proxy rejected, by name: not sent again until the content changes. */
  readonly rejected: Map<string, string>;
  /** Rejected resources served without their offending parts, by name (see quarantine.ts). */
  readonly quarantined: Map<string, { sourceVersion: string; entry: Entry; routes: string[] }>;
  inFlight: InFlight | undefined;
  /** Nonce of the last response of this type whose ACK/NACK was processed. */
  lastNonce: string | undefined;
  everSent: boolean;
  /**
   * What the last pump that found nothing due for this type saw, with and without stale entries
   * kept (see StreamCore.#sendIfChanged); cleared by whatever changes what the proxy holds,
   * rejected or subscribes to (StreamCore.unsettle).
   */
  quiet: Quiets;
  /** How many times the type was unsettled (see StreamCore.unsettle). */
  unsettled: number;
}

type Quiets = [fresh: Quiet | undefined, keepingStale: Quiet | undefined];

/**
 * What a "nothing due" finding depends on besides the type's own state: the snapshot's resources
 * of the type, and, when a wanted name was missing from them, the responses in flight of the
 * other types (it may come from their snapshots, see #warming).
 */
interface Quiet {
  readonly available: ReadonlyMap<string, VersionedResource>;
  readonly othersInFlight: readonly (InFlight | undefined)[] | undefined;
}

/** A response to send: the variant turns it into its own message. */
export interface Push {
  readonly typeUrl: string;
  readonly nonce: string;
  /** What the proxy held when the response was made (the target is this, changed and removed). */
  readonly held: ReadonlyMap<string, Entry>;
  readonly target: ReadonlyMap<string, Entry>;
  readonly changed: readonly Entry[];
  readonly removed: readonly string[];
}

export interface StreamCoreDeps {
  readonly variant: XdsVariant;
  readonly streamId: number;
  readonly peer: string;
  readonly cache: SnapshotCache;
  readonly callbacks: Required<XdsCallbacks>;
  readonly metrics: PushMetrics;
  readonly publishRejection: (rejection: Rejection) => void;
  /** Sends a response on the stream. */
  readonly send: (push: Push) => void;
  /** Ends the stream with an error (a client over a limit). */
  readonly abort: (message: string) => void;
  /** Most resource names one stream may subscribe to per type. */
  readonly maxResourceNames: number;
  /** Called after every pump and on close: what the stream holds may have converged. */
  readonly onProgress: (core: StreamCore) => void;
}

const sameVersions = (a: ReadonlyMap<string, Entry>, b: ReadonlyMap<string, Entry>): boolean => {
  if (a.size !== b.size) return false;
  for (const [name, entry] of a) if (b.get(name)?.version !== entry.version) return false;
  return true;
};

export class StreamCore {
  readonly #deps: StreamCoreDeps;
  readonly #types = new Map<string, TypeState>();
  #node: Node | undefined;
  #group: string | undefined;
  #entry: SnapshotEntry | undefined;
  #unwatch: (() => void) | undefined;
  #nonce = 0;
  #closed = false;

  constructor(deps: StreamCoreDeps) {
    this.#deps = deps;
  }

  get info(): StreamInfo {
    return {
      streamId: this.#deps.streamId,
      variant: this.#deps.variant,
      peer: this.#deps.peer,
      node: this.#node,
      group: this.#group,
    };
  }

  get bound(): boolean {
    return this.#node !== undefined;
  }

  /** The node group this stream follows, once bound. */
  get group(): string | undefined {
    return this.#group;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Whether the proxy has answered (ACK or NACK) every response sent to it. */
  get answered(): boolean {
    for (const state of this.#types.values()) if (state.inFlight !== undefined) return false;
    return true;
  }

  /**
   * Whether the proxy has answered (ACK or NACK) everything due from its group's current snapshot
   * for the types it subscribes to: no response in flight, and no type the snapshot still lacks.
   * (A type Envoy has not asked for yet, e.g. the RDS of a listener just sent, is not counted.)
   */
  get converged(): boolean {
    const entry = this.#entry;
    if (entry === undefined || !this.answered) return false;
    for (const state of this.#types.values())
      if (entry.snapshot.pending(state.typeUrl)) return false;
    return true;
  }

  /** Ties the stream to the node's group on its first request, and follows that group's snapshots. */
  bind(node: Node): void {
    if (this.#node !== undefined) return;
    this.#node = node;
    const group = this.#deps.cache.nodeGroup(node);
    this.#group = group;
    this.#entry = this.#deps.cache.getSnapshot(group);
    this.#unwatch = this.#deps.cache.watch(group, (entry) => {
      this.#entry = entry;
      this.pump();
    });
  }

  /** The state of a type, for a request of that type. */
  typeState(typeUrl: string): TypeState {
    let state = this.#types.get(typeUrl);
    if (state === undefined) {
      state = {
        typeUrl,
        wildcard: false,
        names: new Set(),
        acked: new Map(),
        rejected: new Map(),
        quarantined: new Map(),
        inFlight: undefined,
        lastNonce: undefined,
        everSent: false,
        quiet: [undefined, undefined],
        unsettled: 0,
      };
      this.#types.set(typeUrl, state);
    }
    return state;
  }

  /**
   * Forgets what the last pumps found for the type: its subscription or what the proxy holds
   * changed. Every request that changes the subscription calls it (settle and forget do).
   */
  unsettle(state: TypeState): void {
    state.quiet = [undefined, undefined];
    state.unsettled += 1;
  }

  /**
   * Whether a request's `response_nonce` is stale: not the latest response of its type. The xDS
   * protocol has servers ignore such requests; an empty nonce (a first request) is never stale.
   */
  isStale(state: TypeState, nonce: string): boolean {
    if (nonce === '') return false;
    if (state.inFlight !== undefined) return nonce !== state.inFlight.nonce;
    return nonce !== state.lastNonce;
  }

  /**
   * Whether a subscription of `count` names is over the limit, in which case the stream is ended
   * (RESOURCE_EXHAUSTED): one client naming millions of resources must not cost the others.
   */
  tooManyNames(count: number, typeUrl: string): boolean {
    if (count <= this.#deps.maxResourceNames) return false;
    this.#deps.abort(
      `${typeUrl}: subscription of ${count} resource names is over the limit of ${this.#deps.maxResourceNames}`,
    );
    return true;
  }

  /** Processes the ACK or NACK (error_detail set) of the response in flight with this nonce. */
  settle(state: TypeState, nonce: string, errorMessage: string | undefined): void {
    const inFlight = state.inFlight;
    if (inFlight === undefined || inFlight.nonce !== nonce) return;
    state.inFlight = undefined;
    state.lastNonce = nonce;
    if (errorMessage === undefined) {
      // The response's own map, no copy: nothing else holds it once the response is settled.
      state.acked = inFlight.target;
      // Unless the subscription changed while the response was on its way (the target may then
      // hold names no longer wanted, to be removed).
      if (state.unsettled === inFlight.unsettled) state.quiet = [...inFlight.quietOnAck];
      const latencyMs = performance.now() - inFlight.snapshotSetAt;
      this.#deps.metrics.record(state.typeUrl, this.#node?.id ?? '', latencyMs);
      this.#deps.callbacks.onAck({ stream: this.info, typeUrl: state.typeUrl, nonce, latencyMs });
      return;
    }
    // NACK: the named resources keep the version the proxy had; the rest of the response is taken
    // (Envoy applies the valid resources of an update and rejects only the invalid ones).
    this.unsettle(state);
    const candidates = [...inFlight.changed.map((entry) => entry.name)];
    const { names, attributed } = attributeRejection(errorMessage, candidates);
    const rejectedNames = new Set(names);
    const next = new Map(inFlight.target);
    for (const name of rejectedNames) {
      const held = state.acked.get(name);
      if (held === undefined) next.delete(name);
      else next.set(name, held);
    }
    state.acked = next;
    const resources = inFlight.changed
      .filter((entry) => rejectedNames.has(entry.name))
      .map((entry) => ({ name: entry.name, version: entry.version }));
    const quarantined = this.#quarantine(state, inFlight.changed, rejectedNames, errorMessage);
    const rejection: Rejection = {
      stream: this.info,
      typeUrl: state.typeUrl,
      resources,
      message: errorMessage,
      attributed,
      quarantined,
    };
    this.#deps.callbacks.onNack(rejection);
    this.#deps.publishRejection(rejection);
  }

  /**
   * Records rejected versions (not sent again until they change) and, where Envoy's message points
   * at routes inside a rejected RouteConfiguration, the version without them to send instead. A
   * quarantined version rejected in turn quarantines more routes, or falls back to what the proxy
   * holds; either way the content the snapshot has stays the "rejected" one.
   */
  #quarantine(
    state: TypeState,
    changed: readonly Entry[],
    rejectedNames: ReadonlySet<string>,
    message: string,
  ): { name: string; routes: string[] }[] {
    const out: { name: string; routes: string[] }[] = [];
    for (const entry of changed) {
      if (!rejectedNames.has(entry.name)) continue;
      const previous = state.quarantined.get(entry.name);
      const retry = previous !== undefined && previous.entry.version === entry.version;
      const sourceVersion = retry ? previous.sourceVersion : entry.version;
      state.rejected.set(entry.name, sourceVersion);
      const taken =
        entry.resource === undefined
          ? undefined
          : quarantineRoutes(state.typeUrl, entry.resource, message);
      if (taken === undefined) {
        state.quarantined.delete(entry.name);
        continue;
      }
      const routes = [...(retry ? previous.routes : []), ...taken.routes];
      state.quarantined.set(entry.name, {
        sourceVersion,
        routes,
        entry: {
          name: entry.name,
          // snapshotVersionOf() (callbacks.ts) reads this back.
          version: `${sourceVersion}~q${routes.length}`,
          resource: taken.resource,
        },
      });
      out.push({ name: entry.name, routes: [...taken.routes] });
    }
    return out;
  }

  /**
   * Sends what is due, in make-before-break order (at most one response in flight per type):
   * 1. secrets, clusters and endpoints, keeping the stale ones the proxy holds;
   * 2. once those are ACKed (Envoy ACKs CDS only after the new clusters have warmed, i.e. got their
   *    endpoints and secrets), listeners and routes, so no route points at a missing cluster;
   * 3. once those are ACKed too, removal of the clusters, endpoints and secrets no longer used.
   */
  pump(): void {
    if (this.#closed || this.#entry === undefined) return;
    const { snapshot, setAt } = this.#entry;
    const phase = (types: readonly TypeUrl[], keepStale: boolean): boolean => {
      let settled = true;
      for (const typeUrl of types) {
        // A type the snapshot does not cover yet is left as the proxy holds it, and what comes
        // after it waits (the referencing types are not settled, so no removals follow).
        if (snapshot.pending(typeUrl)) {
          settled = false;
          continue;
        }
        const state = this.#types.get(typeUrl);
        if (state === undefined) continue;
        if (state.inFlight !== undefined || this.#sendIfChanged(state, snapshot, setAt, keepStale))
          settled = false;
      }
      return settled;
    };
    const supporting = UPDATE_ORDER.filter((typeUrl) => REMOVE_LAST.has(typeUrl));
    const referencing = UPDATE_ORDER.filter((typeUrl) => !REMOVE_LAST.has(typeUrl));
    if (phase(supporting, true) && phase(referencing, false)) phase(supporting, false);
    this.#deps.onProgress(this);
  }

  #sendIfChanged(state: TypeState, snapshot: Snapshot, setAt: number, keepStale: boolean): boolean {
    // A pump runs on every snapshot and every ACK, for every type; with thousands of clusters,
    // working out again that nothing of an untouched type is due was most of its cost. The
    // finding holds while the type's resources (the snapshot's index of them, an immutable
    // object) are the same and nothing unsettled the type; and, if a wanted name was missing
    // from them, while the others' responses in flight are the same. A snapshot made to replace
    // the one it was made against says which names changed: only those are looked at.
    const slot = keepStale ? 1 : 0;
    const available = snapshot.resources(state.typeUrl);
    const quiet = state.quiet[slot];
    if (
      quiet !== undefined &&
      (quiet.othersInFlight === undefined || this.#sameOthersInFlight(state, quiet.othersInFlight))
    ) {
      if (quiet.available === available) return false;
      const names = changedSince(snapshot, state.typeUrl, quiet.available);
      if (names !== undefined && this.#stillQuiet(state, available, names, keepStale, quiet))
        return false;
    }
    const { target, warming, missing, keptStale, complete, changed } = this.#target(
      state,
      snapshot,
      keepStale,
    );
    const removed: string[] = [];
    if (!complete) for (const name of state.acked.keys()) if (!target.has(name)) removed.push(name);
    const firstWildcard = state.wildcard && !state.everSent;
    const needed =
      this.#deps.variant === 'sotw'
        ? !sameVersions(target, state.acked) || firstWildcard
        : changed.length > 0 || removed.length > 0 || firstWildcard;
    if (!needed) {
      const othersInFlight = warming ? this.#othersInFlight(state) : undefined;
      state.quiet[slot] = { available, othersInFlight };
      return false;
    }
    // Once the proxy holds the target, the same computation against the same resources gives
    // the target again: nothing due, unless it depended on other responses in flight (warming).
    // Without stale entries kept and with every wanted name available, it gives the same with
    // stale entries kept or not.
    const quietOnAck: Quiets = [undefined, undefined];
    if (!warming) {
      quietOnAck[slot] = { available, othersInFlight: undefined };
      if (!missing && !keptStale) quietOnAck[1 - slot] = quietOnAck[slot];
    }
    this.#nonce += 1;
    const nonce = String(this.#nonce);
    state.inFlight = {
      nonce,
      target,
      changed,
      removed,
      snapshotSetAt: setAt,
      snapshot,
      quietOnAck,
      unsettled: state.unsettled,
    };
    state.everSent = true;
    this.#deps.send({
      typeUrl: state.typeUrl,
      nonce,
      held: state.acked,
      target,
      changed,
      removed,
    });
    return true;
  }

  /**
   * Whether nothing is due for the type, found nothing due against `quiet.available` (the index
   * the snapshot replaced) and given the names whose version changed since: the target differs
   * from what the proxy holds only if it does at one of those names. Records the finding.
   */
  #stillQuiet(
    state: TypeState,
    available: ReadonlyMap<string, VersionedResource>,
    names: readonly string[],
    keepStale: boolean,
    quiet: Quiet,
  ): boolean {
    let warmed = false;
    for (const name of names) {
      let entry: Entry | undefined;
      const held = state.acked.get(name);
      const subscribed = state.names.has(name);
      const resource = available.get(name);
      if (resource !== undefined) {
        if (state.wildcard || subscribed) entry = this.#sendable(state, name, resource);
      } else if (keepStale) {
        // As #target: a subscribed name is looked for in the responses in flight, and what the
        // proxy holds of a wanted name is kept.
        if (subscribed) {
          warmed = true;
          const warming = this.#warming(state, name);
          if (warming !== undefined) entry = this.#sendable(state, name, warming);
        }
        if (entry === undefined && (state.wildcard || subscribed)) entry = held;
      }
      if (entry?.version !== held?.version) return false;
    }
    const othersInFlight =
      quiet.othersInFlight ?? (warmed ? this.#othersInFlight(state) : undefined);
    state.quiet[keepStale ? 1 : 0] = { available, othersInFlight };
    return true;
  }

  /**
   * The entry to send for an available (or warming) resource: a rejected version is replaced by
   * its quarantined form, or by what the proxy holds (undefined if it holds nothing).
   */
  #sendable(state: TypeState, name: string, resource: VersionedResource): Entry | undefined {
    if (state.rejected.get(name) !== resource.version) return resource;
    const quarantined = state.quarantined.get(name);
    if (quarantined?.sourceVersion === resource.version) return quarantined.entry;
    // Rejected content: the proxy keeps (and is told to keep) what it had.
    return state.acked.get(name);
  }

  /**
   * What the proxy should hold of this type after the next response, the entries of it the
   * proxy does not hold (in the target's order), whether a wanted name was looked for in the
   * other types' responses in flight (#warming), whether one was missing from the snapshot, and
   * whether stale entries were kept. One pass over the wanted names: a pump
   * runs on every snapshot and ACK, and at thousands of clusters listing the names again and
   * comparing the target with what is held afterwards was most of its cost.
   */
  #target(
    state: TypeState,
    snapshot: Snapshot,
    keepStale: boolean,
  ): {
    target: Map<string, Entry>;
    warming: boolean;
    missing: boolean;
    keptStale: boolean;
    /** Whether every name the proxy holds is in the target (nothing to remove). */
    complete: boolean;
    changed: Entry[];
  } {
    const available = snapshot.resources(state.typeUrl);
    const { acked } = state;
    const rejected = state.rejected.size > 0 ? state.rejected : undefined;
    const target = new Map<string, Entry>();
    const changed: Entry[] = [];
    let warming = false;
    let missing = false;
    let keptStale = false;
    // How many names the proxy holds are in the target: when all are, nothing is removed and no
    // stale entry is kept, and neither needs another pass over what the proxy holds.
    let held = 0;
    const add = (name: string, entry: Entry) => {
      target.set(name, entry);
      const holds = acked.get(name);
      if (holds !== undefined) held += 1;
      if (holds?.version !== entry.version) changed.push(entry);
    };
    const consider = (found: VersionedResource | undefined, name: string) => {
      let resource = found;
      if (resource === undefined) {
        missing = true;
        if (keepStale) {
          warming = true;
          resource = this.#warming(state, name);
        }
      }
      if (resource === undefined) return;
      if (rejected?.get(name) === resource.version) {
        const quarantined = state.quarantined.get(name);
        if (quarantined?.sourceVersion === resource.version) {
          add(name, quarantined.entry);
          return;
        }
        // Rejected content: the proxy keeps (and is told to keep) what it had.
        const holds = acked.get(name);
        if (holds !== undefined) {
          target.set(name, holds);
          held += 1;
        }
        return;
      }
      // The snapshot's own entry (it has the name, version and resource an Entry needs): a
      // pump runs on every ACK, and copying thousands of entries each time filled the young
      // generation.
      add(name, resource);
    };
    if (state.wildcard) available.forEach(consider);
    // A name both available and subscribed to by name was already considered, to the same end.
    for (const name of state.names) {
      if (!state.wildcard || !target.has(name)) consider(available.get(name), name);
    }
    if (keepStale && held < acked.size) {
      for (const [name, entry] of acked) {
        if (!target.has(name) && (state.wildcard || state.names.has(name))) {
          target.set(name, entry);
          held += 1;
          keptStale = true;
        }
      }
    }
    const complete = held === acked.size;
    return { target, warming, missing, keptStale, complete, changed };
  }

  /**
   * A supporting resource (endpoints, secrets) the current snapshot no longer has, from a snapshot
   * whose response the proxy has not ACKed yet. Envoy ACKs a CDS (or LDS) response only once its new
   * clusters (listeners) have warmed, and they warm only when the endpoints and secrets they name
   * arrive (xDS protocol, "eventual consistency considerations"). If a newer snapshot dropped them
   * meanwhile, withholding them would stall every later update until Envoy's initial fetch timeout
   * (15 s by default); serving the version they were built against lets warming finish, and the
   * next make-before-break round removes them.
   */
  #warming(state: TypeState, name: string): VersionedResource | undefined {
    for (const other of this.#types.values()) {
      if (other === state || other.inFlight === undefined) continue;
      const resource = other.inFlight.snapshot.resources(state.typeUrl).get(name);
      if (resource !== undefined) return resource;
    }
    return undefined;
  }

  #sameOthersInFlight(state: TypeState, seen: readonly (InFlight | undefined)[]): boolean {
    const now = this.#othersInFlight(state);
    return now.length === seen.length && now.every((inFlight, i) => inFlight === seen[i]);
  }

  #othersInFlight(state: TypeState): (InFlight | undefined)[] {
    const found: (InFlight | undefined)[] = [];
    for (const other of this.#types.values()) if (other !== state) found.push(other.inFlight);
    return found;
  }

  /** Forgets a name the proxy unsubscribed from (it drops the resource itself). */
  forget(state: TypeState, name: string): void {
    this.unsettle(state);
    state.acked.delete(name);
    state.rejected.delete(name);
    state.quarantined.delete(name);
  }

  /** Stops following snapshots; true the first time only. */
  close(): boolean {
    if (this.#closed) return false;
    this.#closed = true;
    this.#unwatch?.();
    this.#unwatch = undefined;
    this.#deps.onProgress(this);
    return true;
  }
}
