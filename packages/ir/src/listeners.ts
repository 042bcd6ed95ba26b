// xDS IR listeners: what one Envoy listener (address:port) serves, HTTP with virtual hosts,
// TCP with SNI-matched or catch-all routes, UDP with one route.

import { z } from 'zod';
import { ClientTrafficSchema } from './clientTraffic.js';
import { EndpointSchema, RouteDestinationSchema, TLSCertificateSchema } from './destination.js';
import { EnvoyPatchPolicyIRSchema } from './envoyPatchPolicy.js';
import { FilterOrderSchema, GeoIPProviderSchema, IpFamilySchema } from './envoyProxy.js';
import { ExtensionServerPolicySchema } from './extensionServer.js';
import { RateLimitServiceSchema } from './globalRateLimit.js';
import { HTTPRouteIRSchema } from './httpRoute.js';
import { RouteSourceSchema } from './routeSource.js';
import { AuthorizationSchema } from './security.js';
import { ConnectionSettingsSchema, HeaderSettingsSchema, HTTP2SettingsSchema } from './settings.js';
import { AccessLogSchema, TracingSchema } from './telemetry.js';

/** Downstream TLS settings of a listener. */
export const ListenerTLSSchema = z.object({
  /** Terminate TLS, or pass the stream through by SNI. */
  mode: z.enum(['Terminate', 'Passthrough']),
  /** Certificates (Terminate only); Envoy picks by SNI and key type. */
  certificates: z.array(TLSCertificateSchema),
  /** ALPN protocols to offer. */
  alpnProtocols: z.array(z.string()),
  /**
   * Client certificate validation (Gateway spec.tls.frontend, GEP-91): the PEM CA bundle client
   * certificates must chain to, and whether a client without a valid one is let through anyway
   * (`AllowInsecureFallback`).
   */
  clientValidation: z
    .object({ caCertificate: z.string(), allowInsecureFallback: z.boolean() })
    .optional(),
  /**
   * TLS session resumption (ClientTrafficPolicy `tls.session.resumption`); absent: both kinds
   * off, as Envoy Gateway has them.
   */
  sessionResumption: z.object({ stateless: z.boolean(), stateful: z.boolean() }).optional(),
});
export type ListenerTLS = z.infer<typeof ListenerTLSSchema>;

/** An HTTP or HTTPS Envoy listener, made of one or more compatible Gateway listeners on a port. */
export const HTTPListenerSchema = z.object({
  /** Stable name: `<namespace>/<gateway>/<listener>` of the first Gateway listener merged in. */
  name: z.string(),
  /** Bind address. */
  address: z.string(),
  /** Port Envoy binds (shifted by 10000 below 1024). */
  port: z.number().int(),
  /** Port the Gateway declares. */
  externalPort: z.number().int(),
  /** Hostnames served (`*` when a Gateway listener has none), sorted. */
  hostnames: z.array(z.string()),
  /** TLS termination, for HTTPS. */
  tls: ListenerTLSSchema.optional(),
  /**
   * Routes grouped by hostname, each group in Gateway API precedence order (GEP-1294 / HTTPRoute
   * rule ordering); each route name once.
   */
  routes: z.array(HTTPRouteIRSchema),
  /** Downstream connection limits; absent fields take Envoy Gateway's defaults. */
  connection: ConnectionSettingsSchema.optional(),
  /** Header handling; absent fields take Envoy Gateway's defaults. */
  headers: HeaderSettingsSchema.optional(),
  /** HTTP/2 limits; absent fields take Envoy Gateway's defaults. */
  http2: HTTP2SettingsSchema.optional(),
  /** The rest of a ClientTrafficPolicy's settings (clientTraffic.ts). */
  clientTraffic: ClientTrafficSchema.optional(),
  /** The Rate Limit Service, when a route here has global rate limits. */
  rateLimitService: RateLimitServiceSchema.optional(),
  /** The fleet's EnvoyProxy `filterOrder`: HTTP filters moved from their default places. */
  filterOrder: FilterOrderSchema.optional(),
  /** The fleet's EnvoyProxy `geoIP` provider: the MaxMind databases the geoip filter reads. */
  geoIP: GeoIPProviderSchema.optional(),
  /**
   * The fleet's EnvoyProxy `metrics.enableGRPCStats`: true counts gRPC calls (grpc_stats) on
   * every listener, false on none; absent: on listeners serving a GRPCRoute, as Envoy Gateway has it.
   */
  grpcStats: z.boolean().optional(),
  /** The fleet's EnvoyProxy `metrics.enableVirtualHostStats`: a virtual cluster per hostname. */
  virtualHostStats: z.boolean().optional(),
});
export type HTTPListener = z.infer<typeof HTTPListenerSchema>;

