// Upstream destinations of routes: weighted groups of endpoints (one group per backendRef),
// what the xds-translator turns into Clusters and ClusterLoadAssignments.
import { z } from 'zod';
import {
  AdmissionControlSchema,
  HealthCheckSchema,
  LoadBalancerSchema,
  TCPKeepaliveSchema,
  UpstreamDNSSchema,
  UpstreamTimeoutsSchema,
} from './backendTraffic.js';
import { CredentialInjectionSchema } from './credentialInjection.js';
import { ExtensionObjectSchema } from './extensionServer.js';
import { BackendConnectionSchema, CircuitBreakerSchema, HTTP2SettingsSchema } from './settings.js';

/** One upstream endpoint. */
export const EndpointSchema = z.object({
  /** IP address or DNS name. */
  host: z.string(),
  /** Port on the endpoint. */
  port: z.number().int(),
  /** Zone of the endpoint (EndpointSlice zone), when known. */
  zone: z.string().optional(),
  /** False while the endpoint is terminating: drain it (no new requests) instead of dropping it. */
  ready: z.boolean(),
  /**
   * The endpoint's hostname apart from its address (a Backend's `endpoints.hostname`): what
   * Envoy uses for a host rewrite from the backend, never to connect.
   */
  hostname: z.string().optional(),
  /** A Unix domain socket path (a Backend's `endpoints.unix`): `host` and `port` are then unused. */
  unixPath: z.string().optional(),
});
export type Endpoint = z.infer<typeof EndpointSchema>;

/**
 * A certificate and its key: served by a TLS-terminating listener, or presented to a TLS backend.
 * Both become SDS Secrets.
 */
export const TLSCertificateSchema = z.object({
  /** Stable name: `<secret namespace>/<secret name>` (unique per use). */
  name: z.string(),
  /** PEM certificate chain. */
  certificate: z.string(),
  /** PEM private key. */
  privateKey: z.string(),
});
export type TLSCertificate = z.infer<typeof TLSCertificateSchema>;

/** Upstream TLS settings from a BackendTLSPolicy. */
export const UpstreamTLSSchema = z.object({
  /** SNI to send to the upstream. */
  sni: z.string(),
  /** PEM CA bundle to verify the upstream with; absent with `useSystemTrustStore`. */
  caCertificate: z.string().optional(),
  /** Verify against the system trust store instead of a CA bundle. */
  useSystemTrustStore: z.boolean(),
  /** Subject alternative names the upstream certificate must present (type and value). */
  subjectAltNames: z.array(z.object({ type: z.enum(['Hostname', 'URI']), value: z.string() })),
  /** Name of the policy these settings come from, `<namespace>/<name>`. */
  policy: z.string(),
  /**
   * The certificate the proxy presents to the backend: its Gateway's
   * `spec.tls.backend.clientCertificateRef` (GEP-3155).
   */
  clientCertificate: TLSCertificateSchema.optional(),
  /** Lowest TLS version offered (absent: 1.2). */
  minVersion: z.enum(['1.2', '1.3']).optional(),
  /** Highest TLS version offered (absent: 1.3, as Envoy Gateway offers). */
  maxVersion: z.enum(['1.2', '1.3']).optional(),
  /** Do not verify the backend's certificate at all (a Backend's `tls.insecureSkipVerify`). */
  insecureSkipVerify: z.boolean().optional(),
  /**
   * No fixed SNI: send the request's Host as SNI and check the certificate against it (Envoy's
   * auto_sni and auto_san_validation), as Envoy Gateway does for a Backend without `tls.sni`.
   */
  autoSni: z.boolean().optional(),
  /**
   * SNI from the hostname of the endpoint connected to, and the certificate checked against the
   * SNI sent (Envoy's auto_host_sni and auto_sni_san_validation): a Backend's
   * `tls.autoSNIFromEndpointHostname`. Takes the place of `autoSni`.
   */
  autoHostSni: z.boolean().optional(),
  /** Cipher suites offered up to TLS 1.2, by OpenSSL name (a Backend's `tls.ciphers`). */
  ciphers: z.array(z.string()).optional(),
  /** Key exchange groups offered (`tls.ecdhCurves`). */
  ecdhCurves: z.array(z.string()).optional(),
  /** Signature algorithms offered (`tls.signatureAlgorithms`). */
  signatureAlgorithms: z.array(z.string()).optional(),
  /** ALPN protocols offered instead of those of the upstream protocol (`tls.alpnProtocols`). */
  alpnProtocols: z.array(z.string()).optional(),
});
export type UpstreamTLS = z.infer<typeof UpstreamTLSSchema>;

