// Wasm runner (host mode): each Gateway's xDS IR passes through the control plane's Wasm cache,
// in order, so that the xDS translator finds where every Wasm module is served; the modules the
// cache cannot serve, by Gateway, fail their policies (the translator's wasmFailures).
import { wasmFailures } from '@egts/gatewayapi-translator';
import type { WasmCache } from '@egts/infra-manager';
import type { XdsIR } from '@egts/ir';
import { BehaviorSubject, concatMap, from, type Observable, of } from 'rxjs';
import type { GatewayIR } from './translatorRunner.js';

export interface WasmRunner {
  readonly xdsIR$: Observable<GatewayIR>;
  /** The Wasm modules that cannot be served now, by the policies they fail. */
  readonly failures$: BehaviorSubject<ReadonlyMap<string, readonly string[]>>;
}

/** What the runner needs of the Wasm cache. */
export type WasmResolver = Pick<WasmCache, 'resolve'>;

export function runWasm(xdsIR$: Observable<GatewayIR>, wasm: WasmResolver | undefined): WasmRunner {
  const failures$ = new BehaviorSubject<ReadonlyMap<string, readonly string[]>>(new Map());
  if (wasm === undefined) return { xdsIR$, failures$ };
  const unserved = new Map<string, XdsIR>();
  const note = (change: GatewayIR): GatewayIR => {
    const failed = 'ir' in change && wasmFailures([change.ir]).size > 0;
    if (!failed && !unserved.has(change.name)) return change;
    if (failed) unserved.set(change.name, change.ir);
    else unserved.delete(change.name);
    failures$.next(wasmFailures(unserved.values()));
    return change;
  };
  return {
    xdsIR$: xdsIR$.pipe(
      concatMap((change) => {
        if ('removed' in change) return of(note(change));
        const resolved = wasm.resolve(change.ir);
        // An IR without Wasm modules goes on in this turn (behind any change still resolving):
        // a promise would put its xDS translation behind the statuses' work.
        if (!(resolved instanceof Promise))
          return of(note(resolved === change.ir ? change : { ...change, ir: resolved }));
        return from(resolved.then((ir) => note({ ...change, ir })));
      }),
    ),
    failures$,
  };
}
