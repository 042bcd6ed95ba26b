// Any packing through the type registry and proto3 JSON of Envoy messages with nested Any.
import { describe, expect, it } from 'vitest';
import {
  Cluster,
  Cluster_DiscoveryType,
  fromEnvoyJson,
  HttpConnectionManager,
  Listener,
  packAny,
  Router,
  toEnvoyJson,
  typeUrlOf,
  unpackAny,
  unpackAnyAs,
} from '../index.js';

describe('Any', () => {
  it('packs with the codec type URL and unpacks through the registry', () => {
    const router = Router.fromPartial({ suppressEnvoyHeaders: true });
    const any = packAny(Router, router);
    expect(any.typeUrl).toBe('type.googleapis.com/envoy.extensions.filters.http.router.v3.Router');
    const unpacked = unpackAny(any);
    expect(unpacked.typeName).toBe('envoy.extensions.filters.http.router.v3.Router');
    expect(unpacked.message).toEqual(router);
    expect(unpackAnyAs(Router, any)).toEqual(router);
  });

  it('refuses an Any of another type, and an unknown type', () => {
    const any = packAny(Router, Router.fromPartial({}));
    expect(() => unpackAnyAs(Cluster, any)).toThrow(/expected envoy.config.cluster.v3.Cluster/);
    expect(() =>
      unpackAny({ typeUrl: 'type.googleapis.com/no.such.Type', value: Buffer.alloc(0) }),
    ).toThrow(/not a generated type/);
  });
});

describe('toEnvoyJson', () => {
  it('writes proto3 JSON: Any expanded with @type, durations as strings, enums by name', () => {
    const hcm = HttpConnectionManager.fromPartial({
      statPrefix: 'http',
      routeConfig: { name: 'local', virtualHosts: [{ name: 'all', domains: ['*'] }] },
      httpFilters: [
        { name: 'envoy.filters.http.router', typedConfig: packAny(Router, Router.fromPartial({})) },
      ],
    });
    const listener = Listener.fromPartial({
      name: 'l',
      filterChains: [
        { filters: [{ name: 'hcm', typedConfig: packAny(HttpConnectionManager, hcm) }] },
      ],
    });
    type Typed = { '@type': string; statPrefix: string; httpFilters: { typedConfig: unknown }[] };
    type Json = { filterChains: { filters: { typedConfig: Typed }[] }[] };
    const json = toEnvoyJson(Listener, listener) as Json;
    const typed = json.filterChains[0]!.filters[0]!.typedConfig;
    expect(typed['@type']).toBe(typeUrlOf(HttpConnectionManager));
    expect(typed.statPrefix).toBe('http');
    expect(typed.httpFilters[0]?.typedConfig).toEqual({ '@type': typeUrlOf(Router) });
    expect(fromEnvoyJson(Listener, json)).toEqual(listener);

    const cluster = Cluster.fromPartial({
      name: 'c',
      type: Cluster_DiscoveryType.STATIC,
      connectTimeout: { seconds: 1, nanos: 500_000_000 },
    });
    expect(toEnvoyJson(Cluster, cluster)).toEqual({
      name: 'c',
      type: 'STATIC',
      connectTimeout: '1.500s',
    });
  });
});
