// A stand-in extension server for tests, as an Envoy Gateway extension would be written (the
// envoygateway.extension.EnvoyGatewayExtension gRPC service): it reads its own kinds from the
// hook contexts and changes what egts sends, visibly through Envoy:
// - PostRouteModify: a route with a `HeaderFilter` extensionRef answers with the header its spec
//   names (`spec.header: {name, value}`), and the hostnames it was given in `x-ext-hostnames`;
// - PostVirtualHostModify: every virtual host gets a `/ext-vhost` route answered by the extension;
// - PostHTTPListenerModify: a listener targeted by a `ListenerPolicy` sends its
//   `spec.serverName` as the `server` header (the HTTP connection manager's server_name,
//   overwriting what the backend sends);
// - PostTranslateModify: a `ListenerPolicy` with `spec.backendPort` adds the cluster
//   `ext-added` (127.0.0.1:backendPort), which the `/ext-cluster` route of the vhost hook uses;
// - PostClusterModify: the cluster of a route to a `LocalBackend` custom backend is pointed at
//   127.0.0.1:`spec.port`;
// - PostEndpointsModify: the endpoints of the clusters of the HTTPRoute named `moved` are
//   replaced by 127.0.0.1:`movedPort` (an option of the stand-in: the hook has no context).
import {
  Cluster,
  Cluster_DiscoveryType,
  type EnvoyGatewayExtensionServer,
  EnvoyGatewayExtensionService,
  type ExtensionResource,
  HeaderValueOption,
  HttpConnectionManager,
  HttpConnectionManager_ServerHeaderTransformation,
  type Listener,
  packAny,
  Route,
  unpackAnyAs,
} from '@egts/envoy-api';
import { Server, ServerCredentials } from '@grpc/grpc-js';

interface Unstructured {
  kind: string;
  metadata: { name: string };
  spec?: Record<string, unknown>;
}

const read = (resources: readonly ExtensionResource[] | undefined): Unstructured[] =>
  (resources ?? []).map((r) => JSON.parse(Buffer.from(r.unstructuredBytes).toString()));

export const EXT_ROUTE_PREFIX = '/ext-vhost';
export const EXT_CLUSTER_PREFIX = '/ext-cluster';
export const EXT_CLUSTER = 'ext-added';

export interface StandInExtensionServer {
  readonly port: number;
  /** Calls received, by method. */
  readonly calls: Map<string, number>;
  close(): Promise<void>;
}

const withServerName = (listener: Listener, serverName: string): Listener => {
  const chains = [
    ...listener.filterChains,
    ...(listener.defaultFilterChain ? [listener.defaultFilterChain] : []),
  ];
  for (const chain of chains) {
    for (const filter of chain.filters) {
      if (filter.typedConfig?.typeUrl.endsWith('HttpConnectionManager') !== true) continue;
      const hcm = unpackAnyAs(HttpConnectionManager, filter.typedConfig);
      filter.typedConfig = packAny(HttpConnectionManager, {
        ...hcm,
        serverName,
        serverHeaderTransformation: HttpConnectionManager_ServerHeaderTransformation.OVERWRITE,
      });
    }
  }
  return listener;
};

/** A STATIC cluster `name` with one endpoint, 127.0.0.1:`port`. */
const staticCluster = (name: string, port: number) =>
  Cluster.fromPartial({
    name,
    type: Cluster_DiscoveryType.STATIC,
    connectTimeout: { seconds: 5, nanos: 0 },
    loadAssignment: {
      clusterName: name,
      endpoints: [
        {
          lbEndpoints: [
            { endpoint: { address: { socketAddress: { address: '127.0.0.1', portValue: port } } } },
          ],
        },
      ],
    },
  });

export interface StandInOptions {
  /** Where PostEndpointsModify sends the HTTPRoute `moved`'s traffic. */
  readonly movedPort?: number | undefined;
}

