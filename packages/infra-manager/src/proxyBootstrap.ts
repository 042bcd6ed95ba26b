// The bootstrap of a proxy, host mode's and the Kubernetes ConfigMap's: node named after its
// fleet, everything else over Delta ADS from the egts xDS server. Bootstrap reference:
// https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/bootstrap/v3/bootstrap.proto
import { isIP } from 'node:net';
import { dirname } from 'node:path';
import {
  ApiConfigSource_ApiType,
  ApiVersion,
  Bootstrap,
  Cluster,
  Cluster_DiscoveryType,
  DiscoveryResponse,
  HealthCheckFilter,
  HttpConnectionManager,
  HttpProtocolOptions,
  Listener,
  packAny,
  Router,
  Secret,
  TlsParameters_TlsProtocol,
  toEnvoyJson,
  UpstreamTlsContext,
} from '@egts/envoy-api';
import {
  metricSinks,
  type ProxyMetrics,
  prometheusCompressor,
  statsConfig,
} from './proxyMetrics.js';
import { LOCAL_CLUSTER, localCluster } from './proxyZone.js';

/** Where the proxies reach the xDS server. */
export interface XdsAddress {
  readonly host: string;
  readonly port: number;
  /** mTLS to the server: PEM file paths (the xds-server requires TLS 1.3 and a client certificate). */
  readonly tls?: {
    /** CA bundle the server's certificate must chain to. */
    readonly ca: string;
    /** This proxy's client certificate chain. */
    readonly cert: string;
    /** Its private key. */
    readonly key: string;
    /**
     * Read the three through file-based SDS from these files (made by `xdsSdsFiles`) instead of at
     * start only, so that certificates rotated in place are picked up without a restart.
     */
    readonly sds?: {
      readonly certificate: string;
      readonly trustedCa: string;
      /**
       * The directory where an update shows as a file moved in (default: the certificate's):
       * host mode renames `..data` in the certificates' parent directory.
       */
      readonly watchedDirectory?: string;
    };
  };
}

/** Names of the SDS secrets the xDS cluster uses. */
const XDS_CERTIFICATE = 'xds_certificate';
const XDS_TRUSTED_CA = 'xds_trusted_ca';

/**
 * The proxy's client certificate and CA as SDS secrets in the files `tls.sds` names, for other
 * clusters that speak mTLS with the control plane's certificates (the rate limit service's).
 */
export const xdsSdsSecrets = (
  sds: NonNullable<NonNullable<XdsAddress['tls']>['sds']>,
): {
  certificate: { name: string; path: string };
  trustedCa: { name: string; path: string };
} => ({
  certificate: { name: XDS_CERTIFICATE, path: sds.certificate },
  trustedCa: { name: XDS_TRUSTED_CA, path: sds.trustedCa },
});

/**
 * The contents of the two SDS files `tls.sds` names: DiscoveryResponses with one Secret each that
 * point at the PEM files. Envoy re-reads them when something is moved into their directory: a
 * Kubernetes Secret volume is updated by swapping its `..data` symlink, which the files' own
 * watches would miss (Envoy "Secret discovery service (SDS)", key rotation; WatchedDirectory).
 */
export const xdsSdsFiles = (
  tls: NonNullable<XdsAddress['tls']>,
): { certificate: string; trustedCa: string } => {
  const response = (secret: Secret) =>
    `${JSON.stringify(
      toEnvoyJson(
        DiscoveryResponse,
        DiscoveryResponse.fromPartial({ resources: [packAny(Secret, secret)] }),
      ),
    )}\n`;
  return {
    certificate: response(
      Secret.fromPartial({
        name: XDS_CERTIFICATE,
        tlsCertificate: {
          certificateChain: { filename: tls.cert },
          privateKey: { filename: tls.key },
          watchedDirectory: { path: tls.sds?.watchedDirectory ?? dirname(tls.cert) },
        },
      }),
    ),
    trustedCa: response(
      Secret.fromPartial({
        name: XDS_TRUSTED_CA,
        validationContext: {
          trustedCa: { filename: tls.ca },
          watchedDirectory: { path: tls.sds?.watchedDirectory ?? dirname(tls.ca) },
        },
      }),
    ),
  };
};

