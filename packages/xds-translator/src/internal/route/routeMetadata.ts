// Envoy Gateway's route metadata: every route carries, under the `envoy-gateway` filter metadata
// namespace, the route resource it comes from (kind, name, namespace, its `gateway.envoyproxy.io/`
// annotations, the rule's name as `sectionName`). Access log formats read it
// (`%METADATA(ROUTE:envoy-gateway:resources)%`) and ext_authz may send it to the service.
import type { Metadata } from '@egts/envoy-api';
import type { HTTPRouteIR } from '@egts/ir';

/** Envoy Gateway's metadata namespace (what ext_authz's `includeRouteMetadata` sends). */
export const ROUTE_METADATA = 'envoy-gateway';

/** No typed metadata: one empty map for every route. */
const NO_TYPED_METADATA: Metadata['typedFilterMetadata'] = Object.freeze({});

export const routeMetadata = (route: HTTPRouteIR): Metadata => {
  const { kind, namespace, name, annotations, rule } = route.source;
  // Built field by field (every route has one): the keys keep Envoy Gateway's order.
  const resource: Record<string, unknown> = { kind, name, namespace };
  if (annotations) resource.annotations = annotations;
  if (rule) resource.sectionName = rule;
  return {
    filterMetadata: { [ROUTE_METADATA]: { resources: [resource] } },
    typedFilterMetadata: NO_TYPED_METADATA,
  };
};