export async function startExtensionServer(
  port = 0,
  options: StandInOptions = {},
): Promise<StandInExtensionServer> {
  const calls = new Map<string, number>();
  const count = (method: string) => calls.set(method, (calls.get(method) ?? 0) + 1);
  const implementation: EnvoyGatewayExtensionServer = {
    postRouteModify(call, callback) {
      count('PostRouteModify');
      const { route, postRouteContext } = call.request;
      const filter = read(postRouteContext?.extensionResources).find(
        (o) => o.kind === 'HeaderFilter',
      );
      if (route === undefined || filter === undefined) return callback(null, {});
      const header = filter.spec?.header as { name: string; value: string };
      const modified: Route = {
        ...route,
        responseHeadersToAdd: [
          ...route.responseHeadersToAdd,
          HeaderValueOption.fromPartial({ header: { key: header.name, value: header.value } }),
          HeaderValueOption.fromPartial({
            header: {
              key: 'x-ext-hostnames',
              value: (postRouteContext?.hostnames ?? []).join(','),
            },
          }),
        ],
      };
      callback(null, { route: modified });
    },
    postVirtualHostModify(call, callback) {
      count('PostVirtualHostModify');
      const vh = call.request.virtualHost;
      if (vh === undefined) return callback(null, {});
      const extra: Route[] = [
        Route.fromPartial({
          name: `${vh.name}/ext-vhost`,
          match: { prefix: EXT_ROUTE_PREFIX },
          directResponse: { status: 200, body: { inlineString: 'from the extension' } },
        }),
        Route.fromPartial({
          name: `${vh.name}/ext-cluster`,
          match: { prefix: EXT_CLUSTER_PREFIX },
          route: { cluster: EXT_CLUSTER },
        }),
      ];
      callback(null, { virtualHost: { ...vh, routes: [...extra, ...vh.routes] } });
    },
    postHttpListenerModify(call, callback) {
      count('PostHTTPListenerModify');
      const { listener, postListenerContext } = call.request;
      const policy = read(postListenerContext?.extensionResources).find(
        (o) => o.kind === 'ListenerPolicy',
      );
      const serverName = policy?.spec?.serverName;
      if (listener === undefined || typeof serverName !== 'string') return callback(null, {});
      callback(null, { listener: withServerName(listener, serverName) });
    },
    postTranslateModify(call, callback) {
      count('PostTranslateModify');
      const { clusters, secrets, postTranslateContext } = call.request;
      const policy = read(postTranslateContext?.extensionResources).find(
        (o) => o.kind === 'ListenerPolicy',
      );
      const backendPort = policy?.spec?.backendPort;
      const added =
        typeof backendPort === 'number' ? [staticCluster(EXT_CLUSTER, backendPort)] : [];
      callback(null, { clusters: [...clusters, ...added], secrets, listeners: [], routes: [] });
    },
    postClusterModify(call, callback) {
      count('PostClusterModify');
      const { cluster, postClusterContext } = call.request;
      const backend = read(postClusterContext?.backendExtensionResources).find(
        (o) => o.kind === 'LocalBackend',
      );
      const port = backend?.spec?.port;
      if (cluster === undefined || typeof port !== 'number') return callback(null, {});
      const { edsClusterConfig: _eds, ...rest } = cluster;
      callback(null, {
        cluster: { ...rest, ...staticCluster(cluster.name, port) },
      });
    },
    postEndpointsModify(call, callback) {
      count('PostEndpointsModify');
      const { loadAssignment } = call.request;
      const movedPort = options.movedPort;
      if (loadAssignment?.clusterName.includes('/moved/') !== true || movedPort === undefined)
        return callback(null, {});
      const { endpoints } = staticCluster(loadAssignment.clusterName, movedPort).loadAssignment ?? {
        endpoints: [],
      };
      callback(null, { loadAssignment: { ...loadAssignment, endpoints } });
    },
  };
  const server = new Server();
  server.addService(EnvoyGatewayExtensionService, implementation);
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (error, p) =>
      error ? reject(error) : resolve(p),
    ),
  );
  return {
    port: bound,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.forceShutdown();
        resolve();
      }),
  };
}
