// OpenID provider discovery in the long-running pipeline: a local HTTP server serves the
// provider's /.well-known/openid-configuration. A SecurityPolicy naming only the issuer is
// Accepted=True once the document is fetched, also when the provider comes up after egts (the
// discoverer retries; no resource changes), and other updates never wait on a fetch.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadResourcesFromText, type ResourceStatus } from '@egts/api';
import { freePort } from '@egts/envoy-binary';
import { createSnapshotCache } from '@egts/xds-server';
import { Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../admin/metrics.js';
import { createLogging } from '../logging.js';
import { createPipeline, type Pipeline } from './createPipeline.js';
import type { ProviderSnapshot } from './ports.js';

const resources = (issuer: string, extraPrefix = '/other') =>
  loadResourcesFromText(
    `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: eg
  listeners: [{name: http, protocol: HTTP, port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: app, namespace: default}
spec: {ports: [{name: http, port: 8080}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: app-1, namespace: default, labels: {kubernetes.io/service-name: app}}
addressType: IPv4
endpoints: [{addresses: [10.0.0.1], conditions: {ready: true}}]
ports: [{name: http, port: 8080}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: protected, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules: [{matches: [{path: {type: PathPrefix, value: /protected}}], backendRefs: [{name: app, port: 8080}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: other, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules: [{matches: [{path: {type: PathPrefix, value: ${extraPrefix}}}], backendRefs: [{name: app, port: 8080}]}]
---
apiVersion: v1
kind: Secret
metadata: {name: client, namespace: default}
stringData: {client-secret: s3cret}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: {name: oidc, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: protected}]
  oidc:
    provider: {issuer: "${issuer}"}
    clientID: egts
    clientSecret: {name: client}
    redirectURL: https://www.example.com/oauth2/callback
`,
    'test',
  );

/** A provider's discovery document server on `port` (0: any), counting requests. */
async function startProvider(
  port = 0,
  host = () => 'idp.example.com',
): Promise<{ server: Server; issuer: string; hits: () => number }> {
  let hits = 0;
  let issuer = '';
  const server = createServer((request, response) => {
    hits += 1;
    if (request.url !== '/.well-known/openid-configuration') {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        issuer,
        authorization_endpoint: `https://${host()}/auth`,
        token_endpoint: `https://${host()}/token`,
        end_session_endpoint: `https://${host()}/logout`,
      }),
    );
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, issuer, hits: () => hits };
}

const accepted = (statuses: readonly ResourceStatus[]) => {
  const policy = statuses.find((s) => s.kind === 'SecurityPolicy' && s.metadata.name === 'oidc');
  const ancestors = (policy?.status.ancestors ?? []) as {
    conditions: { type: string; status: string; message: string }[];
  }[];
  return ancestors[0]?.conditions.find((c) => c.type === 'Accepted');
};

const protectedRoute = (pipeline: Pipeline) =>
  pipeline.xdsIR
    .get('default/gw')
    ?.http.flatMap((listener) => listener.routes)
    .find((route) => route.name.includes('httproute/default/protected/'));

