// Test fixtures: a local HTTP backend, an Infra IR, xDS resources routing a port to the backend,
// and polling helpers.
import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import {
  Cluster,
  Cluster_DiscoveryType,
  HttpConnectionManager,
  Listener,
  packAny,
  Router,
} from '@egts/envoy-api';
import type { InfraIR, ProxyInfra } from '@egts/ir';
import type { SnapshotResources } from '@egts/xds-server';

export interface Backend {
  readonly port: number;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 answering every request with `body`. */
export const startBackend = async (body: string): Promise<Backend> => {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' }).end(body);
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

/** An ephemeral port that is free now (for the proxy's listener, which comes over xDS). */
export const ephemeralPort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createTcpServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });

/** One proxy fleet for Gateway `namespace/name` with an HTTP listener on `port`. */
export const proxyInfra = (
  name: string,
  port: number,
  envoyProxy?: Record<string, unknown>,
): ProxyInfra => {
  const [namespace = 'default', gateway = name] = name.split('/');
  return {
    name,
    namespace,
    owner: { gatewayClass: 'eg', gatewayNamespace: namespace, gatewayName: gateway },
    labels: {},
    annotations: {},
    listeners: [
      {
        name: `${name}/http`,
        ports: [{ name: `http-${port}`, protocol: 'HTTP', containerPort: port, servicePort: port }],
      },
    ],
    addresses: [],
    ...(envoyProxy === undefined ? {} : { envoyProxy }),
  };
};

export const infraIR = (...proxies: ProxyInfra[]): InfraIR => ({ proxies });

/** A listener on 127.0.0.1:`port` sending every request to a static cluster for `backendPort`. */
export const httpToBackend = (port: number, backendPort: number): SnapshotResources => {
  const hcm = HttpConnectionManager.fromPartial({
    statPrefix: 'http',
    routeConfig: {
      name: 'http',
      virtualHosts: [
        {
          name: 'all',
          domains: ['*'],
          routes: [{ match: { prefix: '/' }, route: { cluster: 'backend' } }],
        },
      ],
    },
    httpFilters: [
      { name: 'envoy.filters.http.router', typedConfig: packAny(Router, Router.fromPartial({})) },
    ],
  });
  return {
    listeners: [
      Listener.fromPartial({
        name: 'http',
        address: { socketAddress: { address: '127.0.0.1', portValue: port } },
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
      }),
    ],
    clusters: [
      Cluster.fromPartial({
        name: 'backend',
        type: Cluster_DiscoveryType.STATIC,
        connectTimeout: { seconds: 1 },
        loadAssignment: {
          clusterName: 'backend',
          endpoints: [
            {
              lbEndpoints: [
                {
                  endpoint: {
                    address: { socketAddress: { address: '127.0.0.1', portValue: backendPort } },
                  },
                },
              ],
            },
          ],
        },
      }),
    ],
  };
};

/** Polls `fn` until it returns true; throws after `timeoutMs`. */
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

/** GET http://127.0.0.1:port/ -> body, or '' when it fails. */
export const get = async (port: number): Promise<string> => {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/`, {
      signal: AbortSignal.timeout(2000),
    });
    return response.status === 200 ? await response.text() : `status ${response.status}`;
  } catch {
    return '';
  }
};

/** Whether a process with this pid exists (signal 0 checks without signalling). */
export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
