// Wasm extensions: one filter per module, disabled in the connection manager and enabled by the
// routes it extends, loading the code from the Wasm cache's URL with the checked sha256; a module
// the cache could not serve is skipped when it fails open, and closes its routes otherwise.
import {
  HttpConnectionManager,
  type Listener,
  StringValue,
  unpackAnyAs,
  Wasm,
} from '@egts/envoy-api';
import type { HTTPRouteIR, WasmModule, XdsIR } from '@egts/ir';
import { describe, expect, it } from 'vitest';
import { translateXds } from '../index.js';

const SHA = 'a'.repeat(64);

const module = (name: string, extra: Partial<WasmModule> = {}): WasmModule => ({
  name: `default/p/wasm/${name}`,
  rootId: 'my_root_id',
  code: { url: `http://files/${name}.wasm` },
  config: '{"header":"x-wasm"}',
  failOpen: false,
  hostKeys: ['HOME'],
  ...extra,
});

const route = (name: string, wasm: WasmModule[]): HTTPRouteIR => ({
  name,
  hostname: '*',
  headerMatches: [],
  queryParamMatches: [],
  addRequestHeaders: [],
  removeRequestHeaders: [],
  addResponseHeaders: [],
  removeResponseHeaders: [],
  mirrors: [],
  grpc: false,
  source: { kind: 'HTTPRoute', namespace: 'default', name },
  destination: {
    name: `${name}/dest`,
    settings: [
      {
        name: `${name}/dest/0`,
        weight: 1,
        protocol: 'HTTP',
        addressType: 'IP',
        endpoints: [{ host: '10.0.0.1', port: 8080, ready: true }],
      },
    ],
  },
  extensions: { policy: 'default/p', lua: [], extProc: [], wasm },
});

const served = { url: `http://127.0.0.1:18002/${SHA}.wasm`, sha256: SHA };

const ir: XdsIR = {
  name: 'default/eg',
  http: [
    {
      name: 'default/eg/http',
      address: '0.0.0.0',
      port: 10080,
      externalPort: 80,
      hostnames: ['*'],
      routes: [
        route('served', [module('a', { served })]),
        route('open', [module('b', { failOpen: true, unavailable: 'answered 404' })]),
        route('closed', [module('c', { unavailable: 'sha256 mismatch' })]),
      ],
    },
  ],
  tcp: [],
  udp: [],
};

const hcmOf = (listener: Listener | undefined): HttpConnectionManager => {
  const filter = (listener?.defaultFilterChain ?? listener?.filterChains[0])?.filters[0];
  if (filter?.typedConfig === undefined) throw new Error('no HCM');
  return unpackAnyAs(HttpConnectionManager, filter.typedConfig);
};

describe('Wasm', () => {
  it('loads served modules from the Wasm cache', () => {
    const out = translateXds(ir, { mode: 'static' });
    const filters = hcmOf(out.listeners[0]).httpFilters;
    const wasm = filters.filter((f) => f.name.startsWith('envoy.filters.http.wasm/'));
    expect(wasm.map((f) => [f.name, f.disabled])).toEqual([
      ['envoy.filters.http.wasm/default/p/wasm/a', true],
    ]);
    const config = unpackAnyAs(Wasm, wasm[0]!.typedConfig!).config!;
    expect(config).toMatchObject({
      name: 'default/p/wasm/a',
      rootId: 'my_root_id',
      failOpen: false,
      vmConfig: {
        runtime: 'envoy.wasm.runtime.v8',
        code: { remote: { httpUri: { uri: served.url, cluster: 'wasm-cache/127.0.0.1:18002' } } },
        environmentVariables: { hostEnvKeys: ['HOME'] },
      },
    });
    expect(config.vmConfig?.code?.remote?.sha256).toBe(SHA);
    expect(unpackAnyAs(StringValue, config.configuration!).value).toBe('{"header":"x-wasm"}');
    expect(out.clusters.map((c) => c.name)).toContain('wasm-cache/127.0.0.1:18002');
  });

  it('skips an unavailable module that fails open, and answers 500 for one that does not', () => {
    const out = translateXds(ir, { mode: 'static' });
    const config = hcmOf(out.listeners[0]).routeConfig;
    const byName = new Map(config?.virtualHosts.flatMap((vh) => vh.routes).map((r) => [r.name, r]));
    expect(Object.keys(byName.get('served')?.typedPerFilterConfig ?? {})).toContain(
      'envoy.filters.http.wasm/default/p/wasm/a',
    );
    expect(byName.get('open')?.route?.cluster).toBe('open/dest');
    expect(byName.get('closed')?.directResponse?.status).toBe(500);
  });
});
