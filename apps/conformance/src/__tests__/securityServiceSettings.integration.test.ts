// A SecurityPolicy service's backendSettings change what Envoy does, through real Envoy: the remote
// JWKS server, the HTTP and gRPC authorization services and the OpenID provider's token endpoint
// below speak only behind a PROXY protocol v2 header, so a policy whose backendSettings ask for
// `proxyProtocol: {version: V2}` works (the token is checked, the request allowed, the code
// exchanged) and the same policy without it fails closed. The remote JWKS is named by the
// deprecated singular `backendRef` (its URI's host resolves nowhere). A gRPC authorization service failing
// every other check is retried as backendSettings.retry asks (every request allowed), and not
// retried without it (half refused). An OpenID provider's requestTimeout bounds its token
// request: a late token endpoint fails the login with 300 ms, not with the default 10 s.
// The cluster setting reaches each service as it reaches a route's cluster under a
// BackendTrafficPolicy (securityServiceSettings.test.ts compares every group).
import { createSign, generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createServer as createH2Server, type Http2Server } from 'node:http2';
import { connect, createServer as createTcpServer } from 'node:net';
import type { EnvoyHandle } from '@egts/envoy-binary';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../internal/freePort.js';
import { startStaticEnvoy } from '../internal/staticEnvoy.js';
import {
  closeAll,
  gatewayManifests,
  get,
  ok,
  route,
  service,
  startBackend,
} from './backendTrafficFixture.js';

const SIGNATURE = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');

/** Connections each stand-in saw, with and without a PROXY v2 header. */
const seen = { proxied: 0, refused: 0 };

/**
 * A TCP server that drops connections without a PROXY v2 header and forwards the rest, header
 * taken off, to the server on `target`.
 */
const behindProxyProtocol = (port: number, target: number): Promise<Server> =>
  new Promise((resolve, reject) => {
    const server = createTcpServer((socket) => {
      let buffered = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        if (buffered.length < 16) return;
        socket.off('data', onData);
        if (!buffered.subarray(0, 12).equals(SIGNATURE)) {
          seen.refused++;
          socket.destroy();
          return;
        }
        seen.proxied++;
        const upstream = connect(target, '127.0.0.1');
        upstream.on('error', () => socket.destroy());
        upstream.write(buffered.subarray(16 + buffered.readUInt16BE(14)));
        socket.pipe(upstream).pipe(socket);
      };
      socket.on('data', onData);
      socket.on('error', () => undefined);
    });
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server as unknown as Server));
  });

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const JWKS = JSON.stringify({
  keys: [{ ...publicKey.export({ format: 'jwk' }), alg: 'RS256', use: 'sig', kid: 'k' }],
});
const b64 = (value: string | Buffer) => Buffer.from(value).toString('base64url');
const head = b64(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: 'k' }));
const body = b64(JSON.stringify({ sub: 'egts', exp: 4_102_444_800 }));
const TOKEN = `${head}.${body}.${b64(createSign('RSA-SHA256').update(`${head}.${body}`).sign(privateKey))}`;

/**
 * JWKS on /jwks.json, tokens on /token (and 1.5 s late on /slow-token); any other request (an
 * authorization check) is allowed.
 */
const httpService = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.url === '/token' || req.url === '/slow-token') {
      res.setHeader('content-type', 'application/json');
      const token = JSON.stringify({
        access_token: 'egts-access',
        token_type: 'Bearer',
        expires_in: 300,
      });
      // The slow token endpoint answers 1.5 s late: within Envoy Gateway's 10 s, not 300 ms.
      if (req.url === '/slow-token') setTimeout(() => res.end(token), 1_500);
      else res.end(token);
      return;
    }
    res.end(req.url === '/jwks.json' ? JWKS : 'allowed');
  });
});
/** A gRPC authorization service that allows everything (an empty CheckResponse: status OK). */
const grpcService = createH2Server();
grpcService.on('stream', (stream) => {
  stream.resume();
  stream.on('end', () => {
    stream.respond(
      { ':status': 200, 'content-type': 'application/grpc' },
      { waitForTrailers: true },
    );
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    stream.end(Buffer.alloc(5));
  });
});

