// Test fixtures: local HTTP backends, xDS resources routing to them, and ADS bootstraps for Envoy.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ApiConfigSource_ApiType,
  ApiVersion,
  Bootstrap,
  Cluster,
  Cluster_DiscoveryType,
  ClusterLoadAssignment,
  HttpConnectionManager,
  HttpProtocolOptions,
  Listener,
  packAny,
  RouteConfiguration,
  Router,
  TlsParameters_TlsProtocol,
  toEnvoyJson,
  UpstreamTlsContext,
} from '@egts/envoy-api';
import type { SnapshotResources } from '../index.js';

export interface Backend {
  readonly port: number;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 answering every request with `name`. */
export const startBackend = async (name: string): Promise<Backend> => {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' }).end(name);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

const ads = { ads: {}, resourceApiVersion: ApiVersion.V3 };

export const edsCluster = (name: string): Cluster =>
  Cluster.fromPartial({
    name,
    type: Cluster_DiscoveryType.EDS,
    connectTimeout: { seconds: 1 },
    edsClusterConfig: { edsConfig: ads },
  });

export const endpoints = (name: string, port: number): ClusterLoadAssignment =>
  ClusterLoadAssignment.fromPartial({
    clusterName: name,
    endpoints: [
      {
        lbEndpoints: [
          { endpoint: { address: { socketAddress: { address: '127.0.0.1', portValue: port } } } },
        ],
      },
    ],
  });

/** A listener on an ephemeral loopback port whose routes come from RDS `routeName`. */
export const rdsListener = (name: string, routeName: string): Listener => {
  const hcm = HttpConnectionManager.fromPartial({
    statPrefix: name,
    rds: { routeConfigName: routeName, configSource: ads },
    httpFilters: [
      { name: 'envoy.filters.http.router', typedConfig: packAny(Router, Router.fromPartial({})) },
    ],
  });
  return Listener.fromPartial({
    name,
    address: { socketAddress: { address: '127.0.0.1', portValue: 0 } },
    filterChains: [
      {
        filters: [
          {
            name: 'envoy.filters.network.http_connection_manager',
            typedConfig: packAny(HttpConnectionManager, hcm),
          },
        ],
      },
    ],
  });
};

/** Every request goes to `cluster`. */
export const routeTo = (name: string, cluster: string): RouteConfiguration =>
  RouteConfiguration.fromPartial({
    name,
    virtualHosts: [
      { name: 'all', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster } }] },
    ],
  });

/** Listener `http` + route `http` -> `cluster`, and an EDS cluster per backend. */
export const httpConfig = (
  cluster: string,
  backends: Record<string, number>,
): SnapshotResources => ({
  listeners: [rdsListener('http', 'http')],
  routes: [routeTo('http', cluster)],
  clusters: Object.keys(backends).map(edsCluster),
  endpoints: Object.entries(backends).map(([name, port]) => endpoints(name, port)),
});

/** A bootstrap that gets everything over ADS from 127.0.0.1:`xdsPort` (SotW or Delta). */
export const adsBootstrap = (
  xdsPort: number,
  variant: 'sotw' | 'delta',
  nodeId: string,
  tls?: { readonly certFile: string; readonly keyFile: string; readonly caFile: string },
): object => {
  const http2 = HttpProtocolOptions.fromPartial({
    explicitHttpConfig: { http2ProtocolOptions: {} },
  });
  const bootstrap = Bootstrap.fromPartial({
    node: { id: nodeId, cluster: 'gateway-1' },
    dynamicResources: {
      adsConfig: {
        apiType:
          variant === 'delta' ? ApiConfigSource_ApiType.DELTA_GRPC : ApiConfigSource_ApiType.GRPC,
        transportApiVersion: ApiVersion.V3,
        grpcServices: [{ envoyGrpc: { clusterName: 'xds' } }],
        setNodeOnFirstMessageOnly: true,
      },
      cdsConfig: ads,
      ldsConfig: ads,
    },
    staticResources: {
      clusters: [
        {
          name: 'xds',
          type: Cluster_DiscoveryType.STATIC,
          connectTimeout: { seconds: 1 },
          typedExtensionProtocolOptions: {
            'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': packAny(
              HttpProtocolOptions,
              http2,
            ),
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
                        // Envoy's upstream TLS maximum defaults to 1.2; the server requires 1.3.
                        tlsParams: {
                          tlsMinimumProtocolVersion: TlsParameters_TlsProtocol.TLSv1_3,
                          tlsMaximumProtocolVersion: TlsParameters_TlsProtocol.TLSv1_3,
                        },
                        tlsCertificates: [
                          {
                            certificateChain: { filename: tls.certFile },
                            privateKey: { filename: tls.keyFile },
                          },
                        ],
                        validationContext: { trustedCa: { filename: tls.caFile } },
                        alpnProtocols: ['h2'],
                      },
                    }),
                  ),
                },
              }),
          loadAssignment: {
            clusterName: 'xds',
            endpoints: [
              {
                lbEndpoints: [
                  {
                    endpoint: {
                      address: { socketAddress: { address: '127.0.0.1', portValue: xdsPort } },
                    },
                  },
                ],
              },
            ],
          },
        },
      ],
    },
  });
  return toEnvoyJson(Bootstrap, bootstrap) as object;
};

/** Polls `fn` until it returns true (or throws the last error after `timeoutMs`). */
export const eventually = async (
  fn: () => Promise<boolean> | boolean,
  timeoutMs = 60_000,
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await fn()) return;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`condition not met in ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
};

/** GET http://127.0.0.1:port/ and return status and body (status 0 when the connection fails). */
export const get = async (port: number): Promise<{ status: number; body: string }> => {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/`, {
      signal: AbortSignal.timeout(2000),
    });
    return { status: response.status, body: await response.text() };
  } catch {
    return { status: 0, body: '' };
  }
};
