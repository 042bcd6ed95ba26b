// A local stand-in for Envoy Gateway's e2e envoy-ext-auth server: the same decisions over HTTP
// (container port 8080) and over gRPC (envoy.service.auth.v3.Authorization, container port
// 9002, TLS with the certificate the Deployment mounts from its Secret). A request whose
// Authorization is `Bearer <token>` for a known token is allowed with `x-current-user` (the
// token's user); HTTP also answers `x-ext-auth-req-path`, gRPC `x-eg-route-name` and
// `x-eg-route-annotation-<key>` from the route metadata Envoy sends (`includeRouteMetadata`).
// Anything else is denied (HTTP 403, gRPC PERMISSION_DENIED). The users are the e2e server's:
// token1..3 -> user1..3. `DELAY_DURATION` in the container's env delays every answer. Beyond
// the e2e server, gRPC also answers `x-ext-auth-context-<key>` for each context extension it
// was sent, so that egts's tests can see what Envoy sent.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CheckResponse } from '@egts/envoy-api';
import { type AuthorizationServer, AuthorizationService } from '@egts/envoy-api/services';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import type { KubeObject, StandInServer } from './cluster.js';
import { mountedCertificate } from './mountedCertificate.js';

const USERS: Readonly<Record<string, string>> = {
  token1: 'user1',
  token2: 'user2',
  token3: 'user3',
};
const HTTP_PORT = 8080;
const GRPC_PORT = 9002;
/** google.rpc.Code */
const OK = 0;
const PERMISSION_DENIED = 7;

const userOf = (authorization: string | undefined): string | undefined => {
  const [scheme, token, ...rest] = (authorization ?? '').split(' ');
  if (scheme !== 'Bearer' || token === undefined || rest.length > 0) return undefined;
  return Object.hasOwn(USERS, token) ? USERS[token] : undefined;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface PodSpec {
  containers?: Array<{ env?: Array<{ name: string; value?: string }> }>;
}

const podSpec = (deployment: KubeObject): PodSpec =>
  ((deployment.spec?.template ?? {}) as { spec?: PodSpec }).spec ?? {};

/** DELAY_DURATION as the Go server reads it (a Go duration; 10 s when it does not parse). */
const delayMs = (deployment: KubeObject): number => {
  const value = podSpec(deployment)
    .containers?.flatMap((c) => c.env ?? [])
    .find((e) => e.name === 'DELAY_DURATION')?.value;
  if (!value) return 0;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(value);
  if (!match) return 10_000;
  return Number(match[1]) * { ms: 1, s: 1000, m: 60_000 }[match[2] as 'ms' | 's' | 'm'];
};

/** Envoy Gateway's route metadata (filter metadata `envoy-gateway`.resources[0]), when sent. */
const routeMetadata = (
  metadata: { [key: string]: { [key: string]: unknown } | undefined } | undefined,
): { name?: string; annotations?: Record<string, string> } | undefined => {
  const resources = metadata?.['envoy-gateway']?.resources;
  return Array.isArray(resources) ? (resources[0] as { name?: string }) : undefined;
};

const grpcAuthorization = (delay: number): AuthorizationServer => ({
  check: (call, callback) => {
    const attributes = call.request.attributes;
    const user = userOf(attributes?.request?.http?.headers?.authorization);
    const answer = (): CheckResponse => {
      if (user === undefined)
        return { status: { code: PERMISSION_DENIED, message: '', details: [] } };
      const headers = [['x-current-user', user]];
      const route = routeMetadata(attributes?.routeMetadataContext?.filterMetadata);
      if (route?.name) headers.push(['x-eg-route-name', route.name]);
      for (const key of Object.keys(route?.annotations ?? {}).sort())
        headers.push([`x-eg-route-annotation-${key}`, route?.annotations?.[key] ?? '']);
      const context = attributes?.contextExtensions ?? {};
      for (const key of Object.keys(context).sort())
        headers.push([`x-ext-auth-context-${key}`, context[key] ?? '']);
      return {
        status: { code: OK, message: '', details: [] },
        okResponse: {
          headers: headers.map(([key, value]) => ({
            header: { key: key!, value: value!, rawValue: Buffer.alloc(0) },
            append: false,
            appendAction: 0,
            keepEmptyValue: false,
          })),
          headersToRemove: [],
          responseHeadersToAdd: [],
          queryParametersToSet: [],
          queryParametersToRemove: [],
        },
      };
    };
    sleep(delay).then(() => callback(null, answer()));
  },
});

const startGrpc = (
  delay: number,
  certificate: { cert: Buffer; key: Buffer },
): Promise<{ port: number; server: Server }> =>
  new Promise((resolve, reject) => {
    const server = new Server();
    server.addService(AuthorizationService, grpcAuthorization(delay));
    const credentials = ServerCredentials.createSsl(null, [
      { cert_chain: certificate.cert, private_key: certificate.key },
    ]);
    server.bindAsync('127.0.0.1:0', credentials, (error, port) =>
      error ? reject(error) : resolve({ port, server }),
    );
  });

export const startExtAuthServer = async (
  namespace: string,
  pod: string,
  deployment: KubeObject,
  get: (kind: string, namespace: string, name: string) => KubeObject | undefined,
): Promise<StandInServer & { namespace: string; pod: string }> => {
  const delay = delayMs(deployment);
  const http = createServer((req, res) => {
    const user = userOf(req.headers.authorization);
    sleep(delay).then(() => {
      if (user === undefined) {
        res.writeHead(403).end();
        return;
      }
      res
        .writeHead(200, {
          'x-current-user': user,
          'x-ext-auth-req-path': new URL(req.url ?? '/', 'http://auth').pathname,
        })
        .end();
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const httpPort = (http.address() as AddressInfo).port;
  const certificate = mountedCertificate(deployment, namespace, get);
  const grpc = certificate ? await startGrpc(delay, certificate) : undefined;
  return {
    namespace,
    pod,
    port: httpPort,
    ports: { [HTTP_PORT]: httpPort, ...(grpc ? { [GRPC_PORT]: grpc.port } : {}) },
    close: async () => {
      grpc?.server.forceShutdown();
      http.closeAllConnections();
      await new Promise<void>((done) => http.close(() => done()));
    },
  };
};