const sdsConfig = (name: string, path: string) => ({
  name,
  sdsConfig: {
    pathConfigSource: { path, watchedDirectory: { path: dirname(path) } },
    resourceApiVersion: ApiVersion.V3,
  },
});

export interface ProxyBootstrapOptions {
  /** Fleet name from the Infra IR (`<namespace>/<gateway>`): node id and node cluster. */
  readonly proxyName: string;
  readonly xds: XdsAddress;
  /**
   * A pod's probe endpoints, as Envoy Gateway's proxies have them: the admin interface on loopback
   * and a static listener answering `path` with 200 while Envoy is live (503 once it drains).
   * Static listeners start only after the first xDS fetch has initialised the server, so a ready
   * answer means the proxy has its configuration. Host mode leaves both to `startEnvoy`.
   */
  readonly probes?: {
    readonly adminPort: number;
    readonly readyPort: number;
    readonly path: string;
    /**
     * Serve the admin interface's `/stats/prometheus` on the ready listener too, as Envoy
     * Gateway's proxies do for scrapers (EnvoyProxy `telemetry.metrics.prometheus.disable`
     * turns it off). Default true.
     */
    readonly prometheus?: boolean;
  };
  /** EnvoyProxy metrics settings the bootstrap holds: stats kept, Prometheus compression. */
  readonly metrics?: ProxyMetrics;
  /**
   * The proxy's zone, for zone-aware routing (BackendTrafficPolicy `zoneAware.preferLocal`):
   * node.locality and a `local_cluster` of this proxy alone in that zone (see proxyZone.ts).
   */
  readonly zone?: string;
  /**
   * The zone comes with Envoy's `--service-zone` and the `local_cluster` over xDS (the fleet's
   * Kubernetes Service endpoints by zone): only cluster_manager names it (Kubernetes pods).
   */
  readonly localClusterOverXds?: boolean;
}

/**
 * The local cluster of a zone-aware pod: defined here, as Envoy wants it at start ("local
 * cluster must be defined"), its endpoints (the fleet's Service endpoints by zone) over EDS.
 */
const localClusterOverEds = Cluster.fromPartial({
  name: LOCAL_CLUSTER,
  type: Cluster_DiscoveryType.EDS,
  connectTimeout: { seconds: 10 },
  edsClusterConfig: {
    serviceName: LOCAL_CLUSTER,
    edsConfig: { ads: {}, resourceApiVersion: ApiVersion.V3 },
  },
});

/** The static cluster that reaches the admin interface, for `/stats/prometheus`. */
const PROMETHEUS_CLUSTER = 'prometheus_stats';

const prometheusCluster = (adminPort: number): Cluster =>
  Cluster.fromPartial({
    name: PROMETHEUS_CLUSTER,
    type: Cluster_DiscoveryType.STATIC,
    connectTimeout: { seconds: 1 },
    loadAssignment: {
      clusterName: PROMETHEUS_CLUSTER,
      endpoints: [
        {
          lbEndpoints: [
            {
              endpoint: {
                address: { socketAddress: { address: '127.0.0.1', portValue: adminPort } },
              },
            },
          ],
        },
      ],
    },
  });

/** GET /stats/prometheus on the ready listener goes to the admin interface; nothing else does. */
const prometheusRoutes = {
  name: 'local_route',
  virtualHosts: [
    {
      name: 'prometheus_stats',
      domains: ['*'],
      routes: [
        {
          match: {
            prefix: '/stats/prometheus',
            headers: [{ name: ':method', stringMatch: { exact: 'GET' } }],
          },
          route: { cluster: PROMETHEUS_CLUSTER },
        },
      ],
    },
  ],
};

