// Typed status errors. Rule- and reference-level code returns these instead of writing
// conditions; routeConditions.ts and listenerConditions.ts turn them into conditions in one place
// (the approach of Envoy Gateway's status/error.go).

/** Route reasons of Gateway API (GEP-1364 "Status and Conditions") plus Envoy Gateway's own. */
export type RouteReason =
  | 'UnsupportedValue'
  | 'InvalidRule'
  | 'IncompatibleFilters'
  | 'BackendNotFound'
  | 'InvalidKind'
  | 'RefNotPermitted'
  | 'UnsupportedProtocol'
  | 'PortNotFound'
  | 'PortNotSpecified'
  | 'UnsupportedRefValue'
  | 'InvalidBackendTLS'
  | 'InvalidBackendRef'
  | 'UnsupportedAddressType';

/**
 * Which condition an error lands on: `Accepted` for an invalid rule (the rule is dropped, GEP-1364
 * PartiallyInvalid when others survive), `ResolvedRefs` for a backend that cannot be resolved (the
 * rule stays and answers 500 for that backend's share).
 */
export type RouteErrorTarget = 'Accepted' | 'ResolvedRefs';

export class RouteStatusError {
  constructor(
    readonly target: RouteErrorTarget,
    readonly reason: RouteReason,
    readonly message: string,
  ) {}
}

export const invalidRule = (reason: RouteReason, message: string): RouteStatusError =>
  new RouteStatusError('Accepted', reason, message);

export const unresolvedRef = (reason: RouteReason, message: string): RouteStatusError =>
  new RouteStatusError('ResolvedRefs', reason, message);

/** Listener reasons (GEP-1364; PartiallyInvalidCertificateRef is Envoy Gateway's). */
export type ListenerReason =
  | 'InvalidCertificateRef'
  | 'PartiallyInvalidCertificateRef'
  | 'RefNotPermitted'
  | 'InvalidRouteKinds'
  | 'UnsupportedProtocol'
  | 'UnsupportedTLSMode'
  | 'InvalidCACertificateRef'
  | 'InvalidCACertificateKind'
  | 'Invalid';

/** A listener problem and the condition it sets. */
export class ListenerStatusError {
  constructor(
    readonly type: 'Accepted' | 'Programmed' | 'ResolvedRefs',
    readonly reason: ListenerReason,
    readonly message: string,
  ) {}
}
