// Nested input types the translator works with, derived from @egts/api by indexed access so they
// always follow the CRD schemas.
import type {
  Gateway,
  GRPCRoute,
  HTTPRoute,
  ListenerSet,
  TCPRoute,
  TLSRoute,
  UDPRoute,
} from '@egts/api';

export type GatewayListener = NonNullable<Gateway['spec']['listeners']>[number];
export type ListenerSetListener = NonNullable<ListenerSet['spec']['listeners']>[number];
/** A listener as declared by a Gateway or a ListenerSet (the two shapes agree on what we read). */
export type AnyListener = GatewayListener | ListenerSetListener;
export type ListenerTLSConfig = NonNullable<GatewayListener['tls']>;
export type CertificateRef = NonNullable<ListenerTLSConfig['certificateRefs']>[number];
export type AllowedRoutes = NonNullable<GatewayListener['allowedRoutes']>;
export type LabelSelector = NonNullable<NonNullable<AllowedRoutes['namespaces']>['selector']>;

export type ParentRef = NonNullable<HTTPRoute['spec']['parentRefs']>[number];
export type HTTPRouteRule = NonNullable<HTTPRoute['spec']['rules']>[number];
export type HTTPRouteMatch = NonNullable<HTTPRouteRule['matches']>[number];
export type HTTPRouteFilterSpec = NonNullable<HTTPRouteRule['filters']>[number];
export type HTTPBackendRef = NonNullable<HTTPRouteRule['backendRefs']>[number];
export type GRPCRouteRule = NonNullable<GRPCRoute['spec']['rules']>[number];
export type GRPCRouteMatch = NonNullable<GRPCRouteRule['matches']>[number];
export type GRPCRouteFilterSpec = NonNullable<GRPCRouteRule['filters']>[number];
export type TLSRouteRule = TLSRoute['spec']['rules'][number];
export type TCPRouteRule = TCPRoute['spec']['rules'][number];
export type UDPRouteRule = UDPRoute['spec']['rules'][number];

/** The fields of a backendRef every route kind shares. */
export interface BackendRefLike {
  readonly group?: string | undefined;
  readonly kind?: string | undefined;
  readonly name: string;
  readonly namespace?: string | undefined;
  readonly port?: number | undefined;
  readonly weight?: number | undefined;
}

/** Route kinds the translator handles. */
export type RouteKind = 'HTTPRoute' | 'GRPCRoute' | 'TLSRoute' | 'TCPRoute' | 'UDPRoute';

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';
export const ENVOY_GATEWAY_GROUP = 'gateway.envoyproxy.io';
export const MCS_GROUP = 'multicluster.x-k8s.io';

/** `namespace/name`, the key every index uses. */
export const nsName = (namespace: string | undefined, name: string): string =>
  `${namespace ?? ''}/${name}`;
