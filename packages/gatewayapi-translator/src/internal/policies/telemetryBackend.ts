// The backends EnvoyProxy telemetry sends to (a tracing collector, an OpenTelemetry or access log
// service sink): a destination of their own, as Envoy Gateway builds them, with the service's
// `backendSettings` on its cluster (BackendTrafficPolicy's cluster settings; Envoy Gateway's
// applyTraffic), and its `retry` on the calls (gRPC's retry_policy, as for a gRPC authorization
// service; Envoy Gateway drops it for telemetry). Its HTTP request and stream idle timeouts are
// route settings no route carries: unused.
// Each backendRef's `weight` and `fallback` shape the one cluster as a route's backends do
// (weighted localities, fallbacks a lower priority); Envoy Gateway drops both for telemetry
// (processBackendRefs keeps the bare object reference), egts honours what the user asked.
import type { EnvoyProxy } from '@egts/api';
import type { DestinationSetting, Retry, RouteDestination } from '@egts/ir';
import type { TranslatorContext } from '../context/translatorContext.js';
import { resolveBackendRef } from '../routes/backendRefs.js';
import { ENVOY_GATEWAY_GROUP, nsName } from '../types.js';
import { registeredModule, withRegisteredModule } from './dynamicModules.js';
import { serviceSettings } from './securityPolicyServices.js';
import { backendRefOf, serviceBackendRefs } from './validation/policyBackendRefs.js';
import type { Obj } from './validation/policyValues.js';

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** A Service by its cluster DNS name: `<service>.<namespace>[.svc[.cluster.local]]`. */
const SERVICE_HOST = /^([a-z0-9-]+)\.([a-z0-9-]+)(\.svc(\.cluster\.local)?)?$/;

/**
 * A telemetry backend (tracing collector, OpenTelemetry or ALS access log sink) as the destination
 * `name`: the service's backendRefs (no ReferenceGrant: the EnvoyProxy is the operator's
 * own configuration), or its deprecated `host` and `port` (a Service's DNS name goes to the
 * Service's endpoints, as cluster DNS would). Undefined when a ref does not resolve (the Gateway
 * says so: envoyProxyGatewayProblem).
 */
export function telemetryBackend(
  ctx: TranslatorContext,
  proxy: EnvoyProxy,
  service: Obj,
  name: string,
  protocol: DestinationSetting['protocol'],
): { destination: RouteDestination; authority: string; retry?: Retry } | undefined {
  const namespace = proxy.metadata.namespace ?? 'default';
  const self = {
    group: ENVOY_GATEWAY_GROUP,
    kind: 'EnvoyProxy',
    namespace,
    name: proxy.metadata.name,
  };
  const referrer = { ...self, skipReferenceGrant: true, parents: [{ ref: self }] };
  const { destination: settingsTraffic, route } = serviceSettings(service);
  // A module load balancer loads the module this EnvoyProxy registers (envoyProxyGatewayProblem
  // refuses the Gateway otherwise), as a route's does from its Gateway's EnvoyProxy.
  const module = settingsTraffic.loadBalancer?.dynamicModule?.module;
  if (module !== undefined && typeof registeredModule(proxy, module) === 'string') return undefined;
  const traffic = withRegisteredModule(settingsTraffic, proxy);
  // Retries of a failed call: gRPC's retry_policy, as for a gRPC authorization service.
  const retry = route.retry ? { retry: route.retry } : {};
  let refs = serviceBackendRefs(service);
  const host = str(service.host);
  const port = typeof service.port === 'number' ? service.port : 4317;
  if (refs.length === 0 && host !== undefined) {
    const service = SERVICE_HOST.exec(host);
    if (!service || !ctx.services.has(nsName(service[2] ?? '', service[1] ?? '')))
      return {
        authority: host,
        ...retry,
        destination: {
          name: name,
          ...traffic,
          settings: [
            {
              name: `${name}/backend/0`,
              weight: 1,
              protocol,
              addressType: /^[0-9.]+$/.test(host) || host.includes(':') ? 'IP' : 'FQDN',
              endpoints: [{ host, port, ready: true }],
            },
          ],
        },
      };
    refs = [{ name: service[1], namespace: service[2], port }];
  }
  const settings: DestinationSetting[] = [];
  for (const [i, ref] of refs.entries()) {
    const weight = typeof ref.weight === 'number' ? ref.weight : 1;
    const resolved = resolveBackendRef(
      ctx,
      referrer,
      { ...backendRefOf(ref, str(ref.name) ?? ''), weight },
      `${name}/backend/${i}`,
      protocol,
    );
    if (!resolved.setting) return undefined;
    // `fallback`: a lower priority, serving only once the others are unhealthy.
    settings.push(ref.fallback === true ? { ...resolved.setting, priority: 1 } : resolved.setting);
  }
  const [first] = refs;
  if (first === undefined) return undefined;
  return {
    ...retry,
    destination: { name: name, ...traffic, settings },
    authority: host ?? `${str(first.name)}.${str(first.namespace) ?? namespace}.svc.cluster.local`,
  };
}