/** The readiness listener: HTTP on every address, answered by Envoy's health_check filter. */
const readyListener = (
  port: number,
  path: string,
  prometheus: boolean,
  metrics: ProxyMetrics | undefined,
): Listener =>
  Listener.fromPartial({
    name: `envoy-gateway-proxy-ready-0.0.0.0-${port}`,
    address: { socketAddress: { address: '0.0.0.0', portValue: port } },
    filterChains: [
      {
        filters: [
          {
            name: 'envoy.filters.network.http_connection_manager',
            typedConfig: packAny(
              HttpConnectionManager,
              HttpConnectionManager.fromPartial({
                statPrefix: 'eg-ready-http',
                routeConfig: prometheus ? prometheusRoutes : { name: 'local_route' },
                httpFilters: [
                  {
                    name: 'envoy.filters.http.health_check',
                    typedConfig: packAny(
                      HealthCheckFilter,
                      HealthCheckFilter.fromPartial({
                        // Answered by Envoy itself, never forwarded.
                        passThroughMode: false,
                        headers: [{ name: ':path', stringMatch: { exact: path } }],
                      }),
                    ),
                  },
                  ...(prometheus ? prometheusCompressor(metrics) : []),
                  {
                    name: 'envoy.filters.http.router',
                    typedConfig: packAny(Router, Router.fromPartial({})),
                  },
                ],
              }),
            ),
          },
        ],
      },
    ],
  });

/** Name of the static cluster that points at the xDS server. */
export const XDS_CLUSTER = 'xds_cluster';

/** The server may listen on a wildcard address; a local proxy reaches it on loopback. */
const connectHost = (host: string): string =>
  host === '' || host === '0.0.0.0' ? '127.0.0.1' : host === '::' || host === '[::]' ? '::1' : host;

const xdsCluster = (xds: XdsAddress): Cluster => {
  const host = connectHost(xds.host);
  // A hostname is resolved by Envoy (STRICT_DNS); an IP needs no lookup (STATIC).
  const isAddress = isIP(host) !== 0;
  const tls = xds.tls;
  return Cluster.fromPartial({
    name: XDS_CLUSTER,
    type: isAddress ? Cluster_DiscoveryType.STATIC : Cluster_DiscoveryType.STRICT_DNS,
    connectTimeout: { seconds: 10 },
    // gRPC needs HTTP/2 upstream (xDS protocol, "gRPC streaming endpoints").
    typedExtensionProtocolOptions: {
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': packAny(
        HttpProtocolOptions,
        HttpProtocolOptions.fromPartial({
          explicitHttpConfig: {
            http2ProtocolOptions: {
              // Keepalive pings detect a dead control plane behind a half-open connection.
              connectionKeepalive: { interval: { seconds: 30 }, timeout: { seconds: 5 } },
            },
          },
        }),
      ),
    },
    loadAssignment: {
      clusterName: XDS_CLUSTER,
      endpoints: [
        {
          lbEndpoints: [
            {
              endpoint: { address: { socketAddress: { address: host, portValue: xds.port } } },
            },
          ],
        },
      ],
    },
    ...(tls === undefined
      ? {}
      : {
          transportSocket: {
            name: 'envoy.transport_sockets.tls',
            typedConfig: packAny(
              UpstreamTlsContext,
              UpstreamTlsContext.fromPartial({
                commonTlsContext: {
                  tlsParams: {
                    tlsMinimumProtocolVersion: TlsParameters_TlsProtocol.TLSv1_3,
                    tlsMaximumProtocolVersion: TlsParameters_TlsProtocol.TLSv1_3,
                  },
                  // Files, not inline PEM: the key stays off argv and out of the config dump.
                  ...(tls.sds
                    ? {
                        tlsCertificateSdsSecretConfigs: [
                          sdsConfig(XDS_CERTIFICATE, tls.sds.certificate),
                        ],
                        validationContextSdsSecretConfig: sdsConfig(
                          XDS_TRUSTED_CA,
                          tls.sds.trustedCa,
                        ),
                      }
                    : {
                        tlsCertificates: [
                          {
                            certificateChain: { filename: tls.cert },
                            privateKey: { filename: tls.key },
                          },
                        ],
                        validationContext: { trustedCa: { filename: tls.ca } },
                      }),
                },
              }),
            ),
          },
        }),
  });
};

/**
 * The bootstrap as proto3 JSON. `node.cluster` = `node.id` = the fleet name because the xDS server
 * groups nodes by `node.cluster` (`defaultNodeGroup`) and the pipeline keys snapshots by fleet name.
 * In host mode admin is set by the runner (`startEnvoy`'s adminPort); a pod's comes with `probes`.
 */
