// EnvoyExtensionPolicy dynamic modules with Envoy's dynamic modules HTTP filter
// (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/dynamic_modules_filter):
// one filter per policy entry, disabled in the connection manager and enabled by the routes it
// extends, as Envoy Gateway's dynamicmodule.go. The module's configuration reaches it as a
// StringValue of its JSON text.
import {
  DynamicModuleFilter as DynamicModuleFilterConfig,
  HttpFilter,
  packAny,
  StringValue,
} from '@egts/envoy-api';
import type { DynamicModuleFilter, HTTPRouteIR } from '@egts/ir';
import { addModuleFetchCluster, dynamicModuleConfig } from '../dynamicModules/moduleSource.js';
import { type HttpFilterTranslator, routesOf } from './httpFilter.js';
import { enabledAsConfigured } from './securityPolicies.js';

const filterName = (module: DynamicModuleFilter): string =>
  `envoy.filters.http.dynamic_modules/${module.name}`;

const modulesOf = (route: HTTPRouteIR): readonly DynamicModuleFilter[] =>
  route.extensions?.dynamicModules ?? [];

export const dynamicModulesFilter: HttpFilterTranslator = {
  resourcesPerRoute: true,
  patchListener: (listeners) => {
    const modules = new Map<string, DynamicModuleFilter>();
    for (const route of routesOf(listeners))
      for (const module of modulesOf(route)) modules.set(module.name, module);
    return [...modules.values()]
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((module) =>
        HttpFilter.fromPartial({
          name: filterName(module),
          disabled: true,
          typedConfig: packAny(
            DynamicModuleFilterConfig,
            DynamicModuleFilterConfig.fromPartial({
              dynamicModuleConfig: dynamicModuleConfig(module.source),
              filterName: module.filterName,
              terminalFilter: module.terminalFilter,
              ...(module.config === undefined
                ? {}
                : { filterConfig: packAny(StringValue, { value: module.config }) }),
            }),
          ),
        }),
      );
  },
  patchRoute: (route) => {
    const modules = modulesOf(route);
    if (modules.length === 0) return undefined;
    return Object.fromEntries(modules.map((module) => [filterName(module), enabledAsConfigured]));
  },
  addResources: (listener, out) => {
    for (const route of listener.routes)
      for (const module of modulesOf(route)) addModuleFetchCluster(module.source, out);
  },
};
