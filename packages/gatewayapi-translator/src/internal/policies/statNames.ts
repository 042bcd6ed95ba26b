// Stat names Envoy Gateway lets users choose: a fleet's cluster stats under EnvoyProxy
// `telemetry.metrics.clusterStatName` (Envoy alt_stat_name), a route's under BackendTrafficPolicy
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

/** The IR with every route cluster named for stats as the EnvoyProxy's `clusterStatName` asks. */
export function withClusterStatNames(
  ctx: TranslatorContext,
  ir: XdsIR,
  proxy: EnvoyProxy | undefined,
): XdsIR {
  const template = obj(
    obj(obj((proxy as { spec?: unknown } | undefined)?.spec)?.telemetry)?.metrics,
  )?.clusterStatName;
  if (typeof template !== 'string') return ir;
  const named = <T extends { destination?: RouteDestination | undefined; source: RouteSource }>(
    route: T,
  ): T =>
    route.destination
      ? {
          ...route,
          destination: {
            ...route.destination,
            statName: expandStatName(template, route.source, ruleBackendRefs(ctx, route.source)),
          },
        }
      : route;
  return {
    ...ir,
    http: ir.http.map((l) => ({ ...l, routes: l.routes.map(named) })),
    tcp: ir.tcp.map((l) => ({ ...l, routes: l.routes.map(named) })),
  };
}
