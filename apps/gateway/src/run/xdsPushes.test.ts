import type { Ack, Rejection, StreamInfo } from '@egts/xds-server';
import { describe, expect, it } from 'vitest';
import { trackXdsPushes } from './xdsPushes.js';

const stream = (streamId: number): StreamInfo => ({
  streamId,
  variant: 'sotw',
  peer: 'test',
  node: undefined,
  group: 'gw',
});
const CDS = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';
const LDS = 'type.googleapis.com/envoy.config.listener.v3.Listener';

describe('trackXdsPushes', () => {
  it('is in flight from a response until its ACK or NACK, per stream and type', () => {
    const acked: string[] = [];
    const pushes = trackXdsPushes({ onAck: (ack) => acked.push(ack.typeUrl) });
    let exchanges = 0;
    const subscription = pushes.exchanges$.subscribe(() => exchanges++);
    const { callbacks } = pushes;
    expect(pushes.inFlight()).toBe(false);
    callbacks.onResponse?.(stream(1), CDS, {});
    callbacks.onResponse?.(stream(1), LDS, {});
    callbacks.onResponse?.(stream(2), CDS, {});
    callbacks.onRequest?.(stream(1), CDS, {}, false);
    callbacks.onAck?.({ stream: stream(1), typeUrl: CDS, nonce: '1', latencyMs: 1 } as Ack);
    expect(acked).toEqual([CDS]); // the given hooks still run
    expect(pushes.inFlight()).toBe(true);
    callbacks.onNack?.({ stream: stream(1), typeUrl: LDS } as Rejection);
    expect(pushes.inFlight()).toBe(true); // stream 2's CDS
    callbacks.onStreamClose?.(stream(2));
    expect(pushes.inFlight()).toBe(false);
    expect(exchanges).toBe(5); // three responses, one request, one closed stream
    subscription.unsubscribe();
  });
});
