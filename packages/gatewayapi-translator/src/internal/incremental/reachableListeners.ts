// The listeners of a Gateway that HTTPRoute and GRPCRoute changes can reach, for the splice's
// reduced translations (spliceRoutes.ts). On the large bench shape, each Gateway's 25 UDP
// listeners were half the cost of translating a one-route change, and the splice then compared
// all of them with the previous translation's again.
import type { Gateway } from '@egts/api';
import { gatewayListenerIRName } from '../context/listenerContext.js';
import type { Route } from './routeDiff.js';

/** The protocols HTTPRoutes and GRPCRoutes attach to. */
const ROUTED: ReadonlySet<string> = new Set(['HTTP', 'HTTPS']);

interface ListenerSpec {
  name: string;
  protocol: string;
  port: number;
  allowedRoutes?: { kinds?: readonly { kind?: string }[] | null } | null;
}

interface ParentRef {
  sectionName?: string | null;
  port?: number | null;
}

export interface ReachableListeners {
  /** The Gateway with only those listeners (the Gateway itself when none is left out). */
  readonly gateway: Gateway;
  /** The names of the listeners left out, as in the Gateway's status. */
  readonly dropped: ReadonlySet<string>;
  /** The same listeners' xDS IR and Infra IR names. */
  readonly droppedIR: ReadonlySet<string>;
}

/**
 * `gateway` with the listeners the changed `routes` can reach: the HTTP and HTTPS ones, any
 * sharing a port with those (conflicts are decided per port), any naming a route kind of theirs,
 * and any a changed route's parentRef names by section or port (its status says why it did not
 * attach). The others never allow these routes, so their attachment (and its reasons), IR,
 * status and Infra IR cannot move with them: the splice keeps those from the previous
 * translation and checks the rest against it. A Gateway without HTTP or HTTPS listener is kept
 * whole.
 */
export function reachableListeners(gateway: Gateway, routes: readonly Route[]): ReachableListeners {
  const listeners = (gateway.spec?.listeners ?? []) as readonly ListenerSpec[];
  const ports = new Set<number>();
  for (const l of listeners) if (ROUTED.has(l.protocol)) ports.add(l.port);
  const none = { gateway, dropped: new Set<string>(), droppedIR: new Set<string>() };
  if (ports.size === 0) return none;
  const sections = new Set<string>();
  for (const route of routes) {
    for (const ref of (route.spec?.parentRefs ?? []) as ParentRef[]) {
      if (ref.sectionName != null) sections.add(ref.sectionName);
      if (ref.port != null) ports.add(ref.port);
    }
  }
  const reached = (l: ListenerSpec) =>
    ports.has(l.port) ||
    sections.has(l.name) ||
    (l.allowedRoutes?.kinds ?? []).some((k) => k.kind === 'HTTPRoute' || k.kind === 'GRPCRoute');
  const kept = listeners.filter(reached);
  if (kept.length === listeners.length) return none;
  const namespace = gateway.metadata.namespace ?? 'default';
  const dropped = new Set(listeners.filter((l) => !reached(l)).map((l) => l.name));
  return {
    gateway: { ...gateway, spec: { ...gateway.spec, listeners: kept } } as Gateway,
    dropped,
    droppedIR: new Set(
      [...dropped].map((l) => gatewayListenerIRName(namespace, gateway.metadata.name, l)),
    ),
  };
}
