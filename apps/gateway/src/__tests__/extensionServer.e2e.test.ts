// The extension server end to end through real Envoy (issue #20): egts runs with an EnvoyGateway
// `extensionManager` pointing at a stand-in extension (extensionServer.ts) and serves what its
// hooks make of each resource: a route it modified (PostRouteModify, with the HeaderFilter the
// rule names), a route it added to the virtual host (PostVirtualHostModify), the listener's
// server name (PostHTTPListenerModify, with the ListenerPolicy targeting the Gateway), a
// cluster it added (PostTranslateModify) and the cluster of a custom backendRef it filled in
// (PostClusterModify, with the LocalBackend the rule names; a missing one answers 500) and the
// endpoints it moved (PostEndpointsModify). Then the extension goes down: with failOpen false the
// Gateway keeps its last configuration (a new route is not served) until the extension is back;
// with failOpen true updates go out unmodified.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extensionManagerSchema } from '@egts/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogging } from '../logging.js';
import type { RunningGateway } from '../run/gatewayOptions.js';
import { runHostGateway } from '../run/hostGateway.js';
import {
  EXT_CLUSTER_PREFIX,
  EXT_ROUTE_PREFIX,
  type StandInExtensionServer,
  startExtensionServer,
} from './extensionServer.js';
import { Backends, freePort, gatewayWith, route, service, waitFor } from './throughEnvoy.js';

const root = mkdtempSync(join(tmpdir(), 'egts-extension-'));
const backends = new Backends();
let appPort = 0;
let otherPort = 0;
let customPort = 0;
let movedPort = 0;

/** The resources: a route through the extension's HeaderFilter, its policy on the Gateway. */
const resources = (listenerPort: number, extra = '') =>
  gatewayWith(
    listenerPort,
    `${service('app', appPort)}---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: app, namespace: default}
spec:
  parentRefs: [{name: eg}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /app}}]
    filters: [{type: ExtensionRef, extensionRef: {group: example.extensions.io, kind: HeaderFilter, name: add-header}}]
    backendRefs: [{name: app, port: ${appPort}}]
  - matches: [{path: {type: PathPrefix, value: /custom}}]
    backendRefs: [{group: example.extensions.io, kind: LocalBackend, name: local}]
  - matches: [{path: {type: PathPrefix, value: /missing-custom}}]
    backendRefs: [{group: example.extensions.io, kind: LocalBackend, name: missing}]
---
${route('moved', '/moved', 'app', appPort)}
---
apiVersion: example.extensions.io/v1alpha1
kind: LocalBackend
metadata: {name: local, namespace: default}
spec: {port: ${customPort}}
---
apiVersion: example.extensions.io/v1alpha1
kind: HeaderFilter
metadata: {name: add-header, namespace: default}
spec: {header: {name: x-ext, value: route-hook}}
---
apiVersion: example.extensions.io/v1alpha1
kind: ListenerPolicy
metadata: {name: listener-policy, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: eg}]
  serverName: ext-listener
  backendPort: ${otherPort}
${extra}`,
  );

const extensionManager = (port: number, failOpen: boolean) =>
  extensionManagerSchema.parse({
    resources: [{ group: 'example.extensions.io', version: 'v1alpha1', kind: 'HeaderFilter' }],
    policyResources: [
      { group: 'example.extensions.io', version: 'v1alpha1', kind: 'ListenerPolicy' },
    ],
    backendResources: [
      { group: 'example.extensions.io', version: 'v1alpha1', kind: 'LocalBackend' },
    ],
    hooks: {
      xdsTranslator: {
        post: ['Route', 'VirtualHost', 'HTTPListener', 'Translation', 'Cluster', 'Endpoints'],
      },
    },
    service: { fqdn: { hostname: '127.0.0.1', port } },
    failOpen,
    retry: { maxAttempts: 2, initialBackoff: '0.1s', maxBackoff: '0.5s' },
  });

interface Answer {
  status: number;
  body: string;
  headers: Headers;
}

const get = async (port: number, path: string): Promise<Answer> => {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      signal: AbortSignal.timeout(5_000),
    });
    return { status: res.status, body: await res.text(), headers: res.headers };
  } catch {
    return { status: 0, body: '', headers: new Headers() };
  }
};

const translationErrors = async (gateway: RunningGateway): Promise<number> => {
  const text = await (await fetch(`http://127.0.0.1:${gateway.adminPort}/metrics`)).text();
  return Number(/^egts_translation_errors_total (\d+)/m.exec(text)?.[1] ?? 0);
};

const start = async (
  name: string,
  listenerPort: number,
  extensionPort: number,
  failOpen: boolean,
) => {
  const file = join(root, `${name}.yaml`);
  writeFileSync(file, resources(listenerPort));
  const gateway = await runHostGateway({
    paths: [file],
    xds: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0 },
    stateDir: join(root, `state-${name}`),
    extensionManager: extensionManager(extensionPort, failOpen),
    logging: createLogging({ default: 'error' }),
  });
  return { file, gateway };
};

