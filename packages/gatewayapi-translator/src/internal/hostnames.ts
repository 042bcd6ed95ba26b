// Hostname matching of Gateway API: wildcard labels (`*.example.com` matches one or more labels
// before the suffix), listener/route hostname intersection (GEP-1294 / HTTPRoute hostnames).

/** Whether `host` (maybe a wildcard) is matched by `pattern` (maybe a wildcard). */
export function wildcardMatches(pattern: string, host: string): boolean {
  if (pattern === host) return true;
  if (pattern === '*') return true;
  if (!pattern.startsWith('*.')) return false;
  const suffix = pattern.slice(1); // ".example.com"
  if (host.startsWith('*.')) return host.slice(1).endsWith(suffix) && host.length > pattern.length;
  return host.endsWith(suffix) && host.length > suffix.length;
}

/** Hostnames that could match the same request. */
export function hostnamesOverlap(a: string, b: string): boolean {
  return wildcardMatches(a, b) || wildcardMatches(b, a);
}

/**
 * Hostnames a route serves on a listener: the intersection of the listener hostname (absent
 * matches all) and the route hostnames (none means all). Empty result: no intersection.
 */
export function intersectHostnames(
  listenerHostname: string | undefined,
  routeHostnames: readonly string[],
): string[] {
  if (!listenerHostname) return routeHostnames.length > 0 ? [...routeHostnames] : ['*'];
  if (routeHostnames.length === 0) return [listenerHostname];
  const out: string[] = [];
  for (const h of routeHostnames) {
    if (h === listenerHostname) out.push(h);
    else if (wildcardMatches(listenerHostname, h)) out.push(h);
    else if (wildcardMatches(h, listenerHostname)) out.push(listenerHostname);
  }
  return [...new Set(out)];
}
