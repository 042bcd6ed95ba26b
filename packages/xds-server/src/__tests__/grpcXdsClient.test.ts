// A second, independent xDS client: @grpc/grpc-js-xds resolves `xds:///echo` through this server
// (API listener -> route -> cluster -> endpoints) and calls a local gRPC backend.
import {
  Cluster,
  Cluster_DiscoveryType,
  Cluster_LbPolicy,
  ClusterLoadAssignment,
  HttpConnectionManager,
  Listener,
  packAny,
  Router,
} from '@egts/envoy-api';
import {
  credentials,
  makeGenericClientConstructor,
  Server,
  ServerCredentials,
  type ServiceDefinition,
  type ServiceError,
} from '@grpc/grpc-js';
import * as grpcXds from '@grpc/grpc-js-xds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSnapshot, createSnapshotCache, createXdsServer, type XdsServer } from '../index.js';
import { routeTo } from './fixtures.js';

/** A unary echo method with raw bytes as messages. */
const echoService: ServiceDefinition = {
  echo: {
    path: '/test.Echo/Echo',
    requestStream: false,
    responseStream: false,
    requestSerialize: (value: Buffer) => value,
    requestDeserialize: (value: Buffer) => value,
    responseSerialize: (value: Buffer) => value,
    responseDeserialize: (value: Buffer) => value,
  },
};

const startBackend = async (name: string): Promise<{ port: number; server: Server }> => {
  const server = new Server();
  server.addService(echoService, {
    echo: (call: { request: Buffer }, callback: (error: null, value: Buffer) => void) =>
      callback(null, Buffer.from(`${name}:${call.request.toString()}`)),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, p) =>
      error ? reject(error) : resolve(p),
    ),
  );
  return { port, server };
};

const apiListener = (name: string, routeName: string): Listener =>
  Listener.fromPartial({
    name,
    apiListener: {
      apiListener: packAny(
        HttpConnectionManager,
        HttpConnectionManager.fromPartial({
          rds: { routeConfigName: routeName, configSource: { ads: {} } },
          httpFilters: [{ name: 'router', typedConfig: packAny(Router, Router.fromPartial({})) }],
        }),
      ),
    },
  });

const edsCluster = (name: string): Cluster =>
  Cluster.fromPartial({
    name,
    type: Cluster_DiscoveryType.EDS,
    lbPolicy: Cluster_LbPolicy.ROUND_ROBIN,
    edsClusterConfig: { edsConfig: { ads: {} } },
  });

/** gRPC needs a locality with a weight on every group of endpoints (grpc-js-xds validation). */
const endpoints = (name: string, port: number): ClusterLoadAssignment =>
  ClusterLoadAssignment.fromPartial({
    clusterName: name,
    endpoints: [
      {
        locality: { region: 'local' },
        loadBalancingWeight: 1,
        lbEndpoints: [
          { endpoint: { address: { socketAddress: { address: '127.0.0.1', portValue: port } } } },
        ],
      },
    ],
  });

let xds: XdsServer;
let backends: { port: number; server: Server }[];
const cache = createSnapshotCache();

const setConfig = (cluster: string): void => {
  cache.setSnapshot(
    'grpc-clients',
    createSnapshot({
      listeners: [apiListener('echo', 'echo-route')],
      routes: [routeTo('echo-route', cluster)],
      clusters: [edsCluster('one'), edsCluster('two')],
      endpoints: [endpoints('one', backends[0]!.port), endpoints('two', backends[1]!.port)],
    }),
  );
};

beforeAll(async () => {
  backends = await Promise.all([startBackend('one'), startBackend('two')]);
  xds = createXdsServer(cache);
  const port = await xds.listen();
  setConfig('one');
  process.env.GRPC_XDS_BOOTSTRAP_CONFIG = JSON.stringify({
    xds_servers: [
      {
        server_uri: `127.0.0.1:${port}`,
        channel_creds: [{ type: 'insecure' }],
        server_features: ['xds_v3'],
      },
    ],
    node: { id: 'grpc-client-1', cluster: 'grpc-clients', locality: {} },
  });
  grpcXds.register();
});

afterAll(async () => {
  await xds?.close();
  for (const backend of backends ?? []) backend.server.forceShutdown();
});

describe('@grpc/grpc-js-xds client', () => {
  it('resolves xds:///echo through the server and follows a route change', async () => {
    const Client = makeGenericClientConstructor(echoService, 'Echo');
    const client = new Client('xds:///echo', credentials.createInsecure()) as unknown as {
      echo(
        request: Buffer,
        options: { deadline: number },
        callback: (error: ServiceError | null, value?: Buffer) => void,
      ): void;
      close(): void;
    };
    const call = (): Promise<string> =>
      new Promise((resolve, reject) =>
        client.echo(Buffer.from('hi'), { deadline: Date.now() + 5000 }, (error, value) =>
          error ? reject(error) : resolve(value?.toString() ?? ''),
        ),
      );
    try {
      expect(await call()).toBe('one:hi');
      setConfig('two');
      const deadline = Date.now() + 5000;
      let answer = await call();
      while (answer !== 'two:hi' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        answer = await call();
      }
      expect(answer).toBe('two:hi');
    } finally {
      client.close();
    }
  });
});