/** Polls `check` until it is true (generous: the machine is busy). */
async function until(check: () => boolean, what: string, timeoutMs = 60_000) {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function setup(discovery: {
  backoffMs?: number;
  maxBackoffMs?: number;
  coldStartWaitMs?: number;
  refreshMs?: number;
}) {
  const provider = new Subject<ProviderSnapshot>();
  const cache = createSnapshotCache();
  const sets: string[] = [];
  const original = cache.setSnapshot.bind(cache);
  cache.setSnapshot = (group, snapshot) => {
    sets.push(group);
    original(group, snapshot);
  };
  const pipeline = createPipeline({
    provider: { resources$: provider },
    cache,
    oidcDiscovery: discovery,
    logging: createLogging({ default: 'silent' }),
    metrics: createMetrics(),
  });
  cleanups.push(() => pipeline.stop());
  return { provider, pipeline, sets };
}

describe('OpenID provider discovery in the pipeline', () => {
  it('serves the policy Accepted from the first translation when the provider answers', async () => {
    const idp = await startProvider();
    cleanups.push(() => new Promise<void>((resolve) => idp.server.close(() => resolve())));
    const { provider, pipeline } = setup({ coldStartWaitMs: 30_000 });
    provider.next(resources(idp.issuer));
    // The cold start waits (bounded) for the first fetch: the first statuses already have it.
    await until(() => pipeline.statuses$.value.length > 0, 'the first translation');
    expect(accepted(pipeline.statuses$.value)).toMatchObject({ status: 'True' });
    const route = protectedRoute(pipeline);
    expect(route?.security?.oidc?.authorizationEndpoint).toBe('https://idp.example.com/auth');
    expect(route?.directResponse).toBeUndefined();
    // The same issuer in the next snapshot: the document is kept, not fetched again.
    provider.next(resources(idp.issuer, '/other2'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(idp.hits()).toBe(1);
  });

  it('retries an issuer that does not answer yet; the policy becomes Accepted without a resource change', async () => {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const { provider, pipeline, sets } = setup({
      backoffMs: 100,
      maxBackoffMs: 500,
      coldStartWaitMs: 30_000,
    });
    provider.next(resources(issuer));
    await until(() => pipeline.statuses$.value.length > 0, 'the first translation');
    // Refused connection: the policy is not accepted and its route fails closed.
    const refused = accepted(pipeline.statuses$.value);
    expect(refused).toMatchObject({ status: 'False' });
    expect(refused?.message).toContain(`discovery of ${issuer} failed`);
    expect(protectedRoute(pipeline)?.directResponse).toEqual({ statusCode: 500 });

    // Another resource's change is translated at once, while the issuer is being retried.
    sets.length = 0;
    provider.next(resources(issuer, '/moved'));
    expect(sets).toEqual(['default/gw']);
    expect(accepted(pipeline.statuses$.value)).toMatchObject({ status: 'False' });

    // The provider comes up after egts: the next retry finds it, with no new snapshot.
    const idp = await startProvider(port);
    cleanups.push(() => new Promise<void>((resolve) => idp.server.close(() => resolve())));
    await until(
      () => accepted(pipeline.statuses$.value)?.status === 'True',
      'the policy to become Accepted',
    );
    const route = protectedRoute(pipeline);
    expect(route?.directResponse).toBeUndefined();
    expect(route?.security?.oidc?.tokenEndpoint).toBe('https://idp.example.com/token');
    expect(idp.hits()).toBe(1);
  });

  it('fetches the document again: endpoints the provider moved reach the route without a resource change', async () => {
    // The product default is Envoy Gateway's (10 minutes); the test asks for a short period.
    let host = 'idp.example.com';
    const idp = await startProvider(0, () => host);
    cleanups.push(() => new Promise<void>((resolve) => idp.server.close(() => resolve())));
    const { provider, pipeline, sets } = setup({ coldStartWaitMs: 30_000, refreshMs: 200 });
    provider.next(resources(idp.issuer));
    await until(() => pipeline.statuses$.value.length > 0, 'the first translation');
    expect(protectedRoute(pipeline)?.security?.oidc?.tokenEndpoint).toBe(
      'https://idp.example.com/token',
    );
    // Refetches of an unchanged document publish nothing.
    sets.length = 0;
    await until(() => idp.hits() >= 3, 'two refetches');
    expect(sets).toEqual([]);
    host = 'idp2.example.com';
    await until(
      () =>
        protectedRoute(pipeline)?.security?.oidc?.tokenEndpoint ===
        'https://idp2.example.com/token',
      'the moved token endpoint',
    );
    expect(protectedRoute(pipeline)?.security?.oidc?.authorizationEndpoint).toBe(
      'https://idp2.example.com/auth',
    );
    expect(sets).toContain('default/gw');
    expect(accepted(pipeline.statuses$.value)).toMatchObject({ status: 'True' });
  });

  it('does not hold an update on a fetch in flight', async () => {
    // A provider that never answers: the cold start gives up after its bound, and every later
    // snapshot is translated at once.
    const hung = createServer(() => {});
    hung.listen(0, '127.0.0.1');
    await once(hung, 'listening');
    cleanups.push(() => {
      hung.closeAllConnections();
      return new Promise<void>((resolve) => hung.close(() => resolve()));
    });
    const issuer = `http://127.0.0.1:${(hung.address() as AddressInfo).port}`;
    const { provider, pipeline, sets } = setup({ coldStartWaitMs: 300 });
    const started = Date.now();
    provider.next(resources(issuer));
    await until(() => pipeline.statuses$.value.length > 0, 'the first translation');
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(accepted(pipeline.statuses$.value)?.message).toContain('was not fetched');
    sets.length = 0;
    provider.next(resources(issuer, '/moved'));
    expect(sets).toEqual(['default/gw']);
  });
});
