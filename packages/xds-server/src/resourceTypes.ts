// The xDS resource types this server serves, their type URLs, and the order updates go out in
// (https://www.envoyproxy.io/docs/envoy/latest/api-docs/xds_protocol#eventual-consistency-considerations).
import {
  Cluster,
  ClusterLoadAssignment,
  Listener,
  RateLimitConfig,
  RouteConfiguration,
  Secret,
  typeUrlOf,
} from '@egts/envoy-api';

export const TypeUrl = {
  Cluster: typeUrlOf(Cluster),
  ClusterLoadAssignment: typeUrlOf(ClusterLoadAssignment),
  Listener: typeUrlOf(Listener),
  RouteConfiguration: typeUrlOf(RouteConfiguration),
  Secret: typeUrlOf(Secret),
  /** The Envoy Rate Limit Service's descriptors (it runs with CONFIG_TYPE=GRPC_XDS_SOTW). */
  RateLimitConfig: typeUrlOf(RateLimitConfig),
} as const;

export type TypeUrl = (typeof TypeUrl)[keyof typeof TypeUrl];

/**
 * Make-before-break: what is referenced goes out before what references it. Secrets (used by
 * clusters and listeners), then clusters, their endpoints, listeners and last routes, so a route
 * never points at a cluster Envoy does not have yet. Removals of clusters, endpoints and secrets
 * wait until the listeners and routes that stopped using them are acknowledged.
 */
export const UPDATE_ORDER: readonly TypeUrl[] = [
  TypeUrl.Secret,
  TypeUrl.Cluster,
  TypeUrl.ClusterLoadAssignment,
  TypeUrl.Listener,
  TypeUrl.RouteConfiguration,
  TypeUrl.RateLimitConfig,
];

/** Types whose stale resources are kept until the routes moved off them are ACKed. */
export const REMOVE_LAST: ReadonlySet<string> = new Set([
  TypeUrl.Secret,
  TypeUrl.Cluster,
  TypeUrl.ClusterLoadAssignment,
]);

/**
 * Listener and Cluster are the types an empty SotW request subscribes to as a wildcard
 * ("legacy wildcard", xDS protocol "How the client specifies what resources to return"); the
 * Rate Limit Service asks for all its RateLimitConfigs the same way.
 */
export const WILDCARD_TYPES: ReadonlySet<string> = new Set([
  TypeUrl.Listener,
  TypeUrl.Cluster,
  TypeUrl.RateLimitConfig,
]);

export const isServedType = (typeUrl: string): typeUrl is TypeUrl =>
  (UPDATE_ORDER as readonly string[]).includes(typeUrl);
