// Stat names Envoy Gateway lets users choose: a fleet's cluster stats under EnvoyProxy
// `telemetry.metrics.clusterStatName` (Envoy alt_stat_name), with the extra stats its
// `enableRequestResponseSizesStats` and `enablePerEndpointStats` ask for (and the listeners'
// `enableGRPCStats` and `enableVirtualHostStats`); a route's under BackendTrafficPolicy
// `telemetry.metrics.routeStatName` (stat_prefix). Both are templates over the route:
// %ROUTE_KIND%, %ROUTE_NAMESPACE%, %ROUTE_NAME%, %ROUTE_RULE_NAME%, %ROUTE_RULE_NUMBER%, and for
// clusters %BACKEND_REFS% (the rule's backendRefs as `<namespace>/<name>`, joined by `|`).
import type { EnvoyProxy } from '@egts/api';
import type { RouteDestination, RouteSource, XdsIR } from '@egts/ir';
import type { TranslatorContext } from '../context/translatorContext.js';
import { obj } from './validation/policyValues.js';

/** The template with the route's placeholders filled in. */
export function expandStatName(
  template: string,
  source: RouteSource,
  backendRefs?: readonly string[],
): string {
  const values: Record<string, string> = {
    '%ROUTE_KIND%': source.kind,
    '%ROUTE_NAMESPACE%': source.namespace,
    '%ROUTE_NAME%': source.name,
    '%ROUTE_RULE_NAME%': source.rule ?? '',
    '%ROUTE_RULE_NUMBER%': String(source.ruleIndex ?? 0),
    ...(backendRefs ? { '%BACKEND_REFS%': backendRefs.join('|') } : {}),
  };
  return template.replace(/%[A-Z_]+%/g, (key) => values[key] ?? key);
}

/** The backendRefs of the rule `source` names, as `<namespace>/<name>`. */
function ruleBackendRefs(ctx: TranslatorContext, source: RouteSource): string[] {
  const route = ctx.routes.find(
    (r) =>
      r.kind === source.kind &&
      r.resource.metadata.name === source.name &&
      (r.resource.metadata.namespace ?? 'default') === source.namespace,
  );
  const rules = (route?.resource.spec as { rules?: { backendRefs?: unknown[] }[] } | undefined)
    ?.rules;
  const refs = rules?.[source.ruleIndex ?? 0]?.backendRefs ?? [];
  return refs.flatMap((ref) => {
    const r = obj(ref);
    return typeof r?.name === 'string'
      ? [`${typeof r.namespace === 'string' ? r.namespace : source.namespace}/${r.name}`]
      : [];
  });
}

/**
 * The IR with every route cluster named for stats as the EnvoyProxy's `clusterStatName` asks, and
 * the extra cluster stats it enables.
 */
export function withClusterStats(
  ctx: TranslatorContext,
  ir: XdsIR,
  proxy: EnvoyProxy | undefined,
): XdsIR {
  const metrics = obj(
    obj(obj((proxy as { spec?: unknown } | undefined)?.spec)?.telemetry)?.metrics,
  );
  const template = metrics?.clusterStatName;
  const sizes = metrics?.enableRequestResponseSizesStats === true;
  const perEndpoint = metrics?.enablePerEndpointStats === true;
  const listeners = withListenerStats(ir, metrics);
  if (typeof template !== 'string' && !sizes && !perEndpoint) return listeners;
  const named = <T extends { destination?: RouteDestination | undefined; source: RouteSource }>(
    route: T,
  ): T =>
    route.destination
      ? {
          ...route,
          destination: {
            ...route.destination,
            ...(typeof template === 'string'
              ? {
                  statName: expandStatName(
                    template,
                    route.source,
                    ruleBackendRefs(ctx, route.source),
                  ),
                }
              : {}),
            ...(sizes || perEndpoint
              ? { trackStats: { requestResponseSizes: sizes, perEndpoint } }
              : {}),
          },
        }
      : route;
  return {
    ...listeners,
    http: listeners.http.map((l) => ({ ...l, routes: l.routes.map(named) })),
    tcp: listeners.tcp.map((l) => ({ ...l, routes: l.routes.map(named) })),
  };
}

/**
 * The HTTP listeners with the EnvoyProxy's `enableGRPCStats` (gRPC call stats everywhere, or
 * nowhere) and `enableVirtualHostStats` (a virtual cluster per hostname).
 */
function withListenerStats(ir: XdsIR, metrics: Record<string, unknown> | undefined): XdsIR {
  const grpc = metrics?.enableGRPCStats;
  const hosts = metrics?.enableVirtualHostStats === true;
  if (typeof grpc !== 'boolean' && !hosts) return ir;
  return {
    ...ir,
    http: ir.http.map((l) => ({
      ...l,
      ...(typeof grpc === 'boolean' ? { grpcStats: grpc } : {}),
      ...(hosts ? { virtualHostStats: true } : {}),
    })),
  };
}
