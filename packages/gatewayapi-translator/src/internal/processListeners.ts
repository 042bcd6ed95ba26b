// Step 4: validate every listener of every Gateway (own and ListenerSet), detect conflicts (per
// Gateway, and across Gateways an EnvoyProxy merges into one fleet), then set final listener,
// ListenerSet and Gateway conditions.
import type { GatewayContext } from './context/gatewayContext.js';
import type { TranslatorContext } from './context/translatorContext.js';
import { detectListenerConflicts, detectMergedListenerConflicts } from './listeners/conflicts.js';
import { applyGatewayTLSConditions } from './listeners/frontendValidation.js';
import { claimHostPorts } from './listeners/hostPorts.js';
import { finalizeListeners, markOverlappingTLS } from './listeners/listenerConditions.js';
import { validateListener } from './listeners/validateListener.js';
import { finalizeListenerSet } from './processListenerSets.js';

/** Gateways of each GatewayClass whose EnvoyProxy sets mergeGateways, in input order. */
export function mergedGatewayGroups(ctx: TranslatorContext): GatewayContext[][] {
  const groups = new Map<string, GatewayContext[]>();
  for (const gw of ctx.gateways) {
    const spec = ctx.gatewayClasses.get(gw.gatewayClassName)?.envoyProxy?.spec as
      | { mergeGateways?: boolean }
      | undefined;
    if (!spec?.mergeGateways) continue;
    groups.set(gw.gatewayClassName, [...(groups.get(gw.gatewayClassName) ?? []), gw]);
  }
  return [...groups.values()];
}

/**
 * Gateway Accepted from its listeners (Gateway API ListenersNotValid): not accepted when no
 * listener is, accepted with reason ListenersNotValid when only some are.
 */
function applyListenersValidity(gw: GatewayContext): void {
  const rejected = gw.listeners.filter((l) => l.conditions.isFalse('Accepted')).length;
  if (rejected === 0) return;
  const all = rejected === gw.listeners.length;
  gw.conditions.setDefault(
    'Accepted',
    all ? 'False' : 'True',
    'ListenersNotValid',
    all ? 'No listener of the Gateway is valid.' : 'Some listeners of the Gateway are not valid.',
  );
}

export function processListeners(ctx: TranslatorContext): void {
  for (const gw of ctx.gateways) {
    for (const listener of gw.allListeners) validateListener(ctx, listener);
    detectListenerConflicts(gw);
  }
  const merged = mergedGatewayGroups(ctx);
  for (const group of merged) detectMergedListenerConflicts(group);
  for (const gw of ctx.gateways) {
    finalizeListeners(gw);
    for (const set of gw.listenerSets) finalizeListenerSet(set);
    applyGatewayTLSConditions(gw);
    applyListenersValidity(gw);
    gw.conditions.setDefault(
      'Accepted',
      'True',
      'Accepted',
      'The Gateway has been scheduled by Envoy Gateway.',
    );
    gw.conditions.setDefault(
      'Programmed',
      'True',
      'Programmed',
      'The Gateway has been programmed.',
    );
  }
  for (const group of merged) markOverlappingTLS(group.flatMap((gw) => gw.allListeners));
  if (ctx.options.sharedHostPorts) claimHostPorts(ctx);
}
