// Route attachment: resolve each parentRef to a Gateway (or ListenerSet) of ours, narrow to the
// listeners it names (sectionName, port), keep those that allow the route's kind and namespace,
// and intersect hostnames (Gateway API route attachment; GEP-1364 reasons NoMatchingParent,
// NotAllowedByListeners, NoMatchingListenerHostname).
import { appended } from '../appended.js';
import type { ListenerContext } from '../context/listenerContext.js';
import { type AnyRouteContext, RouteParentContext } from '../context/routeContext.js';
import type { TranslatorContext } from '../context/translatorContext.js';
import { intersectHostnames } from '../hostnames.js';
import { selectorMatches } from '../labelSelector.js';
import type { RouteStatusError } from '../status/statusError.js';
import { GATEWAY_GROUP, nsName, type ParentRef } from '../types.js';

const LISTENER_SET_GROUPS = new Set([GATEWAY_GROUP, 'gateway.networking.x-k8s.io']);

function allowsNamespace(
  ctx: TranslatorContext,
  listener: ListenerContext,
  namespace: string,
): boolean {
  // Envoy Gateway's translator refuses a route whose Namespace object it was not given. egts does
  // not: in a cluster every route's Namespace exists, and a directory of YAML often lists only the
  // Namespaces a selector needs, which would silently detach every route in the others.
  const from = listener.spec.allowedRoutes?.namespaces?.from ?? 'Same';
  switch (from) {
    case 'All':
      return true;
    case 'Same':
      return namespace === listener.ownerNamespace;
    case 'Selector':
      return (
        listener.namespaceSelector !== undefined &&
        selectorMatches(listener.namespaceSelector, ctx.namespaceLabels(namespace))
      );
    default:
      return false;
  }
}

/** The parent a ref names, when it is ours; undefined means "another controller's". */
function resolveParent(
  ctx: TranslatorContext,
  route: AnyRouteContext,
  ref: ParentRef,
): { parent: RouteParentContext; candidates: ListenerContext[] } | undefined {
  const group = ref.group ?? GATEWAY_GROUP;
  const kind = ref.kind ?? 'Gateway';
  const key = nsName(ref.namespace ?? route.namespace, ref.name);
  if (group === GATEWAY_GROUP && kind === 'Gateway') {
    const gw = ctx.gatewaysByKey.get(key);
    if (!gw) return undefined;
    return { parent: new RouteParentContext(ref, gw, route.generation), candidates: gw.listeners };
  }
  if (LISTENER_SET_GROUPS.has(group) && (kind === 'ListenerSet' || kind === 'XListenerSet')) {
    const set = ctx.listenerSetsByKey.get(key);
    if (!set) return undefined;
    return {
      parent: new RouteParentContext(ref, set.gateway, route.generation),
      candidates: set.listeners,
    };
  }
  return undefined;
}

/**
 * Creates the route's parent contexts and attaches it to listeners. A `rejection` (a route that
 * cannot be served at all) is recorded on every parent of ours and nothing attaches.
 */
export function attachRoute(
  ctx: TranslatorContext,
  route: AnyRouteContext,
  rejection?: RouteStatusError,
): void {
  const usesHostnames =
    route.kind === 'HTTPRoute' || route.kind === 'GRPCRoute' || route.kind === 'TLSRoute';
  // Indexed loops: this runs once per route, mostly before V8 optimizes it, when every for-of
  // step allocates an iterator result.
  const refs = route.parentRefs;
  for (let r = 0; r < refs.length; r++) {
    const ref = refs[r]!;
    const resolved = resolveParent(ctx, route, ref);
    if (!resolved) continue;
    const { parent, candidates } = resolved;
    route.parents = appended(route.parents, parent);
    if (rejection) {
      parent.conditions.set('Accepted', 'False', rejection.reason, rejection.message);
      continue;
    }
    // One pass over the listeners (a Gateway of the large bench shape has 26), no lists: which
    // the parentRef names (sectionName, port), which of those allow the route, and attach.
    let named = false;
    let allowed = false;
    for (let c = 0; c < candidates.length; c++) {
      const l = candidates[c]!;
      if (ref.sectionName !== undefined && ref.sectionName !== l.name) continue;
      if (ref.port !== undefined && ref.port !== l.port) continue;
      named = true;
      if (!l.allowsKind(route.kind) || !allowsNamespace(ctx, l, route.namespace)) continue;
      allowed = true;
      const hostnames = usesHostnames ? intersectHostnames(l.hostname, route.hostnames) : ['*'];
      if (hostnames.length === 0) continue;
      parent.attachments = appended(parent.attachments, { listener: l, hostnames });
      l.attachedRoutes += 1;
    }
    if (!named) {
      parent.conditions.set(
        'Accepted',
        'False',
        'NoMatchingParent',
        'No listener matches the parentRef sectionName/port.',
      );
      continue;
    }
    if (!allowed) {
      parent.conditions.set(
        'Accepted',
        'False',
        'NotAllowedByListeners',
        'No listener allows this route kind and namespace.',
      );
      continue;
    }
    if (parent.attachments.length === 0) {
      parent.conditions.set(
        'Accepted',
        'False',
        'NoMatchingListenerHostname',
        'No listener hostname matches the route hostnames.',
      );
      continue;
    }
    parent.conditions.set('Accepted', 'True', 'Accepted', 'Route is accepted.');
  }
}
