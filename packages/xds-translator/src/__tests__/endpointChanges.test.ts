// A stateful xDS translator takes the endpoint-only path (moved destinations' clusters and
// endpoints swapped into the last resources) only when nothing else of the IR changed: a fleet
// setting (access log, request ID tracing) changed with equal listeners is translated again.
import type { XdsIR } from '@egts/ir';
import { describe, expect, it } from 'vitest';
import { createXdsTranslator, translateXds } from '../index.js';
import { backendSetting, fleetIR, httpRoute } from './irFixtures.js';

/** A new IR object each call, as a full translation of the Gateway API side gives. */
const ir = (host: string, fleet: Partial<XdsIR> = {}): XdsIR =>
  fleetIR(
    [
      httpRoute('a', '/a', {
        destination: { name: 'a/dest', settings: [backendSetting('a/dest/backend/0', host)] },
      }),
    ],
    fleet,
  );

describe('endpoint-only updates', () => {
  it('swaps in the moved endpoints, and translates a changed fleet setting in full', () => {
    const translator = createXdsTranslator();
    const first = translator.update('f', ir('10.0.0.1'));
    const moved = translator.update('f', ir('10.0.0.2'));
    expect(moved).toEqual(translateXds(ir('10.0.0.2')));
    expect(moved.listeners).toBe(first.listeners);
    expect(moved.endpoints).not.toBe(first.endpoints);
    // Equal listeners and routes, another request ID setting: the connection manager changes.
    const tracing = ir('10.0.0.2', { requestIdTracing: { pack: false, sample: true } });
    const traced = translator.update('f', tracing);
    expect(traced).toEqual(translateXds(tracing));
    expect(traced.listeners).not.toEqual(moved.listeners);
    // Another access log: every connection manager and listener logs with it.
    const logged = ir('10.0.0.2', {
      accessLog: { sinks: [{ path: '/dev/stdout', text: '%REQ(:PATH)%\n' }] },
    });
    expect(translator.update('f', logged)).toEqual(translateXds(logged));
  });
});
