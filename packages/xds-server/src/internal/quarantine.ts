// Quarantine inside a rejected RouteConfiguration. One RouteConfiguration carries every route of
// a listener, from many HTTPRoutes: when Envoy rejects it for one bad route, keeping the whole
// old version (the xDS rule) would stall every later route change on that listener. Envoy's
// message quotes what it choked on (e.g. "regex '/[a-z]{200}' RE2 program size of 205 > max
// program size of 100"), so the routes whose content holds a quoted value, or whose name the
// message names, are taken out and the rest is sent again.
import { packAny, Route, RouteConfiguration, unpackAnyAs } from '@egts/envoy-api';
import { TypeUrl } from '../resourceTypes.js';

export interface Quarantined {
  /** The resource without the offending routes. */
  readonly resource: ReturnType<typeof packAny>;
  /** Names of the routes taken out. */
  readonly routes: readonly string[];
}

/** Values the message quotes ('...' or "..."), longest first. */
const quotedValues = (message: string): string[] =>
  [...message.matchAll(/'([^']+)'|"([^"]+)"/g)]
    .map((match) => match[1] ?? match[2] ?? '')
    .filter((value) => value.length > 0)
    .sort((a, b) => b.length - a.length);

/**
 * The RouteConfiguration `resource` without the routes `message` points at, or undefined when the
 * message points at none of them (or at all of them: nothing would be left to serve).
 */
export function quarantineRoutes(
  typeUrl: string,
  resource: ReturnType<typeof packAny>,
  message: string,
): Quarantined | undefined {
  if (typeUrl !== TypeUrl.RouteConfiguration) return undefined;
  let config: RouteConfiguration;
  try {
    config = unpackAnyAs(RouteConfiguration, resource);
  } catch {
    return undefined;
  }
  const values = quotedValues(message);
  const offending = (route: Route): boolean => {
    if (route.name !== '' && message.includes(route.name)) return true;
    if (values.length === 0) return false;
    const json = JSON.stringify(Route.toJSON(route));
    // Values appear JSON-escaped in the route's JSON (a regex's backslashes are doubled).
    return values.some((value) => json.includes(JSON.stringify(value).slice(1, -1)));
  };
  const removed: string[] = [];
  let kept = 0;
  const virtualHosts = config.virtualHosts.map((host) => ({
    ...host,
    routes: host.routes.filter((route) => {
      if (!offending(route)) {
        kept += 1;
        return true;
      }
      removed.push(route.name);
      return false;
    }),
  }));
  if (removed.length === 0 || kept === 0) return undefined;
  return {
    resource: packAny(RouteConfiguration, { ...config, virtualHosts }),
    routes: removed,
  };
}
