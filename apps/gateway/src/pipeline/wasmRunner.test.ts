// The Wasm runner hands each Gateway's IR on in order; one without Wasm modules in the same turn,
// so its xDS translation does not wait behind the statuses' work.
import type { XdsIR } from '@egts/ir';
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { GatewayIR } from './translatorRunner.js';
import { runWasm, type WasmResolver } from './wasmRunner.js';

const irOf = (name: string) => ({ name, http: [], tcp: [], udp: [] }) as unknown as XdsIR;

describe('Wasm runner', () => {
  it('passes an IR the cache resolves at once on synchronously, and keeps the order', async () => {
    let release: (() => void) | undefined;
    // Gateway "slow" uses Wasm: the cache answers it later; "plain" it hands back as it is.
    const resolver: WasmResolver = {
      resolve: (ir) =>
        ir.name === 'slow'
          ? new Promise<XdsIR>((resolve) => {
              release = () => resolve({ ...ir, name: 'slow (resolved)' });
            })
          : ir,
    };
    const changes$ = new Subject<GatewayIR>();
    const seen: string[] = [];
    runWasm(changes$, resolver).xdsIR$.subscribe((change) =>
      seen.push('ir' in change ? change.ir.name : `${change.name} removed`),
    );

    changes$.next({ name: 'plain', ir: irOf('plain') });
    expect(seen).toEqual(['plain']);

    changes$.next({ name: 'slow', ir: irOf('slow') });
    changes$.next({ name: 'plain', ir: irOf('plain') });
    changes$.next({ name: 'gone', removed: true });
    expect(seen).toEqual(['plain']);
    release?.();
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['plain', 'slow (resolved)', 'plain', 'gone removed']);
  });
});
