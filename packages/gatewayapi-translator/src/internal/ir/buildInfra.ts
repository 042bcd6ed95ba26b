// Infra IR per Gateway: the proxy fleet to run, its ports (ready listeners only), addresses,
// ownership labels and the EnvoyProxy parameters that apply.
import type { InfraListener, InfraPort, ProxyInfra } from '@egts/ir';
import type { GatewayContext } from '../context/gatewayContext.js';
import type { TranslatorContext } from '../context/translatorContext.js';
import { proxyPort } from './buildXds.js';

const PROTOCOLS = new Set<InfraPort['protocol']>(['HTTP', 'HTTPS', 'TLS', 'TCP', 'UDP']);

export function buildProxyInfra(ctx: TranslatorContext, gw: GatewayContext): ProxyInfra {
  const listeners: InfraListener[] = [];
  for (const l of gw.allListeners) {
    if (!l.ready || !PROTOCOLS.has(l.protocol as InfraPort['protocol'])) continue;
    const protocol = l.protocol as InfraPort['protocol'];
    listeners.push({
      name: l.irName,
      ports: [
        {
          name: `${protocol.toLowerCase()}-${l.port}`,
          protocol,
          containerPort: proxyPort(l.port),
          servicePort: l.port,
        },
      ],
    });
  }
  const infrastructure = gw.resource.spec.infrastructure;
  const proxy: ProxyInfra = {
    name: gw.key,
    namespace: ctx.options.controllerNamespace,
    owner: {
      gatewayClass: gw.gatewayClassName,
      gatewayNamespace: gw.namespace,
      gatewayName: gw.name,
    },
    labels: {
      ...((infrastructure?.labels as Record<string, string> | undefined) ?? {}),
      'app.kubernetes.io/component': 'proxy',
      'app.kubernetes.io/managed-by': 'envoy-gateway',
      'app.kubernetes.io/name': 'envoy',
      'gateway.envoyproxy.io/owning-gateway-name': gw.name,
      'gateway.envoyproxy.io/owning-gateway-namespace': gw.namespace,
    },
    annotations: { ...((infrastructure?.annotations as Record<string, string> | undefined) ?? {}) },
    listeners,
    addresses: (gw.resource.spec.addresses ?? []).flatMap((a) => (a.value ? [a.value] : [])),
  };
  if (gw.envoyProxy) proxy.envoyProxy = { ...(gw.envoyProxy.spec as Record<string, unknown>) };
  return proxy;
}
