// Infra IR per Gateway: the proxy fleet to run, its ports (ready listeners only), addresses,
// ownership labels and the EnvoyProxy parameters that apply.
import type { EnvoyProxy } from '@egts/api';
import type { InfraListener, InfraPort, ProxyInfra } from '@egts/ir';
import type { GatewayContext } from '../context/gatewayContext.js';
import type { TranslatorContext } from '../context/translatorContext.js';
import { metricSinks } from '../policies/envoyProxyMetricSinks.js';
import { bootstrapOverride } from '../policies/validation/envoyProxyBootstrap.js';
import { parseGoDuration } from '../policies/validation/policyValues.js';
import { proxyPort } from './buildXds.js';
import type { ProxyFleet } from './fleets.js';

const PROTOCOLS = new Set<InfraPort['protocol']>(['HTTP', 'HTTPS', 'TLS', 'TCP', 'UDP']);

function infraListeners(gw: GatewayContext): InfraListener[] {
  const listeners: InfraListener[] = [];
  for (const l of gw.allListeners) {
    if (!l.ready || !PROTOCOLS.has(l.protocol as InfraPort['protocol'])) continue;
    const protocol = l.protocol as InfraPort['protocol'];
    const port = {
      name: `${protocol.toLowerCase()}-${l.port}`,
      protocol,
      containerPort: proxyPort(l.port),
      servicePort: l.port,
    };
    listeners.push({ name: l.irName, ports: [port] });
  }
  return listeners;
}

const BASE_LABELS = {
  'app.kubernetes.io/component': 'proxy',
  'app.kubernetes.io/managed-by': 'envoy-gateway',
  'app.kubernetes.io/name': 'envoy',
};

/** EnvoyProxy `shutdown` with Envoy Gateway's defaults (60 s drain, 10 s minimum, no delay). */
function shutdownDrain(envoyProxy: EnvoyProxy | undefined): ProxyInfra['shutdown'] {
  const shutdown = envoyProxy?.spec.shutdown;
  if (!shutdown) return undefined;
  return {
    drainTimeoutMs: parseGoDuration(shutdown.drainTimeout) ?? 60_000,
    minDrainMs: parseGoDuration(shutdown.minDrainDuration) ?? 10_000,
    healthCheckFailureDelayMs: parseGoDuration(shutdown.healthCheckFailureDelay) ?? 0,
  };
}

export function buildProxyInfra(ctx: TranslatorContext, fleet: ProxyFleet): ProxyInfra {
  const [gw] = fleet.gateways;
  const infrastructure = fleet.merged ? undefined : gw?.resource.spec.infrastructure;
  const owner: ProxyInfra['owner'] = { gatewayClass: fleet.gatewayClass };
  const ownerLabels: Record<string, string> = {};
  if (fleet.merged || !gw) {
    ownerLabels['gateway.envoyproxy.io/owning-gatewayclass'] = fleet.gatewayClass;
    owner.gateways = fleet.gateways.map((g) => ({ namespace: g.namespace, name: g.name }));
  } else {
    owner.gatewayNamespace = gw.namespace;
    owner.gatewayName = gw.name;
    ownerLabels['gateway.envoyproxy.io/owning-gateway-name'] = gw.name;
    ownerLabels['gateway.envoyproxy.io/owning-gateway-namespace'] = gw.namespace;
  }
  const proxy: ProxyInfra = {
    name: fleet.name,
    namespace: ctx.options.controllerNamespace,
    owner,
    labels: {
      ...((infrastructure?.labels as Record<string, string> | undefined) ?? {}),
      ...BASE_LABELS,
      ...ownerLabels,
    },
    annotations: { ...((infrastructure?.annotations as Record<string, string> | undefined) ?? {}) },
    listeners: fleet.gateways.flatMap(infraListeners),
    addresses: fleet.gateways.flatMap((g) =>
      (g.resource.spec.addresses ?? []).flatMap((a) => (a.value ? [a.value] : [])),
    ),
  };
  const envoyProxy = fleet.merged
    ? ctx.gatewayClasses.get(fleet.gatewayClass)?.envoyProxy
    : gw?.envoyProxy;
  if (envoyProxy) proxy.envoyProxy = { ...(envoyProxy.spec as Record<string, unknown>) };
  const shutdown = shutdownDrain(envoyProxy);
  if (shutdown) proxy.shutdown = shutdown;
  const sinks = metricSinks(ctx, envoyProxy);
  if (sinks) proxy.metricSinks = sinks;
  const { override } = bootstrapOverride(envoyProxy);
  if (override) proxy.bootstrap = override;
  return proxy;
}
