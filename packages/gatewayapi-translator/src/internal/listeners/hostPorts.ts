// Host mode: every proxy runs on one machine, so a port is one resource across Gateways, not one
// per Gateway (as it is in Kubernetes, where each Gateway has its own Service and pods). Envoy
// binds listeners with SO_REUSEPORT, so two proxies on one port would both bind and the kernel
// would split connections between them. The oldest Gateway (creationTimestamp, then
// namespace/name, as Gateway API breaks conflicts) keeps the port; a later Gateway's listener on
// it is not programmed: Accepted False, reason PortUnavailable (Gateway API's reason for "the
// port is already in use"), naming the Gateway that has it.
import type { GatewayContext } from '../context/gatewayContext.js';
import type { TranslatorContext } from '../context/translatorContext.js';
import { proxyPort } from '../ir/buildXds.js';
import { sortByAgeThenName } from '../ordering.js';
import { mergedGatewayGroups } from '../processListeners.js';

export function claimHostPorts(ctx: TranslatorContext): void {
  // Gateways merged into one fleet share one proxy: their listeners were merged, not competing.
  const fleetOf = new Map<GatewayContext, string>();
  for (const group of mergedGatewayGroups(ctx))
    for (const gw of group) fleetOf.set(gw, `class ${gw.gatewayClassName}`);
  const claims = new Map<string, GatewayContext>();
  for (const gw of sortByAgeThenName(ctx.gateways, (g) => g.resource)) {
    const fleet = fleetOf.get(gw) ?? `${gw.namespace}/${gw.name}`;
    let lost = 0;
    for (const listener of gw.allListeners) {
      if (!listener.ready) continue;
      // TCP and UDP ports are separate resources.
      const port = proxyPort(listener.port, gw.envoyProxy);
      const key = `${listener.protocol === 'UDP' ? 'udp' : 'tcp'}/${port}`;
      const holder = claims.get(key);
      if (holder === undefined) {
        claims.set(key, gw);
        continue;
      }
      if ((fleetOf.get(holder) ?? `${holder.namespace}/${holder.name}`) === fleet) continue;
      lost += 1;
      const message = `Port ${listener.port} (host port ${port}) is already used on this host by Gateway ${holder.namespace}/${holder.name}.`;
      listener.conditions.set('Accepted', 'False', 'PortUnavailable', message);
      listener.conditions.set('Programmed', 'False', 'PortUnavailable', message);
    }
    if (lost === 0) continue;
    const all = gw.allListeners.every((l) => l.conditions.isFalse('Accepted'));
    gw.conditions.set(
      'Accepted',
      all ? 'False' : 'True',
      'ListenersNotValid',
      all ? 'No listener of the Gateway is valid.' : 'Some listeners of the Gateway are not valid.',
    );
    if (gw.allListeners.every((l) => !l.ready))
      gw.conditions.set(
        'Programmed',
        'False',
        'Invalid',
        'No listener of the Gateway is programmed.',
      );
  }
}
