// The shape shared by the EnvoyExtensionPolicy filters that run code modules (Wasm, dynamic
// modules): one filter per module the routes use, named after it and disabled in the connection
// manager; each route enables the filters of its own modules as configured there.
import { type Any, HttpFilter } from '@egts/envoy-api';
import type { HTTPRouteIR } from '@egts/ir';
import { type HttpFilterTranslator, routesOf } from './httpFilter.js';
import { enabledAsConfigured } from './securityPolicies.js';

interface ModuleFilters<M extends { readonly name: string }> {
  /** The modules a route runs. */
  readonly modulesOf: (route: HTTPRouteIR) => readonly M[];
  /** The filter (instance) name of a module. */
  readonly filterName: (module: M) => string;
  /** A module's filter config. */
  readonly config: (module: M) => Any;
}

/** patchListener and patchRoute of a filter run per module (modules sorted by name). */
export const moduleFilters = <M extends { readonly name: string }>({
  modulesOf,
  filterName,
  config,
}: ModuleFilters<M>): Pick<HttpFilterTranslator, 'patchListener' | 'patchRoute'> => ({
  patchListener: (listeners) => {
    const modules = new Map<string, M>();
    for (const route of routesOf(listeners))
      for (const module of modulesOf(route)) modules.set(module.name, module);
    return [...modules.values()]
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((module) =>
        HttpFilter.fromPartial({
          name: filterName(module),
          disabled: true,
          typedConfig: config(module),
        }),
      );
  },
  patchRoute: (route) => {
    const modules = modulesOf(route);
    if (modules.length === 0) return undefined;
    return Object.fromEntries(modules.map((module) => [filterName(module), enabledAsConfigured]));
  },
});