/** One weighted group of endpoints: one backendRef. */
export const DestinationSettingSchema = z.object({
  /** Stable name: `<route destination name>/backend/<index>`. */
  name: z.string(),
  /** Relative weight within the destination (0 means no traffic). */
  weight: z.number().int(),
  /** Application protocol to speak upstream. */
  protocol: z.enum(['HTTP', 'HTTP2', 'GRPC', 'TCP', 'UDP', 'TLS']),
  /** How endpoints are addressed: IPs, or DNS names that Envoy resolves. */
  addressType: z.enum(['IP', 'FQDN', 'Mixed']),
  /** Endpoints of the group, sorted by host then port. */
  endpoints: z.array(EndpointSchema),
  /** Upstream TLS, when a BackendTLSPolicy targets the backend. */
  tls: UpstreamTLSSchema.optional(),
  /** Response header changes that apply only when this backend is picked (backendRef filters). */
  responseHeaders: z
    .object({
      add: z.array(z.object({ name: z.string(), value: z.string(), append: z.boolean() })),
      remove: z.array(z.string()),
    })
    .optional(),
  /**
   * A Backend of type DynamicResolver: no endpoints of its own, Envoy's dynamic forward proxy
   * resolves the host each request names (its Host header) through a DNS cache.
   */
  dynamicResolver: z.boolean().optional(),
  /**
   * Load-balancing priority: 0 (absent) serves while healthy, 1 takes traffic only when priority 0
   * is unhealthy (a Backend's `fallback`).
   */
  priority: z.number().int().optional(),
  /** Host header sent to this backend only (a backendRef URLRewrite hostname). */
  hostRewrite: z.string().optional(),
  /** A credential injected only when this backend is picked (a backendRef HTTPRouteFilter). */
  credentialInjection: CredentialInjectionSchema.optional(),
  /** Header changes that apply only when this backend is picked (backendRef filters). */
  requestHeaders: z
    .object({
      /** Headers to add or set. */
      add: z.array(z.object({ name: z.string(), value: z.string(), append: z.boolean() })),
      /** Header names to remove. */
      remove: z.array(z.string()),
    })
    .optional(),
  /**
   * A backendRef to a kind of the extension server's (`extensionManager.backendResources`): no
   * endpoints of its own; the object, as read, is handed to the extension's PostClusterModify
   * hook, which fills the cluster in (Envoy Gateway's IsCustomBackend).
   */
  customBackend: ExtensionObjectSchema.optional(),
  /**
   * The backend's identity, `backend/<kind>/<namespace>/<name>[/<port>]`, when the fleet's
   * EnvoyProxy merges its clusters (`mergeBackends`, its selector matching the backend): routes
   * whose settings carry the same key may share one cluster (see `cluster`).
   */
  mergeKey: z.string().optional(),
  /**
   * The cluster this backend shares with every other route reaching it (EnvoyProxy
   * `mergeBackends`): its `mergeKey`, set only when all of them build the same cluster (same
   * endpoints, protocol, TLS and traffic settings). The cluster is this setting's alone, under
   * that name, and a route reaches it through weighted clusters when it has several backends.
   */
  cluster: z.string().optional(),
});
export type DestinationSetting = z.infer<typeof DestinationSettingSchema>;

