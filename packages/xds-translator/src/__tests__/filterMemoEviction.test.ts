// A connection manager's remembered HTTP filters (filterMemo.ts) are keyed by listener name, so
// an xDS translator must forget them when their fleet or listener goes: a long-running server
// whose Gateways come and go would otherwise keep every listener it ever served.
import type { HTTPListener, XdsIR } from '@egts/ir';
import { describe, expect, it } from 'vitest';
import { xdsTranslatorWith } from '../createXdsTranslator.js';
import { XdsMemo } from '../internal/xdsMemo.js';

const listener = (name: string, port: number): HTTPListener => ({
  name,
  address: '0.0.0.0',
  port,
  externalPort: port,
  hostnames: [],
  routes: [
    {
      name: `${name}/r`,
      hostname: '*',
      pathMatch: { type: 'PathPrefix', value: '/' },
      headerMatches: [],
      queryParamMatches: [],
      addRequestHeaders: [],
      removeRequestHeaders: [],
      addResponseHeaders: [],
      removeResponseHeaders: [],
      mirrors: [],
      grpc: false,
      source: { kind: 'HTTPRoute', namespace: 'default', name: 'r', ruleIndex: 0 },
      directResponse: { statusCode: 200 },
    },
  ],
});

const gateway = (name: string, ...listeners: HTTPListener[]): XdsIR => ({
  name,
  http: listeners,
  tcp: [],
  udp: [],
});

describe('createXdsTranslator', () => {
  it('forgets the HTTP filters of removed fleets and listeners', () => {
    const memo = new XdsMemo();
    const translator = xdsTranslatorWith(memo, {});
    const fleets = Array.from({ length: 20 }, (_, i) =>
      gateway(`default/gw${i}`, listener(`default/gw${i}/http`, 10080)),
    );
    for (const ir of fleets) translator.update(ir.name, ir);
    expect(memo.httpFilters.size).toBe(20);

    // Gateway churn: each removed Gateway's connection manager goes with it.
    for (const ir of fleets.slice(5)) translator.remove(ir.name);
    expect(memo.httpFilters.size).toBe(5);

    // A listener replaced by another in the same fleet: the old one's filters go.
    const moved = gateway('default/gw0', listener('default/gw0/other', 10081));
    translator.update(moved.name, moved);
    expect(memo.httpFilters.size).toBe(5);
    // An endpoint-only or unchanged update keeps what the fleet built.
    translator.update(moved.name, moved);
    expect(memo.httpFilters.size).toBe(5);

    for (const ir of [moved, ...fleets.slice(1, 5)]) translator.remove(ir.name);
    expect(memo.httpFilters.size).toBe(0);
  });

  it('keeps filters another fleet still uses', () => {
    const memo = new XdsMemo();
    const translator = xdsTranslatorWith(memo, {});
    const ir = gateway('default/gw', listener('default/gw/http', 10080));
    translator.update('one', ir);
    translator.update('two', ir);
    translator.remove('one');
    expect(memo.httpFilters.size).toBe(1);
    translator.remove('two');
    expect(memo.httpFilters.size).toBe(0);
  });
});
