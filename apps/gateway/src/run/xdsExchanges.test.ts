import type { StreamInfo } from '@egts/xds-server';
import { describe, expect, it } from 'vitest';
import { trackXdsExchanges } from './xdsExchanges.js';

const stream = (streamId: number): StreamInfo => ({
  streamId,
  variant: 'sotw',
  peer: 'test',
  node: undefined,
  group: 'gw',
});
const CDS = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';
const LDS = 'type.googleapis.com/envoy.config.listener.v3.Listener';

describe('trackXdsExchanges', () => {
  it('emits on every response, request and closed stream, and runs the given hooks', () => {
    const requests: string[] = [];
    const exchanges = trackXdsExchanges({ onRequest: (_, typeUrl) => requests.push(typeUrl) });
    let seen = 0;
    const subscription = exchanges.exchanges$.subscribe(() => seen++);
    const { callbacks } = exchanges;
    callbacks.onResponse?.(stream(1), CDS, {});
    callbacks.onResponse?.(stream(1), LDS, {});
    callbacks.onResponse?.(stream(2), CDS, {});
    callbacks.onRequest?.(stream(1), CDS, {}, false);
    callbacks.onStreamClose?.(stream(2));
    expect(requests).toEqual([CDS]); // the given hooks still run
    expect(seen).toBe(5); // three responses, one request, one closed stream
    subscription.unsubscribe();
  });
});