export const proxyBootstrap = (options: ProxyBootstrapOptions): object => {
  const ads = { ads: {}, resourceApiVersion: ApiVersion.V3 };
  const probes = options.probes;
  const prometheus = probes?.prometheus ?? true;
  const sinks = metricSinks(options.metrics);
  const bootstrap = Bootstrap.fromPartial({
    node: {
      id: options.proxyName,
      cluster: options.proxyName,
      ...(options.zone === undefined ? {} : { locality: { zone: options.zone } }),
    },
    ...(options.zone === undefined && options.localClusterOverXds !== true
      ? {}
      : { clusterManager: { localClusterName: LOCAL_CLUSTER } }),
    // Most of what Envoy spends applying CDS is creating each cluster's stats; its traffic stats
    // (upstream_rq_*, upstream_cx_*, about 80% of them) are made on a cluster's first request
    // instead. At 5,000 clusters this halves Envoy's CPU time to first serving (issue #24); a
    // cluster that never saw traffic just has no such series yet. Bootstrap.deferred_stat_options:
    // https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/bootstrap/v3/bootstrap.proto
    deferredStatOptions: { enableDeferredCreationStats: true },
    dynamicResources: {
      // Delta (incremental) ADS: https://www.envoyproxy.io/docs/envoy/latest/api-docs/xds_protocol#incremental-xds
      adsConfig: {
        apiType: ApiConfigSource_ApiType.DELTA_GRPC,
        transportApiVersion: ApiVersion.V3,
        grpcServices: [
          {
            envoyGrpc: {
              clusterName: XDS_CLUSTER,
              // Envoy retries a lost xDS stream after a jittered backoff from 0.5 s up to 30 s
              // (GrpcService.EnvoyGrpc.retry_policy); capped at 1 s, a proxy that outlived a crash
              // of egts reconnects within a second of the restarted one listening, not up to 30 s.
              retryPolicy: {
                retryBackOff: { baseInterval: { nanos: 250_000_000 }, maxInterval: { seconds: 1 } },
              },
            },
          },
        ],
        setNodeOnFirstMessageOnly: true,
      },
      cdsConfig: ads,
      ldsConfig: ads,
    },
    staticResources: {
      clusters: [
        xdsCluster(options.xds),
        ...(probes && prometheus ? [prometheusCluster(probes.adminPort)] : []),
        ...sinks.clusters,
        ...(options.zone === undefined ? [] : [localCluster(options.zone)]),
        ...(options.localClusterOverXds === true ? [localClusterOverEds] : []),
      ],
      ...(probes
        ? { listeners: [readyListener(probes.readyPort, probes.path, prometheus, options.metrics)] }
        : {}),
    },
    ...statsConfig(options.metrics),
    ...(sinks.statsSinks.length > 0 ? { statsSinks: sinks.statsSinks } : {}),
    ...(probes
      ? {
          admin: {
            address: { socketAddress: { address: '127.0.0.1', portValue: probes.adminPort } },
          },
        }
      : {}),
  });
  return toEnvoyJson(Bootstrap, bootstrap) as object;
};

/** Name of host mode's metrics listener (see withHostMetrics). */
export const HOST_METRICS_LISTENER = 'egts-proxy-metrics';

/**
 * Host mode's metrics endpoint, a pod's ready listener on this machine: `/stats/prometheus` of
 * the admin interface (at `adminPort`), compressed as the EnvoyProxy's `prometheus.compression`
 * asks, and `/ready`, on a loopback port the kernel picks (several proxies share the host). Added
 * when the process starts, since the admin port is the process's own.
 */
export const withHostMetrics = (
  bootstrap: object,
  adminPort: number,
  metrics: ProxyMetrics | undefined,
): object => {
  const listener = toEnvoyJson(
    Listener,
    Listener.fromPartial({
      ...readyListener(0, '/ready', true, metrics),
      name: HOST_METRICS_LISTENER,
      address: { socketAddress: { address: '127.0.0.1', portValue: 0 } },
    }),
  );
  const cluster = toEnvoyJson(Cluster, prometheusCluster(adminPort));
  // An EnvoyProxy bootstrap override is written with Envoy's proto field names.
  const key = 'static_resources' in bootstrap ? 'static_resources' : 'staticResources';
  const base = bootstrap as Record<string, { listeners?: unknown[]; clusters?: unknown[] }>;
  return {
    ...base,
    [key]: {
      ...base[key],
      listeners: [...(base[key]?.listeners ?? []), listener],
      clusters: [...(base[key]?.clusters ?? []), cluster],
    },
  };
};
