// The bootstrap of a host-mode proxy: node named after its fleet, everything else over Delta ADS
// from the egts xDS server. Bootstrap reference:
// https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/bootstrap/v3/bootstrap.proto
import { isIP } from 'node:net';
import {
  ApiConfigSource_ApiType,
  ApiVersion,
  Bootstrap,
  Cluster,
  Cluster_DiscoveryType,
  HttpProtocolOptions,
  packAny,
  TlsParameters_TlsProtocol,
  toEnvoyJson,
  UpstreamTlsContext,
} from '@egts/envoy-api';

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
  };
}

export interface HostBootstrapOptions {
  /** Fleet name from the Infra IR (`<namespace>/<gateway>`): node id and node cluster. */
  readonly proxyName: string;
  readonly xds: XdsAddress;
}

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
                  // Files, not inline PEM: Envoy reads them at start, and the key stays off argv.
                  tlsCertificates: [
                    { certificateChain: { filename: tls.cert }, privateKey: { filename: tls.key } },
                  ],
                  validationContext: { trustedCa: { filename: tls.ca } },
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
 * Admin is set by the runner (`startEnvoy`'s adminPort) so the bootstrap does not depend on it.
 */
export const hostBootstrap = (options: HostBootstrapOptions): object => {
  const ads = { ads: {}, resourceApiVersion: ApiVersion.V3 };
  const bootstrap = Bootstrap.fromPartial({
    node: { id: options.proxyName, cluster: options.proxyName },
    dynamicResources: {
      // Delta (incremental) ADS: https://www.envoyproxy.io/docs/envoy/latest/api-docs/xds_protocol#incremental-xds
      adsConfig: {
        apiType: ApiConfigSource_ApiType.DELTA_GRPC,
        transportApiVersion: ApiVersion.V3,
        grpcServices: [{ envoyGrpc: { clusterName: XDS_CLUSTER } }],
        setNodeOnFirstMessageOnly: true,
      },
      cdsConfig: ads,
      ldsConfig: ads,
    },
    staticResources: { clusters: [xdsCluster(options.xds)] },
  });
  return toEnvoyJson(Bootstrap, bootstrap) as object;
};
