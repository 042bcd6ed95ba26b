// Envoy Gateway's route metadata: every route carries, under the `envoy-gateway` filter metadata
// namespace, the route resource it comes from (kind, name, namespace, its `gateway.envoyproxy.io/`
// annotations, the rule's name as `sectionName`). Access log formats read it
// (`%METADATA(ROUTE:envoy-gateway:resources)%`) and ext_authz may send it to the service.
import type { Route } from '@egts/envoy-api';
import type { HTTPRouteIR } from '@egts/ir';

/** Envoy Gateway's metadata namespace (what ext_authz's `includeRouteMetadata` sends). */
export const ROUTE_METADATA = 'envoy-gateway';

export const routeMetadata = (route: HTTPRouteIR): Pick<Route, 'metadata'> => {
  const { kind, namespace, name, annotations, rule } = route.source;
  const resource = {
    kind,
    name,
    namespace,
    ...(annotations ? { annotations } : {}),
    ...(rule ? { sectionName: rule } : {}),
  };
  return {
    metadata: {
      filterMetadata: { [ROUTE_METADATA]: { resources: [resource] } },
      typedFilterMetadata: {},
    },
  };
};