/** HTTP/2 towards the backends: the windows and stream limit, PING keepalive, invalid messages. */
export const UpstreamHTTP2SettingsSchema = HTTP2SettingsSchema.extend({
  /** PING frames that keep connections alive and find dead ones (`connectionKeepalive`). */
  connectionKeepalive: z
    .object({
      intervalMs: z.number().optional(),
      timeoutMs: z.number().optional(),
      /** Random jitter added to each interval, in percent. */
      intervalJitterPercent: z.number().optional(),
      idleIntervalMs: z.number().optional(),
    })
    .optional(),
  /** Reset only the offending stream on an invalid message (`onInvalidMessage: TerminateStream`). */
  terminateStreamOnInvalidMessage: z.boolean().optional(),
});
export type UpstreamHTTP2Settings = z.infer<typeof UpstreamHTTP2SettingsSchema>;

/** Where a route (or mirror) sends traffic. */
export const RouteDestinationSchema = z.object({
  /** Stable, unique name (becomes the Cluster name). */
  name: z.string(),
  /** Weighted groups; traffic is split by weight across them. */
  settings: z.array(DestinationSettingSchema),
  /**
   * Share of traffic (by weight, like a setting's) for backendRefs that are invalid: answered
   * with 500, as Gateway API asks for requests that would go to an invalid backend.
   */
  invalidWeight: z.number().int().nonnegative().optional(),
  /** Circuit breaker thresholds of the destination's clusters; absent fields take Envoy Gateway's defaults. */
  circuitBreaker: CircuitBreakerSchema.optional(),
  /** Connection settings towards the backends; absent fields take Envoy Gateway's defaults. */
  connection: BackendConnectionSchema.optional(),
  /** HTTP/2 settings towards HTTP/2 backends; absent fields take Envoy Gateway's defaults. */
  http2: UpstreamHTTP2SettingsSchema.optional(),
  /**
   * HTTP/1 header names reach the backends as the client wrote them (the listener's
   * ClientTrafficPolicy `http1.preserveHeaderCase`), and theirs the client.
   */
  preserveHeaderCase: z.boolean().optional(),
  /** Name the clusters' stats go under (Envoy alt_stat_name; EnvoyProxy `metrics.clusterStatName`). */
  statName: z.string().optional(),
  /**
   * Extra cluster stats (EnvoyProxy `metrics.enableRequestResponseSizesStats`,
   * `enablePerEndpointStats`; Envoy track_cluster_stats).
   */
  trackStats: z.object({ requestResponseSizes: z.boolean(), perEndpoint: z.boolean() }).optional(),
  /** Speak to the backends the protocol the client used (HTTP/1.1 or HTTP/2; `useClientProtocol`). */
  useClientProtocol: z.boolean().optional(),
  /** Load balancer of the destination's clusters (absent: LeastRequest). */
  loadBalancer: LoadBalancerSchema.optional(),
  /** Active and passive health checks of the destination's endpoints. */
  healthCheck: HealthCheckSchema.optional(),
  /** Connect, idle, connection and stream timeouts towards the backends. */
  timeouts: UpstreamTimeoutsSchema.optional(),
  /** PROXY protocol header sent to the backends. */
  proxyProtocol: z.enum(['V1', 'V2']).optional(),
  /** DNS settings of hostname endpoints. */
  dns: UpstreamDNSSchema.optional(),
  /** TCP keepalive on upstream connections. */
  tcpKeepalive: TCPKeepaliveSchema.optional(),
  /**
   * Load shedding on a falling success rate (BackendTrafficPolicy `admissionControl`): an upstream
   * HTTP filter of the cluster, as Envoy Gateway configures it.
   */
  admissionControl: AdmissionControlSchema.optional(),
});
export type RouteDestination = z.infer<typeof RouteDestinationSchema>;
