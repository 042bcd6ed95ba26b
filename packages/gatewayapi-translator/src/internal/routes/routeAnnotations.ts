// A route's Envoy Gateway annotations (`gateway.envoyproxy.io/<key>`), keyed without the prefix:
// Envoy Gateway puts them in the route's metadata, which ext_authz can send to the service.

const PREFIX = 'gateway.envoyproxy.io/';

/** `{ annotations }` when the route has any, else nothing (so other routes' IR is unchanged). */
export function routeAnnotations(metadata: {
  annotations?: Record<string, string> | null | undefined;
}): { annotations?: Record<string, string> } {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata.annotations ?? {}))
    if (key.startsWith(PREFIX) && typeof value === 'string') out[key.slice(PREFIX.length)] = value;
  return Object.keys(out).length > 0 ? { annotations: out } : {};
}
