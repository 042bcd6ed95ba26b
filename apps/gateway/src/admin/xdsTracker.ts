// What each proxy was served and has ACKed or NACKed, and when, for the admin config dump, the
// console and the metrics: built from the xDS server's callbacks.
import { isDeepStrictEqual } from 'node:util';
import type { Problem } from '@egts/api';
import type { Ack, Rejection, SnapshotCache, StreamInfo, XdsCallbacks } from '@egts/xds-server';
import { BehaviorSubject, distinctUntilChanged, type Observable } from 'rxjs';
import type { Metrics } from './metrics.js';
import { rejectionProblems, type SourceOf } from './rejectionProblems.js';
import { configDump, type ProxyState, resourcesOf } from './xdsConfigDump.js';

export interface XdsTracker {
  readonly callbacks: XdsCallbacks;
  configDump(): unknown;
  /** What proxies reject now, as problems on the resources that produced it. */
  problems(): Problem[];
  /**
   * The same, emitted when it changes: looked at again on every NACK, ACK and closed stream (an
   * ACK of a type means the proxy took a newer version, so a rejection may be over).
   */
  readonly problems$: Observable<readonly Problem[]>;
}

/** `sourceOf` attributes rejected resources (the pipeline's; see rejectionProblems.ts). */
export function createXdsTracker(
  cache: SnapshotCache,
  metrics: Metrics,
  sourceOf: SourceOf,
  now: () => Date = () => new Date(),
): XdsTracker {
  const proxies = new Map<number, ProxyState>();
  const stateOf = (stream: StreamInfo): ProxyState => {
    let state = proxies.get(stream.streamId);
    if (!state) {
      state = {
        nodeId: stream.node?.id ?? '',
        group: stream.group,
        variant: stream.variant,
        connectedAt: now().toISOString(),
        acked: {},
        ackedAt: {},
        rejected: [],
        latestRejections: new Map(),
      };
      proxies.set(stream.streamId, state);
    }
    if (stream.node) state.nodeId = stream.node.id;
    if (stream.group) state.group = stream.group;
    return state;
  };
  const problems = (): Problem[] =>
    [...proxies.values()].flatMap((proxy) =>
      [...proxy.latestRejections.values()].flatMap((r) => rejectionProblems(r, cache, sourceOf)),
    );
  const latest$ = new BehaviorSubject<readonly Problem[]>([]);
  const recheck = () => {
    // Cheap while nothing is rejected: no proxy holds a rejection, nothing to look up.
    if (latest$.value.length === 0 && ![...proxies.values()].some((p) => p.latestRejections.size))
      return;
    latest$.next(problems());
  };
  return {
    callbacks: {
      onStreamOpen: (stream) => void stateOf(stream),
      // A closed stream is forgotten: a reconnecting proxy opens a new one.
      onStreamClose: (stream) => {
        proxies.delete(stream.streamId);
        recheck();
      },
      onAck: (ack: Ack) => {
        const state = stateOf(ack.stream);
        state.acked[ack.typeUrl] = resourcesOf(cache, state.group, ack.typeUrl);
        state.ackedAt[ack.typeUrl] = now().toISOString();
        metrics.xdsAcks.inc({ type_url: ack.typeUrl });
        metrics.pushLatencySeconds.observe({ type_url: ack.typeUrl }, ack.latencyMs / 1000);
        recheck();
      },
      onNack: (rejection: Rejection) => {
        const state = stateOf(rejection.stream);
        state.rejected = [
          ...state.rejected.slice(-9),
          {
            typeUrl: rejection.typeUrl,
            resources: rejection.resources,
            message: rejection.message,
            at: now().toISOString(),
          },
        ];
        for (const resource of rejection.resources) {
          state.latestRejections.set(`${rejection.typeUrl} ${resource.name}`, {
            ...rejection,
            resources: [resource],
            quarantined: rejection.quarantined.filter((q) => q.name === resource.name),
          });
        }
        metrics.xdsNacks.inc({ type_url: rejection.typeUrl });
        recheck();
      },
    },
    configDump: () => configDump(cache, proxies.values()),
    problems,
    problems$: latest$.pipe(distinctUntilChanged<readonly Problem[]>(isDeepStrictEqual)),
  };
}
