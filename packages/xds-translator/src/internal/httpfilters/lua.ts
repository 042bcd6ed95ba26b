// EnvoyExtensionPolicy Lua scripts with Envoy's Lua filter
// (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/lua_filter): one
// filter per slot (a script's position in its route's list), disabled in the connection manager
// and holding every script that runs in that slot by name; a route enables the slots it uses and
// names its script, so the filter count follows the longest list, not the number of routes
// (as Envoy Gateway does).
import { type DataSource, HttpFilter, Lua, LuaPerRoute, packAny } from '@egts/envoy-api';
import { type HttpFilterTranslator, routesOf } from './httpFilter.js';
import { enabledOnRoute } from './securityPolicies.js';

const slotName = (slot: number): string => `envoy.filters.http.lua/${slot}`;

export const luaFilter: HttpFilterTranslator = {
  patchListener: (listeners) => {
    const slots: Map<string, DataSource>[] = [];
    for (const route of routesOf(listeners)) {
      for (const [slot, script] of (route.extensions?.lua ?? []).entries()) {
        const codes = slots[slot] ?? new Map<string, DataSource>();
        codes.set(script.name, { inlineString: script.code });
        slots[slot] = codes;
      }
    }
    return slots.map((codes, slot) =>
      HttpFilter.fromPartial({
        name: slotName(slot),
        disabled: true,
        typedConfig: packAny(
          Lua,
          Lua.fromPartial({
            sourceCodes: Object.fromEntries([...codes].sort(([a], [b]) => (a < b ? -1 : 1))),
          }),
        ),
      }),
    );
  },
  patchRoute: (route) => {
    const scripts = route.extensions?.lua ?? [];
    if (scripts.length === 0) return undefined;
    return Object.fromEntries(
      scripts.map((script, slot) => [
        slotName(slot),
        enabledOnRoute(
          packAny(
            LuaPerRoute,
            LuaPerRoute.fromPartial({
              name: script.name,
              // The route's values for handle:filterContext() (Envoy 1.40's LuaPerRoute).
              ...(script.filterContext ? { filterContext: script.filterContext } : {}),
            }),
          ),
        ),
      ]),
    );
  },
};
