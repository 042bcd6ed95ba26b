// A fleet's own proxies by zone, for Envoy's zone-aware routing in Kubernetes: each proxy knows
// its zone (its node's, through its pod) and compares the share of its fleet in that zone with
// the upstream's share (https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/zone_aware).
// The fleet is the endpoints of its proxy Service, as Envoy Gateway's ProxyInfraCluster: the
// EndpointSlices of the Service the infra-manager labels with the fleet's owner.
import type { Service } from '@egts/api';
import type { XdsIR } from '@egts/ir';
import type { TranslatorContext } from '../context/translatorContext.js';
import { sliceEndpoints } from '../routes/backendRefs.js';
import { nsName } from '../types.js';
import type { ProxyFleet } from './fleets.js';

// The infra-manager's owner labels (Envoy Gateway's).
const OWNING_GATEWAY_NAME = 'gateway.envoyproxy.io/owning-gateway-name';
const OWNING_GATEWAY_NAMESPACE = 'gateway.envoyproxy.io/owning-gateway-namespace';
const OWNING_GATEWAY_CLASS = 'gateway.envoyproxy.io/owning-gatewayclass';
const COMPONENT = 'app.kubernetes.io/component';

/** Whether a Service is the proxy Service of `fleet`. */
const servesFleet = (service: Service, fleet: ProxyFleet): boolean => {
  const labels = (service.metadata.labels ?? {}) as Record<string, string>;
  if (labels[COMPONENT] !== 'proxy') return false;
  if (fleet.merged) return labels[OWNING_GATEWAY_CLASS] === fleet.gatewayClass;
  const gateway = fleet.gateways[0];
  return (
    gateway !== undefined &&
    labels[OWNING_GATEWAY_NAME] === gateway.name &&
    labels[OWNING_GATEWAY_NAMESPACE] === gateway.namespace
  );
};

/** `ir` with the fleet's local cluster, when the proxies learn their zone (TranslateOptions.proxyLocality). */
export function withLocalCluster(ctx: TranslatorContext, ir: XdsIR, fleet: ProxyFleet): XdsIR {
  const locality = ctx.options.proxyLocality;
  if (locality === undefined) return ir;
  let service: Service | undefined;
  for (const candidate of ctx.services.values()) {
    if (
      (candidate.metadata.namespace ?? 'default') === locality.serviceNamespace &&
      servesFleet(candidate, fleet)
    ) {
      service = candidate;
      break;
    }
  }
  const port = service?.spec?.ports?.[0];
  // No Service (yet): an empty local cluster, which the proxies' bootstrap names all the same.
  const endpoints =
    service === undefined || port === undefined
      ? []
      : sliceEndpoints(ctx, nsName(locality.serviceNamespace, service.metadata.name), port, false)
          .endpoints;
  return { ...ir, localCluster: { endpoints } };
}
