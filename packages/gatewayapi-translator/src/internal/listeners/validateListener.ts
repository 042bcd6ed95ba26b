// Per-listener validation (before conflicts): protocol, allowedRoutes kinds and namespaces,
// hostname rules per protocol, and TLS configuration. Problems become ListenerStatusErrors on the
// ListenerContext; anything but a partially invalid certificate list makes the spec invalid.
import type { ListenerContext } from '../context/listenerContext.js';
import type { TranslatorContext } from '../context/translatorContext.js';
import { labelSelectorProblem } from '../labelSelector.js';
import { ListenerStatusError } from '../status/statusError.js';
import { GATEWAY_GROUP, type RouteKind } from '../types.js';
import { validateListenerTLS } from './listenerTls.js';

const SUPPORTED_PROTOCOLS = new Set(['HTTP', 'HTTPS', 'TLS', 'TCP', 'UDP']);

/** Route kinds a listener can carry (Envoy Gateway: TLS Terminate also proxies TCPRoutes). */
export function routeKindsFor(listener: ListenerContext): RouteKind[] {
  switch (listener.protocol) {
    case 'HTTP':
    case 'HTTPS':
      return ['HTTPRoute', 'GRPCRoute'];
    case 'TLS':
      return listener.spec.tls?.mode === 'Passthrough' ? ['TLSRoute'] : ['TLSRoute', 'TCPRoute'];
    case 'TCP':
      return ['TCPRoute'];
    case 'UDP':
      return ['UDPRoute'];
    default:
      return [];
  }
}

export function isSupportedProtocol(protocol: string): boolean {
  return SUPPORTED_PROTOCOLS.has(protocol);
}

function validateAllowedRoutes(listener: ListenerContext): boolean {
  const canSupport = routeKindsFor(listener);
  const requested = listener.spec.allowedRoutes?.kinds ?? [];
  if (requested.length === 0) {
    listener.supportedKinds = canSupport.map((kind) => ({ group: GATEWAY_GROUP, kind }));
    return true;
  }
  let valid = true;
  const supported: { group: string; kind: string }[] = [];
  for (const k of requested) {
    const group = k.group ?? GATEWAY_GROUP;
    if (group !== GATEWAY_GROUP) {
      listener.setError(
        new ListenerStatusError(
          'ResolvedRefs',
          'InvalidRouteKinds',
          `Group ${group} is not supported, group must be ${GATEWAY_GROUP}`,
        ),
      );
      valid = false;
      continue;
    }
    if ((canSupport as string[]).includes(k.kind)) {
      if (!supported.some((s) => s.kind === k.kind)) supported.push({ group, kind: k.kind });
    } else {
      listener.setError(
        new ListenerStatusError(
          'ResolvedRefs',
          'InvalidRouteKinds',
          `${k.kind} is not supported, kind must be one of ${canSupport.join(', ')}`,
        ),
      );
      valid = false;
    }
  }
  listener.supportedKinds = supported;
  return valid;
}

function validateAllowedNamespaces(listener: ListenerContext): boolean {
  const namespaces = listener.spec.allowedRoutes?.namespaces;
  if ((namespaces?.from ?? 'Same') !== 'Selector') return true;
  if (!namespaces?.selector) {
    listener.setError(
      new ListenerStatusError(
        'Programmed',
        'Invalid',
        'allowedRoutes.namespaces.selector must be set when from is "Selector".',
      ),
    );
    return false;
  }
  // Envoy Gateway parses the selector (LabelSelectorAsSelector); one Kubernetes would refuse makes
  // the listener invalid instead of silently matching no namespace.
  const problem = labelSelectorProblem(namespaces.selector);
  if (problem) {
    listener.setError(
      new ListenerStatusError(
        'Programmed',
        'Invalid',
        `The allowedRoutes.namespaces.selector could not be parsed: ${problem}.`,
      ),
    );
    return false;
  }
  listener.namespaceSelector = namespaces.selector;
  return true;
}

function validateHostname(listener: ListenerContext): boolean {
  if ((listener.protocol === 'TCP' || listener.protocol === 'UDP') && listener.hostname) {
    listener.setError(
      new ListenerStatusError(
        'Programmed',
        'Invalid',
        `Listener must not have hostname set when protocol is ${listener.protocol}.`,
      ),
    );
    return false;
  }
  return true;
}

/** Validate one listener; sets `specValid` and the listener's error conditions. */
export function validateListener(ctx: TranslatorContext, listener: ListenerContext): void {
  if (!isSupportedProtocol(listener.protocol)) {
    listener.setError(
      new ListenerStatusError(
        'Accepted',
        'UnsupportedProtocol',
        `Protocol ${listener.protocol} is unsupported, must be one of HTTP, HTTPS, TLS, TCP, UDP.`,
      ),
    );
    listener.supportedKinds = [];
    listener.specValid = false;
    return;
  }
  const results = [
    validateAllowedRoutes(listener),
    validateAllowedNamespaces(listener),
    validateHostname(listener),
    validateListenerTLS(ctx, listener),
  ];
  listener.specValid = results.every(Boolean);
}
