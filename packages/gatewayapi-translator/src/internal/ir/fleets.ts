// Proxy fleets: one per Gateway, or one per GatewayClass whose EnvoyProxy sets mergeGateways
// (its Gateways then share one set of proxies and one xDS IR). Sorted by name.
import type { GatewayContext } from '../context/gatewayContext.js';
import type { TranslatorContext } from '../context/translatorContext.js';
import { mergedGatewayGroups } from '../processListeners.js';

export interface ProxyFleet {
  /** `<namespace>/<gateway>`, or the GatewayClass name for merged Gateways. */
  name: string;
  gatewayClass: string;
  gateways: GatewayContext[];
  merged: boolean;
}

export function proxyFleets(ctx: TranslatorContext): ProxyFleet[] {
  const fleets: ProxyFleet[] = [];
  const merged = new Set<GatewayContext>();
  for (const group of mergedGatewayGroups(ctx)) {
    const first = group[0];
    if (!first) continue;
    for (const gw of group) merged.add(gw);
    fleets.push({
      name: first.gatewayClassName,
      gatewayClass: first.gatewayClassName,
      gateways: group,
      merged: true,
    });
  }
  for (const gw of ctx.gateways) {
    if (!merged.has(gw))
      fleets.push({
        name: gw.key,
        gatewayClass: gw.gatewayClassName,
        gateways: [gw],
        merged: false,
      });
  }
  return fleets.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
