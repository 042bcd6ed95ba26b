// A route's Envoy Gateway annotations (`gateway.envoyproxy.io/<key>`), keyed without the prefix:
// Envoy Gateway puts them in the route's metadata, which ext_authz can send to the service.
import type { HTTPRouteTemplate } from './ruleOutcome.js';

const PREFIX = 'gateway.envoyproxy.io/';

/** The annotations when the route has any, else undefined (so other routes' IR is unchanged). */
function routeAnnotations(metadata: {
  annotations?: Record<string, string> | null | undefined;
}): Record<string, string> | undefined {
  const annotations = metadata.annotations;
  if (annotations === undefined || annotations === null) return undefined;
  let out: Record<string, string> | undefined;
  for (const key in annotations) {
    const value = annotations[key];
    if (!key.startsWith(PREFIX) || typeof value !== 'string') continue;
    out ??= {};
    out[key.slice(PREFIX.length)] = value;
  }
  return out;
}

/**
 * The source of an HTTP or gRPC route rule's IR routes: kind, namespace, name, then the rule's
 * name and the route's annotations when there are any. Set field by field, not spread into a
 * literal: this runs for every rule of every route.
 */
export function ruleSource(
  kind: 'HTTPRoute' | 'GRPCRoute',
  route: {
    namespace: string;
    name: string;
    resource: { metadata: { annotations?: Record<string, string> | null | undefined } };
  },
  ruleName: string | undefined | null,
): HTTPRouteTemplate['source'] {
  const source: HTTPRouteTemplate['source'] = {
    kind,
    namespace: route.namespace,
    name: route.name,
  };
  if (ruleName) source.rule = ruleName;
  const annotations = routeAnnotations(route.resource.metadata);
  if (annotations !== undefined) source.annotations = annotations;
  return source;
}
