// Step 3: attach ListenerSets (GEP-1713) to their parent Gateway when the Gateway's
// allowedListeners admits their namespace (default: none), in precedence order
// (oldest first, then namespace/name).
import type { ListenerSet } from '@egts/api';
import type { GatewayContext } from './context/gatewayContext.js';
import { ListenerContext } from './context/listenerContext.js';
import { ListenerSetContext } from './context/listenerSetContext.js';
import type { TranslatorContext } from './context/translatorContext.js';
import { selectorMatches } from './labelSelector.js';
import { compareByAgeThenName } from './ordering.js';
import { GATEWAY_GROUP, nsName } from './types.js';

export interface RejectedListenerSet {
  resource: ListenerSet;
  conditions: ListenerSetContext['conditions'];
}

function allowsListenerSet(ctx: TranslatorContext, gw: GatewayContext, namespace: string): boolean {
  const from = gw.resource.spec.allowedListeners?.namespaces?.from ?? 'None';
  switch (from) {
    case 'All':
      return true;
    case 'Same':
      return namespace === gw.namespace;
    case 'Selector': {
      const selector = gw.resource.spec.allowedListeners?.namespaces?.selector;
      return selector !== undefined && selectorMatches(selector, ctx.namespaceLabels(namespace));
    }
    default:
      return false;
  }
}

/** Returns the ListenerSets that name a Gateway of ours but are not allowed on it. */
export function processListenerSets(ctx: TranslatorContext): ListenerSetContext[] {
  const rejected: ListenerSetContext[] = [];
  const sets = [...ctx.resources.listenerSets].sort(compareByAgeThenName);
  for (const set of sets) {
    const ref = set.spec.parentRef;
    const namespace = set.metadata.namespace ?? 'default';
    if ((ref.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP || (ref.kind ?? 'Gateway') !== 'Gateway')
      continue;
    const gw = ctx.gatewaysByKey.get(nsName(ref.namespace ?? namespace, ref.name));
    if (!gw) continue;
    const setCtx = new ListenerSetContext(set, gw);
    if (!allowsListenerSet(ctx, gw, namespace)) {
      setCtx.conditions.set(
        'Accepted',
        'False',
        'NotAllowed',
        'ListenerSet is not allowed by the parent Gateway allowedListeners.',
      );
      setCtx.conditions.set(
        'Programmed',
        'False',
        'NotAllowed',
        'ListenerSet is not allowed by the parent Gateway allowedListeners.',
      );
      rejected.push(setCtx);
      continue;
    }
    for (const listener of set.spec.listeners ?? []) {
      setCtx.listeners.push(
        new ListenerContext(listener, gw, setCtx, set.metadata.generation ?? undefined),
      );
    }
    gw.listenerSets.push(setCtx);
    ctx.listenerSetsByKey.set(nsName(namespace, set.metadata.name), setCtx);
  }
  return rejected;
}

/** ListenerSet conditions from its listeners' final state (GEP-1713). */
export function finalizeListenerSet(set: ListenerSetContext): void {
  const accepted = set.listeners.filter(
    (l) => l.conditions.get('Accepted')?.status === 'True',
  ).length;
  const ready = set.listeners.filter((l) => l.ready).length;
  set.conditions.set(
    'Accepted',
    accepted > 0 ? 'True' : 'False',
    accepted > 0 && accepted === set.listeners.length ? 'Accepted' : 'ListenersNotValid',
    accepted > 0 ? 'ListenerSet accepted.' : 'No listener of the ListenerSet is valid.',
  );
  if (ready > 0) set.conditions.set('Programmed', 'True', 'Programmed', 'ListenerSet programmed.');
  else
    set.conditions.set(
      'Programmed',
      'False',
      'ListenersNotValid',
      'No listener of the ListenerSet is programmed.',
    );
}
