// Step 4: validate every listener of every Gateway (own and ListenerSet), detect conflicts, then
// set final listener and ListenerSet conditions.
import type { TranslatorContext } from './context/translatorContext.js';
import { detectListenerConflicts } from './listeners/conflicts.js';
import { applyGatewayTLSConditions } from './listeners/frontendValidation.js';
import { finalizeListeners } from './listeners/listenerConditions.js';
import { validateListener } from './listeners/validateListener.js';
import { finalizeListenerSet } from './processListenerSets.js';

export function processListeners(ctx: TranslatorContext): void {
  for (const gw of ctx.gateways) {
    for (const listener of gw.allListeners) validateListener(ctx, listener);
    detectListenerConflicts(gw);
    finalizeListeners(gw);
    for (const set of gw.listenerSets) finalizeListenerSet(set);
    applyGatewayTLSConditions(gw);
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
}
