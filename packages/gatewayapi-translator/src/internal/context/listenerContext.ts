// ListenerContext: one Gateway or ListenerSet listener while it is validated and routes attach to
// it. It owns the listener's status (conditions, supportedKinds, attachedRoutes).
import type { ListenerTLS, TLSCertificate } from '@egts/ir';
import { Conditions } from '../status/conditions.js';
import type { ListenerStatusError } from '../status/statusError.js';
import type { AnyListener, LabelSelector, RouteKind } from '../types.js';
import type { GatewayContext } from './gatewayContext.js';
import type { ListenerSetContext } from './listenerSetContext.js';

export interface RouteGroupKind {
  group: string;
  kind: string;
}

/** The xDS IR and Infra IR name of a Gateway's own listener (ListenerContext.irName). */
export const gatewayListenerIRName = (namespace: string, gateway: string, listener: string) =>
  `${namespace}/${gateway}/${listener}`;

export class ListenerContext {
  readonly conditions: Conditions;
  supportedKinds: RouteGroupKind[] = [];
  attachedRoutes = 0;
  /** False once per-listener validation found a problem that keeps it out of conflict checks. */
  specValid = true;
  /** Set by conflict detection (GEP-1713 precedence for ListenerSets). */
  conflictReason: 'HostnameConflict' | 'ProtocolConflict' | undefined;
  /** Certificates that validated, served when the listener terminates TLS. */
  certificates: TLSCertificate[] = [];
  /** Client certificate validation to enforce (GEP-91), once its CA references resolved. */
  clientValidation: ListenerTLS['clientValidation'];
  /** DNS SANs of those certificates (for OverlappingTLSConfig, GEP-3567). */
  certDNSNames: string[] = [];
  namespaceSelector: LabelSelector | undefined;

  constructor(
    readonly spec: AnyListener,
    readonly gateway: GatewayContext,
    readonly listenerSet: ListenerSetContext | undefined,
    generation: number | undefined,
  ) {
    this.conditions = new Conditions(generation);
  }

  get name(): string {
    return this.spec.name;
  }
  get port(): number {
    return this.spec.port;
  }
  get protocol(): string {
    return this.spec.protocol;
  }
  get hostname(): string | undefined {
    return this.spec.hostname ?? undefined;
  }
  /** Namespace routes are "Same" with: the Gateway's, or the ListenerSet's (GEP-1713). */
  get ownerNamespace(): string {
    return this.listenerSet?.namespace ?? this.gateway.namespace;
  }
  /** `namespace/gateway/listener`, or `namespace/gateway/listenerset/listener`, unique per Gateway. */
  get irName(): string {
    if (this.#irName !== undefined) return this.#irName;
    const { namespace, name } = this.gateway;
    this.#irName = this.listenerSet
      ? `${namespace}/${name}/${this.listenerSet.namespace}/${this.listenerSet.name}/${this.name}`
      : gatewayListenerIRName(namespace, name, this.name);
    return this.#irName;
  }
  /** Asked for every route on the listener: made once (the Gateway and spec never change). */
  #irName: string | undefined;

  setError(error: ListenerStatusError): void {
    this.conditions.set(error.type, 'False', error.reason, error.message);
  }

  allowsKind(kind: RouteKind): boolean {
    return this.supportedKinds.some((k) => k.kind === kind);
  }

  /** Programmed=True after finalisation: the listener goes into the xDS IR. */
  get ready(): boolean {
    return this.conditions.get('Programmed')?.status === 'True';
  }
}