/** A gRPC authorization service that fails every other check (UNAVAILABLE) and allows the rest. */
let checks = 0;
const flakyGrpcService = createH2Server();
flakyGrpcService.on('stream', (stream) => {
  stream.resume();
  stream.on('end', () => {
    checks++;
    if (checks % 2 === 1) {
      stream.respond(
        { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '14' },
        { endStream: true },
      );
      return;
    }
    stream.respond(
      { ':status': 200, 'content-type': 'application/grpc' },
      { waitForTrailers: true },
    );
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    stream.end(Buffer.alloc(5));
  });
});

const securityPolicy = (name: string, spec: string) => `---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: {name: ${name}, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: ${name}}]
${spec}`;
const SECRET = `---
apiVersion: v1
kind: Secret
metadata: {name: client-secret, namespace: default}
data: {client-secret: c2VjcmV0}
`;
const PROXY_PROTOCOL = 'backendSettings: {proxyProtocol: {version: V2}}';

describe('[envoy] SecurityPolicy service backendSettings', () => {
  const servers: Server[] = [];
  let envoy: EnvoyHandle | undefined;
  let port = 0;

  beforeAll(async () => {
    const [appPort, httpPort, grpcPort] = [await freePort(), await freePort(), await freePort()];
    const [httpInner, grpcInner, flakyPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    port = await freePort();
    const listen = (server: Server | Http2Server, at: number) =>
      new Promise<Server>((resolve) =>
        server.listen(at, '127.0.0.1', () => resolve(server as unknown as Server)),
      );
    servers.push(
      await startBackend('app', '127.0.0.1', appPort, ok),
      await listen(httpService, httpInner),
      await listen(grpcService, grpcInner),
      await listen(flakyGrpcService, flakyPort),
      await behindProxyProtocol(httpPort, httpInner),
      await behindProxyProtocol(grpcPort, grpcInner),
    );
    const policies = (settings: string, suffix: string) =>
      `${route(`jwt${suffix}`, 'app', appPort)}${securityPolicy(
        `jwt${suffix}`,
        `  jwt:
    providers:
    - name: p
      remoteJWKS:
        # A host nothing resolves: the JWKS comes through the deprecated singular backendRef.
        uri: http://jwks.invalid:${httpPort}/jwks.json
        backendRef: {name: auth, port: ${httpPort}}
        ${settings}
`,
      )}${route(`http${suffix}`, 'app', appPort)}${securityPolicy(
        `http${suffix}`,
        `  extAuth:
    http:
      backendRefs: [{name: auth, port: ${httpPort}}]
      ${settings}
`,
      )}${route(`grpc${suffix}`, 'app', appPort)}${securityPolicy(
        `grpc${suffix}`,
        `  extAuth:
    grpc:
      backendRefs: [{name: grpcauth, port: ${grpcPort}}]
      ${settings}
`,
      )}${route(`oidc${suffix}`, 'app', appPort)}${securityPolicy(
        `oidc${suffix}`,
        `  oidc:
    provider:
      issuer: http://auth.default.svc
      authorizationEndpoint: http://auth.default.svc/authorize
      tokenEndpoint: http://auth.default.svc:${httpPort}/token
      backendRefs: [{name: auth, port: ${httpPort}}]
      ${settings}
    clientID: client
    clientSecret: {name: client-secret}
    redirectURL: http://www.example.com/oidc${suffix}/oauth2/callback
`,
      )}`;
    /** An OpenID provider whose token endpoint answers late, with `settings`. */
    const slowTokens = (name: string, settings: string) =>
      `${route(name, 'app', appPort)}${securityPolicy(
        name,
        `  oidc:
    provider:
      issuer: http://auth.default.svc
      authorizationEndpoint: http://auth.default.svc/authorize
      tokenEndpoint: http://auth.default.svc:${httpPort}/slow-token
      backendRefs: [{name: auth, port: ${httpPort}}]
      backendSettings: {proxyProtocol: {version: V2}${settings}}
    clientID: client
    clientSecret: {name: client-secret}
    redirectURL: http://www.example.com/${name}/oauth2/callback
`,
      )}`;
    const flaky = (name: string, settings: string) =>
      `${route(name, 'app', appPort)}${securityPolicy(
        name,
        `  extAuth:
    grpc:
      backendRefs: [{name: flaky, port: ${flakyPort}}]
      ${settings}
`,
      )}`;
    const text = `${gatewayManifests(port)}${SECRET}${service('flaky', flakyPort, ['127.0.0.1'])}${flaky(
      'grpc-retry',
      'backendSettings: {retry: {numRetries: 2, retryOn: {triggers: [unavailable]}}}',
    )}${flaky('grpc-once', '')}${slowTokens('oidc-timed', ', timeout: {http: {requestTimeout: 300ms}}')}${slowTokens('oidc-patient', '')}${service('app', appPort, ['127.0.0.1'])}${service(
      'auth',
      httpPort,
      ['127.0.0.1'],
    )}${service('grpcauth', grpcPort, ['127.0.0.1'])}${policies(PROXY_PROTOCOL, '-pp')}${policies(
      '',
      '-plain',
    )}`;
    const started = await startStaticEnvoy(text, 'services.yaml');
    envoy = started.envoy;
    const rejected = started.statuses.filter((s) =>
      JSON.stringify(s.status).includes('"status":"False"'),
    );
    expect(rejected.map((s) => s.metadata.name)).toEqual([]);
  }, 120_000);

  afterAll(async () => {
    await envoy?.stop();
    await closeAll(servers);
  });

  const auth = { authorization: `Bearer ${TOKEN}` };

  it('a remote JWKS behind PROXY protocol is fetched only with proxyProtocol set', async () => {
    expect((await get(port, '/jwt-pp', auth)).status).toBe(200);
    expect((await get(port, '/jwt-pp')).status).toBe(401);
    expect((await get(port, '/jwt-plain', auth)).status).toBe(401);
  }, 60_000);

  it('an HTTP authorization service behind PROXY protocol answers only with proxyProtocol set', async () => {
    expect((await get(port, '/http-pp')).status).toBe(200);
    expect((await get(port, '/http-plain')).status).toBe(403);
  }, 60_000);

  it('a gRPC authorization service behind PROXY protocol answers only with proxyProtocol set', async () => {
    expect((await get(port, '/grpc-pp')).status).toBe(200);
    expect((await get(port, '/grpc-plain')).status).toBe(403);
    expect(seen.proxied).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  }, 60_000);

  /** The status of the callback after a login started on `path` (the token request's outcome). */
  const callback = async (path: string) => {
    const start = await get(port, path, { host: 'www.example.com' });
    expect(start.status).toBe(302);
    const location = new URL(String(start.headers.location));
    const cookies = [start.headers['set-cookie'] ?? []]
      .flat()
      .map((c) => c.split(';')[0])
      .join('; ');
    const state = location.searchParams.get('state') ?? '';
    const reply = await get(
      port,
      `${path}/oauth2/callback?code=c0de&state=${encodeURIComponent(state)}`,
      { host: 'www.example.com', cookie: cookies },
    );
    return {
      status: reply.status,
      location: String(reply.headers.location ?? ''),
      cookies: [reply.headers['set-cookie'] ?? []].flat().map((c) => c.split('=')[0]),
    };
  };

  it('an OpenID provider behind PROXY protocol gives tokens only with proxyProtocol set', async () => {
    // A token: Envoy redirects to the page asked for; none: the OAuth flow fails (401).
    const logged = await callback('/oidc-pp');
    expect(logged.status).toBe(302);
    expect(new URL(logged.location).pathname).toBe('/oidc-pp');
    expect(logged.cookies.some((name) => name?.startsWith('AccessToken'))).toBe(true);
    expect((await callback('/oidc-plain')).status).toBe(401);
  }, 60_000);

  it("a token request outlasting the provider's requestTimeout fails the login", async () => {
    // 300 ms: the token endpoint's late answer is cut off (401); Envoy Gateway's 10 s waits.
    expect((await callback('/oidc-timed')).status).toBe(401);
    const patient = await callback('/oidc-patient');
    expect(patient.status).toBe(302);
    expect(new URL(patient.location).pathname).toBe('/oidc-patient');
  }, 60_000);

  it('a flaky gRPC authorization service is retried as backendSettings.retry asks', async () => {
    for (let i = 0; i < 4; i++) expect((await get(port, '/grpc-retry')).status).toBe(200);
    const once = [];
    for (let i = 0; i < 4; i++) once.push((await get(port, '/grpc-once')).status);
    expect(once.sort()).toEqual([200, 200, 403, 403]);
  }, 60_000);
});
