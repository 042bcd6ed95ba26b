// Every xDS exchange (a response sent, a request received, a stream closed) as a stream: the idle
// collection waits for them to go quiet, since Envoy may warm a large update for seconds before
// it answers. Whether every response has been answered is the xDS server's (`answered()`).
import type { XdsCallbacks } from '@egts/xds-server';
import { type Observable, Subject } from 'rxjs';

export interface XdsExchanges {
  /** `callbacks` with these hooks added (they call the given ones first). */
  readonly callbacks: XdsCallbacks;
  /** Every response sent, every request received (ACKs and NACKs among them), every stream closed. */
  readonly exchanges$: Observable<void>;
}

export function trackXdsExchanges(callbacks: XdsCallbacks): XdsExchanges {
  const exchanges$ = new Subject<void>();
  return {
    callbacks: {
      ...callbacks,
      onStreamClose: (stream, error) => {
        callbacks.onStreamClose?.(stream, error);
        exchanges$.next();
      },
      onRequest: (stream, typeUrl, request, stale) => {
        callbacks.onRequest?.(stream, typeUrl, request, stale);
        exchanges$.next();
      },
      onResponse: (stream, typeUrl, response) => {
        callbacks.onResponse?.(stream, typeUrl, response);
        exchanges$.next();
      },
    },
    exchanges$: exchanges$.asObservable(),
  };
}
