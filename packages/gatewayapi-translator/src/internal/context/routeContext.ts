// RouteContext: one route of any kind while it attaches to parents; it owns the route's status
// (one RouteParentContext per parentRef that names a parent of ours). Generic route code is
// written once against this class.
import type { GRPCRoute, HTTPRoute, TCPRoute, TLSRoute, UDPRoute } from '@egts/api';
import { Conditions } from '../status/conditions.js';
import type { ParentRef, RouteKind } from '../types.js';
import type { GatewayContext } from './gatewayContext.js';
import type { ListenerContext } from './listenerContext.js';

export interface RouteResourceByKind {
  HTTPRoute: HTTPRoute;
  GRPCRoute: GRPCRoute;
  TLSRoute: TLSRoute;
  TCPRoute: TCPRoute;
  UDPRoute: UDPRoute;
}

/** One parentRef of a route that points at a Gateway (or ListenerSet) of ours. */
export class RouteParentContext {
  readonly conditions: Conditions;
  /** Listeners the route attached to, each with the hostnames it serves there. */
  attachments: { listener: ListenerContext; hostnames: string[] }[] = [];

  constructor(
    readonly ref: ParentRef,
    readonly gateway: GatewayContext,
    generation: number | undefined,
  ) {
    this.conditions = new Conditions(generation);
  }

  get accepted(): boolean {
    return this.conditions.get('Accepted')?.status === 'True';
  }
}

export class RouteContext<K extends RouteKind = RouteKind> {
  parents: RouteParentContext[] = [];

  constructor(
    readonly kind: K,
    readonly resource: RouteResourceByKind[K],
  ) {}

  get namespace(): string {
    return this.resource.metadata.namespace ?? 'default';
  }
  get name(): string {
    return this.resource.metadata.name;
  }
  get generation(): number | undefined {
    return this.resource.metadata.generation ?? undefined;
  }
  get parentRefs(): readonly ParentRef[] {
    return (this.resource.spec.parentRefs ?? []) as readonly ParentRef[];
  }
  /** spec.hostnames for kinds that have them (HTTP, GRPC, TLS). */
  get hostnames(): readonly string[] {
    const spec = this.resource.spec as { hostnames?: readonly string[] | undefined };
    return spec.hostnames ?? [];
  }
  /** `kind/namespace/name`, the prefix of every IR name derived from this route. */
  get irName(): string {
    // Asked for every rule, match and hostname of the route: made once.
    this.#irName ??= `${this.kind.toLowerCase()}/${this.namespace}/${this.name}`;
    return this.#irName;
  }
  #irName: string | undefined;
}

export type AnyRouteContext = {
  [K in RouteKind]: RouteContext<K>;
}[RouteKind];