/** A TCP route: a destination picked by SNI (TLS) or unconditionally (TCP). */
export const TCPRouteIRSchema = z.object({
  /** Stable name: `<kind>/<namespace>/<name>`. */
  name: z.string(),
  /** SNI hostnames this route matches (TLSRoute); empty matches any. */
  sniHostnames: z.array(z.string()),
  /** TLS handling: passthrough, or terminate with certificates. */
  tls: ListenerTLSSchema.optional(),
  /** Upstream. */
  destination: RouteDestinationSchema,
  /** The TLSRoute or TCPRoute and rule this comes from. */
  source: RouteSourceSchema,
  /** Who may connect: a SecurityPolicy's authorization by client address (network RBAC). */
  authorization: AuthorizationSchema.optional(),
  /** Prefix of the route's TCP proxy stats (BackendTrafficPolicy `metrics.routeStatName`). */
  statName: z.string().optional(),
});
export type TCPRouteIR = z.infer<typeof TCPRouteIRSchema>;

/** A TCP or TLS Envoy listener. */
export const TCPListenerSchema = z.object({
  /** Stable name: `<namespace>/<gateway>/<listener>`. */
  name: z.string(),
  /** Bind address. */
  address: z.string(),
  /** Port Envoy binds. */
  port: z.number().int(),
  /** Port the Gateway declares. */
  externalPort: z.number().int(),
  /** Routes; each becomes a filter chain. */
  routes: z.array(TCPRouteIRSchema),
  /** Downstream connection limits; absent fields take Envoy Gateway's defaults. */
  connection: ConnectionSettingsSchema.optional(),
  /** A ClientTrafficPolicy's settings that apply to TCP (keepalive, PROXY protocol, limits). */
  clientTraffic: ClientTrafficSchema.optional(),
});
export type TCPListener = z.infer<typeof TCPListenerSchema>;

/** A UDP Envoy listener with its single route. */
export const UDPListenerSchema = z.object({
  /** Stable name: `<namespace>/<gateway>/<listener>`. */
  name: z.string(),
  /** Bind address. */
  address: z.string(),
  /** Port Envoy binds. */
  port: z.number().int(),
  /** Port the Gateway declares. */
  externalPort: z.number().int(),
  /** The route, when one is attached (UDP has no way to pick between several). */
  route: z
    .object({
      name: z.string(),
      destination: RouteDestinationSchema,
      /** The UDPRoute and rule this comes from. */
      source: RouteSourceSchema,
    })
    .optional(),
});
export type UDPListener = z.infer<typeof UDPListenerSchema>;

/** Everything one proxy fleet serves. */
export const XdsIRSchema = z.object({
  /** Same name as the fleet's Infra IR: `<namespace>/<gateway>`, or the GatewayClass name for merged Gateways. */
  name: z.string(),
  /** HTTP and HTTPS listeners, sorted by port. */
  http: z.array(HTTPListenerSchema),
  /** TCP and TLS listeners, sorted by port. */
  tcp: z.array(TCPListenerSchema),
  /** UDP listeners, sorted by port. */
  udp: z.array(UDPListenerSchema),
  /** Access logs of every listener; absent: Envoy Gateway's default JSON log to stdout. */
  accessLog: AccessLogSchema.optional(),
  /** Request tracing of every HTTP listener (EnvoyProxy `telemetry.tracing`); absent: none. */
  tracing: TracingSchema.optional(),
  /**
   * What the UUID request ID does for tracing on every HTTP listener (EnvoyProxy
   * `telemetry.requestID.tracing`): hold the trace decision in the ID (`pack`) and pick requests
   * to trace by the ID rather than at random (`sample`); absent: both, Envoy's default.
   */
  requestIdTracing: z.object({ pack: z.boolean(), sample: z.boolean() }).optional(),
  /** The fleet's EnvoyProxy `ipFamily` (listener addresses are `::` for IPv6 and DualStack). */
  ipFamily: IpFamilySchema.optional(),
  /** EnvoyPatchPolicies targeting the fleet, applied to its final resources in this order. */
  envoyPatchPolicies: z.array(EnvoyPatchPolicyIRSchema).optional(),
  /**
   * Policies of an extension server's kinds attached to the fleet's Gateways (EnvoyGateway
   * `extensionManager.policyResources`), handed to its listener and translation hooks.
   */
  extensionServerPolicies: z.array(ExtensionServerPolicySchema).optional(),
  /**
   * The fleet's EnvoyProxy `mergeBackends` is set: settings with a `mergeKey` share clusters
   * where they agree (the gatewayapi-translator's last step decides which, `cluster`).
   */
  mergeBackends: z.boolean().optional(),
  /**
   * The fleet's own proxies by zone (its Kubernetes Service's endpoints), served as the
   * `local_cluster` the proxies' bootstrap names, for Envoy's zone-aware routing; absent where
   * the bootstrap holds its own (host mode) or none.
   */
  localCluster: z.object({ endpoints: z.array(EndpointSchema) }).optional(),
});
export type XdsIR = z.infer<typeof XdsIRSchema>;