beforeAll(async () => {
  appPort = await backends.start('app');
  otherPort = await backends.start('other');
  customPort = await backends.start('custom');
  movedPort = await backends.start('moved');
});

afterAll(() => {
  backends.close();
  rmSync(root, { recursive: true, force: true });
});

describe('extension server (e2e through Envoy)', () => {
  let extension: StandInExtensionServer | undefined;
  let gateway: RunningGateway | undefined;

  afterAll(async () => {
    await gateway?.close();
    await extension?.close();
  });

  it('serves what the hooks made; failOpen false keeps the last configuration while the extension is down', async () => {
    extension = await startExtensionServer(0, { movedPort });
    const extensionPort = extension.port;
    const listenerPort = await freePort();
    const started = await start('closed', listenerPort, extensionPort, false);
    gateway = started.gateway;

    // PostRouteModify: the route the HeaderFilter names carries the extension's headers.
    await waitFor(
      'the route modified by the extension',
      async () => (await get(listenerPort, '/app')).headers.get('x-ext') === 'route-hook',
      () => JSON.stringify(Object.fromEntries(extension?.calls ?? [])),
      90_000,
    );
    const app = await get(listenerPort, '/app');
    expect(app.status).toBe(200);
    expect(JSON.parse(app.body)).toMatchObject({ backend: 'app' });
    expect(app.headers.get('x-ext-hostnames')).toBe('*');
    // PostHTTPListenerModify: the listener the ListenerPolicy targets names itself as it says.
    expect(app.headers.get('server')).toBe('ext-listener');
    // PostVirtualHostModify: a route the extension added to the virtual host.
    expect(await get(listenerPort, EXT_ROUTE_PREFIX)).toMatchObject({
      status: 200,
      body: 'from the extension',
    });
    // PostTranslateModify: a cluster the extension added, which its route uses.
    const viaCluster = await get(listenerPort, EXT_CLUSTER_PREFIX);
    expect(viaCluster.status).toBe(200);
    expect(JSON.parse(viaCluster.body)).toMatchObject({ backend: 'other' });
    // PostClusterModify: the custom backend's cluster, pointed by the extension at its backend.
    const custom = await get(listenerPort, '/custom');
    expect(custom.status).toBe(200);
    expect(JSON.parse(custom.body)).toMatchObject({ backend: 'custom' });
    expect(extension.calls.get('PostClusterModify') ?? 0).toBeGreaterThan(0);
    // A custom backendRef to an object that is not there: 500, as Envoy Gateway.
    expect((await get(listenerPort, '/missing-custom')).status).toBe(500);
    // PostEndpointsModify: the route `moved` goes to the Service app, whose endpoints the
    // extension replaced; the route `app` to the same Service is left alone.
    const moved = await get(listenerPort, '/moved');
    expect(moved.status).toBe(200);
    expect(JSON.parse(moved.body)).toMatchObject({ backend: 'moved' });

    // The extension goes down; a new route arrives: the update fails and nothing changes.
    await extension.close();
    const errorsBefore = await translationErrors(gateway);
    writeFileSync(
      started.file,
      resources(listenerPort, `---\n${route('added', '/added', 'app', appPort)}`),
    );
    await waitFor(
      'the failed update',
      async () => (await translationErrors(gateway as RunningGateway)) > errorsBefore,
      () => '',
      90_000,
    );
    expect((await get(listenerPort, '/added')).status).toBe(404);
    expect((await get(listenerPort, '/app')).headers.get('x-ext')).toBe('route-hook');

    // Back up on its port, the next update goes through it again.
    extension = await startExtensionServer(extensionPort, { movedPort });
    writeFileSync(
      started.file,
      resources(listenerPort, `---\n${route('added', '/added2', 'app', appPort)}`),
    );
    await waitFor(
      'the update once the extension is back',
      async () => (await get(listenerPort, '/added2')).status === 200,
      () => '',
      90_000,
    );
    expect((await get(listenerPort, '/app')).headers.get('x-ext')).toBe('route-hook');
  });
});

describe('extension server down with failOpen (e2e through Envoy)', () => {
  let gateway: RunningGateway | undefined;

  afterAll(async () => {
    await gateway?.close();
  });

  it('serves the resources unmodified', async () => {
    // Nothing listens on this port: every hook fails.
    const extensionPort = await freePort();
    const listenerPort = await freePort();
    gateway = (await start('open', listenerPort, extensionPort, true)).gateway;
    await waitFor(
      'the route, unmodified',
      async () => (await get(listenerPort, '/app')).status === 200,
      () => '',
      90_000,
    );
    const app = await get(listenerPort, '/app');
    expect(JSON.parse(app.body)).toMatchObject({ backend: 'app' });
    expect(app.headers.get('x-ext')).toBeNull();
    expect(app.headers.get('server')).not.toBe('ext-listener');
    expect((await get(listenerPort, EXT_ROUTE_PREFIX)).status).toBe(404);
  });
});
