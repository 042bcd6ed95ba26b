// Which xDS responses still await their ACK or NACK: a push is over once none does. The idle
// collection waits for that, since Envoy may warm a large update for seconds before it answers.
import type { XdsCallbacks } from '@egts/xds-server';
import { type Observable, Subject } from 'rxjs';

export interface XdsPushes {
  /** `callbacks` with these hooks added (they call the given ones first). */
  readonly callbacks: XdsCallbacks;
  /** Every response sent and every request received (ACKs and NACKs among them). */
  readonly exchanges$: Observable<void>;
  /** Whether some response has not been answered yet. */
  inFlight(): boolean;
}

export function trackXdsPushes(callbacks: XdsCallbacks): XdsPushes {
  const exchanges$ = new Subject<void>();
  // The server keeps one response in flight per type and stream (streamCore.ts), hence the key.
  const unanswered = new Set<string>();
  const key = (streamId: number, typeUrl: string) => `${streamId} ${typeUrl}`;
  return {
    callbacks: {
      ...callbacks,
      onStreamClose: (stream, error) => {
        for (const pending of [...unanswered])
          if (pending.startsWith(`${stream.streamId} `)) unanswered.delete(pending);
        callbacks.onStreamClose?.(stream, error);
        exchanges$.next();
      },
      onRequest: (stream, typeUrl, request, stale) => {
        callbacks.onRequest?.(stream, typeUrl, request, stale);
        exchanges$.next();
      },
      onResponse: (stream, typeUrl, response) => {
        unanswered.add(key(stream.streamId, typeUrl));
        callbacks.onResponse?.(stream, typeUrl, response);
        exchanges$.next();
      },
      onAck: (ack) => {
        unanswered.delete(key(ack.stream.streamId, ack.typeUrl));
        callbacks.onAck?.(ack);
      },
      onNack: (rejection) => {
        unanswered.delete(key(rejection.stream.streamId, rejection.typeUrl));
        callbacks.onNack?.(rejection);
      },
    },
    exchanges$: exchanges$.asObservable(),
    inFlight: () => unanswered.size > 0,
  };
}
