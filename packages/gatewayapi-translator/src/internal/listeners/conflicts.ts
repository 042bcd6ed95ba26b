// Listener conflicts within one Gateway (Gateway API "Conflicted" condition; GEP-1713 precedence
// for ListenerSets): the Gateway's own listeners come first, then ListenerSets in creation order.
// Inside one owner, listeners that clash all lose; across owners, the earlier owner wins.
// Only listeners whose spec validated take part, so an invalid listener never blocks a valid one.
import type { GatewayContext } from '../context/gatewayContext.js';
import type { ListenerContext } from '../context/listenerContext.js';

/** HTTPS and TLS share a port (SNI tells them apart); other protocols need their own port. */
function portProtocol(listener: ListenerContext): string {
  return listener.protocol === 'HTTPS' || listener.protocol === 'TLS'
    ? 'HTTPS/TLS'
    : listener.protocol;
}

function ownerGroups(gateway: GatewayContext): ListenerContext[][] {
  return [gateway.listeners, ...gateway.listenerSets.map((s) => s.listeners)].map((group) =>
    group.filter((l) => l.specValid),
  );
}

function markConflict(
  listener: ListenerContext,
  reason: 'HostnameConflict' | 'ProtocolConflict',
): void {
  if (listener.conflictReason) return;
  listener.conflictReason = reason;
  const message =
    reason === 'ProtocolConflict'
      ? 'All listeners for a given port must use a compatible protocol.'
      : 'All listeners for a given port must use a unique hostname.';
  listener.conditions.set('Conflicted', 'True', reason, message);
}

/** Non-UDP listeners on a port must agree on protocol (UDP may share any port). */
function detectProtocolConflicts(groups: ListenerContext[][]): void {
  const claimed = new Map<number, string>();
  for (const group of groups) {
    const byPort = new Map<number, ListenerContext[]>();
    for (const l of group) {
      if (l.protocol === 'UDP') continue;
      byPort.set(l.port, [...(byPort.get(l.port) ?? []), l]);
    }
    for (const [port, listeners] of byPort) {
      const owner = claimed.get(port);
      if (owner !== undefined) {
        // An earlier owner decided the port's protocol: only the odd ones out conflict.
        for (const l of listeners)
          if (portProtocol(l) !== owner) markConflict(l, 'ProtocolConflict');
        continue;
      }
      const protocols = new Set(listeners.map(portProtocol));
      if (protocols.size > 1) {
        // No precedence inside one owner: all of them conflict, and the port stays undecided.
        for (const l of listeners) markConflict(l, 'ProtocolConflict');
        continue;
      }
      const [protocol] = protocols;
      if (protocol !== undefined) claimed.set(port, protocol);
    }
  }
}

/** HTTP, HTTPS and TLS listeners sharing a port need distinct hostnames. */
function detectHostnameConflicts(groups: ListenerContext[][]): void {
  const claimed = new Set<string>();
  for (const group of groups) {
    const keys = new Map<string, ListenerContext[]>();
    for (const l of group) {
      if (l.conflictReason || l.protocol === 'TCP' || l.protocol === 'UDP') continue;
      const key = `${l.port}|${l.hostname ?? ''}`;
      keys.set(key, [...(keys.get(key) ?? []), l]);
    }
    for (const [key, listeners] of keys) {
      if (listeners.length > 1 || claimed.has(key)) {
        for (const l of listeners) markConflict(l, 'HostnameConflict');
      }
      claimed.add(key);
    }
  }
}

/** Only one TCP (or UDP) listener per port: the first keeps it. */
function detectLayer4Conflicts(groups: ListenerContext[][], protocol: 'TCP' | 'UDP'): void {
  const claimed = new Set<number>();
  for (const group of groups) {
    for (const l of group) {
      if (l.protocol !== protocol || l.conflictReason) continue;
      if (claimed.has(l.port)) markConflict(l, 'ProtocolConflict');
      claimed.add(l.port);
    }
  }
}

export function detectListenerConflicts(gateway: GatewayContext): void {
  const groups = ownerGroups(gateway);
  detectProtocolConflicts(groups);
  detectHostnameConflicts(groups);
  detectLayer4Conflicts(groups, 'TCP');
  detectLayer4Conflicts(groups, 'UDP');
}

/**
 * Gateways merged into one proxy fleet (EnvoyProxy mergeGateways) share ports: a
 * port/protocol/hostname already used by an earlier Gateway's listener is a HostnameConflict.
 */
export function detectMergedListenerConflicts(gateways: readonly GatewayContext[]): void {
  const seen = new Set<string>();
  for (const gw of gateways) {
    for (const l of gw.allListeners) {
      if (!l.specValid || l.conflictReason) continue;
      const key = `${l.protocol}|${l.hostname ?? ''}|${l.port}`;
      if (seen.has(key)) markConflict(l, 'HostnameConflict');
      seen.add(key);
    }
  }
}
