// Integration (real Envoy): what a client sees where egts follows Envoy Gateway (#17). Gateway API
// resources go through @egts/gatewayapi-translator and this package into a bootstrap; local Node
// servers are the backends. Envoy Gateway's defaults (headers with `_` refused, no `x-envoy-*`
// response headers, the backend's `server` header kept), gRPC method and service matches, the
// prefix rewrite under a "/" match, and 500 for invalid backends against 503 for a backend
// without endpoints.
import { once } from 'node:events';
import { createServer as createHttpServer, request as httpRequest, type Server } from 'node:http';
import {
  createServer as createHttp2Server,
  type Http2Server,
  connect as http2Connect,
} from 'node:http2';
import { loadResourcesFromText } from '@egts/api';
import { type EnvoyHandle, freePort, startEnvoy } from '@egts/envoy-binary';
import { translate } from '@egts/gatewayapi-translator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapToJson, translateBootstrap } from '../index.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const portOf = (server: Server | Http2Server): number => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening');
  return address.port;
};

/** An HTTP/1.1 backend answering with its name and the path it saw, and its own `server` header. */
const startBackend = async (name: string): Promise<Server> => {
  const server = createHttpServer((req, res) => {
    res.setHeader('server', `backend-${name}`);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ backend: name, path: req.url }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
};

/** An h2c backend standing in for a gRPC server: it names itself in a response header. */
const startGrpcBackend = async (name: string): Promise<Http2Server> => {
  const server = createHttp2Server();
  server.on('stream', (stream) => {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'x-backend': name });
    stream.end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
};

const get = (port: number, host: string, path: string, headers: Record<string, string> = {}) =>
  new Promise<Reply>((resolve, reject) => {
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      path,
      headers: { host, ...headers },
      agent: false,
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });

/** A gRPC-like POST over h2c: the backend that answered, or the grpc-status of Envoy's own reply. */
const grpcCall = (port: number, path: string) =>
  new Promise<string>((resolve, reject) => {
    const session = http2Connect(`http://127.0.0.1:${port}`);
    session.on('error', reject);
    const stream = session.request({
      ':method': 'POST',
      ':path': path,
      ':authority': 'grpc.test',
      'content-type': 'application/grpc',
    });
    stream.on('response', (headers) => {
      const backend = headers['x-backend'];
      resolve(typeof backend === 'string' ? backend : `grpc-status ${headers['grpc-status']}`);
      session.close();
    });
    stream.on('error', reject);
    stream.end();
  });

/** A Service with an EndpointSlice on 127.0.0.1 (no endpoints when `port` is undefined). */
const service = (name: string, port: number | undefined, appProtocol?: string) => `
apiVersion: v1
kind: Service
metadata: { namespace: default, name: ${name} }
spec:
  ports: [{ name: main, port: 80, targetPort: ${port ?? 80}${appProtocol ? `, appProtocol: ${appProtocol}` : ''} }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  namespace: default
  name: ${name}-1
  labels: { kubernetes.io/service-name: ${name} }
addressType: IPv4
ports: [{ name: main, port: ${port ?? 80} }]
endpoints: [${port === undefined ? '' : "{ addresses: ['127.0.0.1'], conditions: { ready: true } }"}]
---`;

const httpRoute = (name: string, hostname: string, rule: string) => `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { namespace: default, name: ${name} }
spec:
  parentRefs: [{ name: gw }]
  hostnames: [${hostname}]
  rules:
${rule}
---`;

describe('[envoy] traffic where egts follows Envoy Gateway', () => {
  let envoy: EnvoyHandle | undefined;
  let port = 0;
  const servers: (Server | Http2Server)[] = [];

  beforeAll(async () => {
    const [a, b] = [await startBackend('a'), await startBackend('b')];
    const [grpcA, grpcB] = [await startGrpcBackend('grpc-a'), await startGrpcBackend('grpc-b')];
    servers.push(a, b, grpcA, grpcB);
    port = await freePort();
    const yaml = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: eg }
spec: { controllerName: gateway.envoyproxy.io/gatewayclass-controller }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { namespace: default, name: gw }
spec:
  gatewayClassName: eg
  listeners: [{ name: http, protocol: HTTP, port: ${port} }]
---
${service('svc-a', portOf(a))}
${service('svc-b', portOf(b))}
${service('svc-empty', undefined)}
${service('grpc-a', portOf(grpcA), 'kubernetes.io/h2c')}
${service('grpc-b', portOf(grpcB), 'kubernetes.io/h2c')}
${httpRoute('plain', 'plain.test', '  - backendRefs: [{ name: svc-a, port: 80 }]')}
${httpRoute(
  'rewrite',
  'rewrite.test',
  `  - filters:
    - type: URLRewrite
      urlRewrite: { path: { type: ReplacePrefixMatch, replacePrefixMatch: /rewrite } }
    backendRefs: [{ name: svc-a, port: 80 }]`,
)}
${httpRoute('invalid', 'invalid.test', '  - backendRefs: [{ name: missing, port: 80 }]')}
${httpRoute(
  'mixed',
  'mixed.test',
  '  - backendRefs: [{ name: svc-a, port: 80 }, { name: missing, port: 80 }]',
)}
${httpRoute('empty', 'empty.test', '  - backendRefs: [{ name: svc-empty, port: 80 }]')}
${httpRoute(
  'per-backend',
  'per-backend.test',
  `  - backendRefs:
    - name: svc-b
      port: 80
      filters:
      - type: ResponseHeaderModifier
        responseHeaderModifier: { set: [{ name: x-picked, value: b }] }`,
)}
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: { namespace: default, name: grpc }
spec:
  parentRefs: [{ name: gw }]
  hostnames: [grpc.test]
  rules:
  - matches: [{ method: { method: Ping } }]
    backendRefs: [{ name: grpc-a, port: 80 }]
  - matches: [{ method: { service: pkg.Svc } }]
    backendRefs: [{ name: grpc-b, port: 80 }]
`;
    const { resources } = loadResourcesFromText(yaml, 'parity.yaml', { lenient: true });
    const [ir] = translate(resources, { now: new Date() }).xdsIR;
    if (ir === undefined) throw new Error('no xDS IR');
    envoy = startEnvoy({
      config: bootstrapToJson(translateBootstrap(ir)) as object,
      logLevel: 'warn',
    });
    await envoy.ready();
  }, 60_000);

  afterAll(async () => {
    await envoy?.stop();
    await Promise.all(
      servers.map((server) => new Promise((resolve) => server.close(() => resolve(undefined)))),
    );
  });

  it('refuses a request header with `_` in its name (400)', async () => {
    expect((await get(port, 'plain.test', '/', { x_forwarded_user: 'me' })).status).toBe(400);
    expect((await get(port, 'plain.test', '/', { 'x-forwarded-user': 'me' })).status).toBe(200);
  });

  it("keeps the backend's server header and sends no x-envoy-* response header", async () => {
    const reply = await get(port, 'plain.test', '/');
    expect(reply.headers.server).toBe('backend-a');
    expect(Object.keys(reply.headers).filter((name) => name.startsWith('x-envoy-'))).toEqual([]);
  });

  it('puts the replacement in place of a "/" prefix match (prefix_rewrite)', async () => {
    expect(JSON.parse((await get(port, 'rewrite.test', '/foo')).body).path).toBe('/rewritefoo');
    expect(JSON.parse((await get(port, 'rewrite.test', '/')).body).path).toBe('/rewrite');
  });

  it('answers 500 for invalid backends and 503 for a backend without endpoints', async () => {
    expect((await get(port, 'invalid.test', '/')).status).toBe(500);
    expect((await get(port, 'empty.test', '/')).status).toBe(503);
    // Half the traffic to an invalid backend: both answers show up (all alike: 2^-39).
    const statuses = new Set<number>();
    for (let i = 0; i < 40; i++) statuses.add((await get(port, 'mixed.test', '/')).status);
    expect([...statuses].sort()).toEqual([200, 500]);
  });

  it("applies a backendRef's own response header filter", async () => {
    const reply = await get(port, 'per-backend.test', '/');
    expect(JSON.parse(reply.body).backend).toBe('b');
    expect(reply.headers['x-picked']).toBe('b');
  });

  it('matches a gRPC method by :path suffix and a service by path-separated prefix', async () => {
    expect(await grpcCall(port, '/any.Service/Ping')).toBe('grpc-a');
    // A method alone matches at the end of any path, as Envoy Gateway matches it.
    expect(await grpcCall(port, '/a/b/Ping')).toBe('grpc-a');
    expect(await grpcCall(port, '/pkg.Svc/Other')).toBe('grpc-b');
    expect(await grpcCall(port, '/pkg.Svc')).toBe('grpc-b');
    // No route: Envoy answers gRPC requests itself with UNIMPLEMENTED (12).
    expect(await grpcCall(port, '/pkg.SvcOther/Call')).toBe('grpc-status 12');
  });
});
