// Final listener conditions, set in one place once validation and conflict detection ran
// (Gateway API listener conditions, GEP-1364; ListenerSet listeners per GEP-1713), and the
// informational OverlappingTLSConfig condition of GEP-3567.
import type { GatewayContext } from '../context/gatewayContext.js';
import type { ListenerContext } from '../context/listenerContext.js';
import { hostnamesOverlap } from '../hostnames.js';

function finalizeGatewayListener(l: ListenerContext): void {
  const c = l.conditions;
  if (c.size === 0) {
    c.set('Accepted', 'True', 'Accepted', 'Listener has been successfully translated.');
    c.set(
      'Programmed',
      'True',
      'Programmed',
      'Sending translated listener configuration to the data plane.',
    );
    c.set('ResolvedRefs', 'True', 'ResolvedRefs', 'Listener references have been resolved.');
    return;
  }
  const only = c.size === 1 ? c.all()[0] : undefined;
  if (only?.type === 'ResolvedRefs' && only.reason === 'PartiallyInvalidCertificateRef') {
    // Served with the certificates that did validate.
    c.set('Accepted', 'True', 'Accepted', 'Listener has been successfully translated.');
    c.set(
      'Programmed',
      'True',
      'Programmed',
      'Sending translated listener configuration to the data plane.',
    );
    return;
  }
  if (only?.type === 'ResolvedRefs' && only.reason === 'InvalidCertificateRef') {
    // The configuration is valid, but there is nothing to serve TLS with.
    c.set('Accepted', 'True', 'Accepted', 'Listener has been successfully translated.');
  }
  c.setDefault(
    'Programmed',
    'False',
    'Invalid',
    'Listener is invalid, see other Conditions for details.',
  );
  c.setDefault('ResolvedRefs', 'True', 'ResolvedRefs', 'Listener references have been resolved.');
}

function finalizeListenerSetListener(l: ListenerContext): void {
  const c = l.conditions;
  const conflict = l.conflictReason;
  if (conflict) {
    c.set('Accepted', 'False', conflict, 'Listener conflicts with another listener.');
    c.set('Programmed', 'False', conflict, 'Listener conflicts with another listener.');
    c.setDefault('ResolvedRefs', 'True', 'ResolvedRefs', 'Listener references have been resolved.');
    return;
  }
  const partial =
    c.get('ResolvedRefs')?.reason === 'PartiallyInvalidCertificateRef' && c.size === 1;
  if (c.size === 0 || partial) {
    c.set('Accepted', 'True', 'Accepted', 'Listener has been successfully translated.');
    c.set('Conflicted', 'False', 'NoConflicts', 'No conflicts detected.');
    c.set(
      'Programmed',
      'True',
      'Programmed',
      'Sending translated listener configuration to the data plane.',
    );
    c.setDefault('ResolvedRefs', 'True', 'ResolvedRefs', 'Listener references have been resolved.');
    return;
  }
  const only = c.size === 1 ? c.all()[0] : undefined;
  if (only?.type === 'ResolvedRefs' && only.reason === 'InvalidCertificateRef') {
    c.set('Accepted', 'True', 'Accepted', 'Listener has been successfully translated.');
  }
  c.set(
    'Programmed',
    'False',
    'ListenersNotValid',
    'Listener is invalid, see other Conditions for details.',
  );
  c.setDefault('ResolvedRefs', 'True', 'ResolvedRefs', 'Listener references have been resolved.');
}

/** GEP-3567: HTTPS listeners on one port whose hostnames or certificates overlap. */
export function markOverlappingTLS(listeners: ListenerContext[]): void {
  const https = listeners.filter((l) => l.protocol === 'HTTPS' && l.ready);
  for (const [i, a] of https.entries()) {
    for (const b of https.slice(i + 1)) {
      if (a.port !== b.port) continue;
      const sameCerts =
        a.certificates.map((c) => c.name).join() === b.certificates.map((c) => c.name).join();
      const certOverlap =
        !sameCerts &&
        a.certDNSNames.some((x) => b.certDNSNames.some((y) => hostnamesOverlap(x, y)));
      const hostOverlap =
        a.hostname !== undefined &&
        b.hostname !== undefined &&
        hostnamesOverlap(a.hostname, b.hostname);
      const reason = certOverlap
        ? 'OverlappingCertificates'
        : hostOverlap
          ? 'OverlappingHostnames'
          : undefined;
      if (!reason) continue;
      for (const l of [a, b]) {
        if (l.conditions.get('OverlappingTLSConfig')?.reason === 'OverlappingCertificates')
          continue;
        l.conditions.set(
          'OverlappingTLSConfig',
          'True',
          reason,
          'Listeners on the same port have overlapping TLS hostnames or certificates; HTTP/2 connection coalescing may misroute requests.',
        );
      }
    }
  }
}

export function finalizeListeners(gateway: GatewayContext): void {
  for (const l of gateway.listeners) finalizeGatewayListener(l);
  for (const set of gateway.listenerSets)
    for (const l of set.listeners) finalizeListenerSetListener(l);
  markOverlappingTLS(gateway.allListeners);
}
