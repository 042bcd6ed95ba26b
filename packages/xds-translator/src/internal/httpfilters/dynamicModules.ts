// EnvoyExtensionPolicy dynamic modules with Envoy's dynamic modules HTTP filter
// (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/dynamic_modules_filter):
// one filter per policy entry, disabled in the connection manager and enabled by the routes it
// extends, as Envoy Gateway's dynamicmodule.go. The module's configuration reaches it as a
// StringValue of its JSON text.
import {
  DynamicModuleFilter as DynamicModuleFilterConfig,
  packAny,
  StringValue,
} from '@egts/envoy-api';
import type { DynamicModuleFilter, HTTPRouteIR } from '@egts/ir';
import { addModuleFetchCluster, dynamicModuleConfig } from '../dynamicModules/moduleSource.js';
import type { HttpFilterTranslator } from './httpFilter.js';
import { moduleFilters } from './moduleFilters.js';

const filterName = (module: DynamicModuleFilter): string =>
  `envoy.filters.http.dynamic_modules/${module.name}`;

const modulesOf = (route: HTTPRouteIR): readonly DynamicModuleFilter[] =>
  route.extensions?.dynamicModules ?? [];

export const dynamicModulesFilter: HttpFilterTranslator = {
  resourcesPerRoute: true,
  ...moduleFilters({
    modulesOf,
    filterName,
    config: (module) =>
      packAny(
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
  addResources: (listener, out) => {
    for (const route of listener.routes)
      for (const module of modulesOf(route)) addModuleFetchCluster(module.source, out);
  },
};
