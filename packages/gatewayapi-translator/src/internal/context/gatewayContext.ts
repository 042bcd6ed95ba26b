// GatewayContext: one Gateway of ours while it is translated; owns the Gateway's status and its
// listeners (its own first, then those of attached ListenerSets in precedence order).
import type { EnvoyProxy, Gateway } from '@egts/api';
import type { TLSCertificate } from '@egts/ir';
import type { BackendTLSDefaults } from '../policies/envoyProxyBackendTls.js';
import { Conditions } from '../status/conditions.js';
import type { ListenerContext } from './listenerContext.js';
import type { ListenerSetContext } from './listenerSetContext.js';

export class GatewayContext {
  readonly conditions: Conditions;
  readonly listeners: ListenerContext[] = [];
  readonly listenerSets: ListenerSetContext[] = [];
  /** The EnvoyProxy its proxies run with: its own, its class's, or its own merged onto it. */
  envoyProxy: EnvoyProxy | undefined;
  /** The EnvoyProxy its infrastructure.parametersRef names, when found. */
  ownEnvoyProxy: EnvoyProxy | undefined;
  /** Some HTTPS listener's client certificate validation (spec.tls.frontend) is unusable. */
  frontendInvalid = false;
  /** The certificate its proxies present to TLS backends (spec.tls.backend, GEP-3155). */
  backendClientCertificate: TLSCertificate | undefined;
  /** TLS parameters its proxies offer backends that name none (EnvoyProxy spec.backendTLS). */
  backendTLSDefaults: BackendTLSDefaults | undefined;

  constructor(
    readonly resource: Gateway,
    readonly gatewayClassName: string,
  ) {
    this.conditions = new Conditions(resource.metadata.generation ?? undefined);
  }

  get namespace(): string {
    return this.resource.metadata.namespace ?? 'default';
  }
  get name(): string {
    return this.resource.metadata.name;
  }
  get key(): string {
    return `${this.namespace}/${this.name}`;
  }
  /** Gateway listeners, then ListenerSet listeners: the order precedence rules use (GEP-1713). */
  get allListeners(): ListenerContext[] {
    return [...this.listeners, ...this.listenerSets.flatMap((s) => s.listeners)];
  }
}
