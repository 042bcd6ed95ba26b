// EnvoyExtensionPolicy Wasm extensions with Envoy's Wasm filter
// (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/wasm_filter): one
// filter per module, disabled in the connection manager and enabled by the routes it extends.
// Envoy loads the code from the control plane's Wasm cache (a remote data source with the
// checksum the cache verified, over a cluster to the cache), as Envoy Gateway's Wasm cache serves
// it. A module the cache could not serve is left out when it fails open; otherwise its routes
// answer 500 (buildRoute.ts), never running without it.
import { packAny, StringValue, Wasm, type WasmPluginConfig } from '@egts/envoy-api';
import type { HTTPRouteIR, WasmModule } from '@egts/ir';
import { addDestination } from '../cluster/destinationClusters.js';
import { urlCluster, urlDestination } from '../cluster/urlCluster.js';
import { durationMs } from '../protoValues.js';
import type { HttpFilterTranslator } from './httpFilter.js';
import { moduleFilters } from './moduleFilters.js';

const filterName = (module: WasmModule): string => `envoy.filters.http.wasm/${module.name}`;

/** The cluster reaching the Wasm cache that serves `url`: one per cache address. */
const cacheCluster = (url: string) => urlCluster('wasm-cache', url);

/** The modules Envoy can load: served by the cache. */
const served = (route: HTTPRouteIR): WasmModule[] =>
  (route.extensions?.wasm ?? []).filter((module) => module.served !== undefined);

/** A route whose Wasm module must run but cannot be loaded: it answers 500 instead. */
export const wasmUnavailable = (route: HTTPRouteIR): boolean =>
  (route.extensions?.wasm ?? []).some((module) => !module.served && !module.failOpen);

const pluginConfig = (module: WasmModule, url: string, sha256: string): WasmPluginConfig => ({
  name: module.name,
  rootId: module.rootId ?? '',
  vmConfig: {
    // The checksum is part of the VM's id: Envoy 1.40 kept running the old code under an
    // unchanged vm_id after the module changed (a pullPolicy Always re-pull; EgtsWasmPullPolicy).
    vmId: `${module.name}/${sha256}`,
    runtime: 'envoy.wasm.runtime.v8',
    code: {
      remote: {
        httpUri: { uri: url, cluster: cacheCluster(url).name, timeout: durationMs(10_000) },
        sha256,
      },
    },
    allowPrecompiled: false,
    nackOnCodeCacheMiss: false,
    ...(module.hostKeys.length > 0
      ? { environmentVariables: { hostEnvKeys: module.hostKeys, keyValues: {} } }
      : {}),
  },
  ...(module.config === undefined
    ? {}
    : { configuration: packAny(StringValue, { value: module.config }) }),
  failOpen: module.failOpen,
});

export const wasmFilter: HttpFilterTranslator = {
  resourcesPerRoute: true,
  ...moduleFilters({
    modulesOf: served,
    filterName,
    config: (module) =>
      packAny(
        Wasm,
        Wasm.fromPartial({
          config: pluginConfig(module, module.served!.url, module.served!.sha256),
        }),
      ),
  }),
  addResources: (listener, out) => {
    for (const route of listener.routes)
      for (const module of served(route)) {
        const cache = cacheCluster(module.served!.url);
        if (out.hasCluster(cache.name)) continue;
        addDestination(urlDestination(cache), out);
      }
  },
};
