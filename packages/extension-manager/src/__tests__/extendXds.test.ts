// Which hook is called on what, with which context, and what its answers change, as Envoy
// Gateway does it (internal/xds/translator/extension.go), against a recording client; the gRPC
// wire is covered end to end through Envoy in apps/gateway (extensionServer.e2e.test.ts).
import { extensionManagerSchema } from '@egts/api';
import {
  Cluster,
  ClusterLoadAssignment,
  type ExtensionResource,
  Listener,
  Route,
  RouteConfiguration,
  Secret,
} from '@egts/envoy-api';
import type { XdsIR } from '@egts/ir';
import type { XdsResources } from '@egts/xds-translator';
import { describe, expect, it } from 'vitest';
import type { ExtensionClient } from '../extensionClient.js';
import {
  createExtensionManager,
  ExtensionHookError,
  extendXds,
  extendXdsChain,
  notAppliedSettings,
} from '../index.js';

const filter = {
  apiVersion: 'example.io/v1',
  kind: 'Filter',
  metadata: { name: 'f', namespace: 'default' },
};
const policy = {
  apiVersion: 'example.io/v1',
  kind: 'Policy',
  metadata: { name: 'p', namespace: 'default' },
};

const ir = {
  name: 'default/eg',
  http: [
    {
      name: 'default/eg/http',
      port: 10080,
      routes: [
        { name: 'with-filter', extensionRefs: [filter] },
        { name: 'plain' },
        { name: 'with-policy', extensionPolicies: [policy] },
      ],
    },
  ],
  tcp: [{ name: 'default/eg/tcp', port: 9000, routes: [] }],
  udp: [],
  extensionServerPolicies: [{ object: policy, listeners: ['default/eg/http'] }],
} as unknown as XdsIR;

const resources: XdsResources = {
  listeners: [
    Listener.fromPartial({ name: 'http', address: { socketAddress: { portValue: 10080 } } }),
    Listener.fromPartial({ name: 'tcp', address: { socketAddress: { portValue: 9000 } } }),
  ],
  routes: [
    RouteConfiguration.fromPartial({
      name: 'default/eg/http',
      virtualHosts: [
        {
          name: 'vh',
          domains: ['example.com'],
          routes: [
            Route.fromPartial({ name: 'with-filter' }),
            Route.fromPartial({ name: 'plain' }),
            Route.fromPartial({ name: 'with-policy' }),
          ],
        },
      ],
    }),
  ],
  clusters: [Cluster.fromPartial({ name: 'c1' })],
  endpoints: [],
  secrets: [Secret.fromPartial({ name: 's1' })],
};

const read = (list: readonly ExtensionResource[] | undefined) =>
  (list ?? []).map((r) => JSON.parse(Buffer.from(r.unstructuredBytes).toString()).kind);

/** A client that records each call and answers as `answers` says (undefined: an unset answer). */
function recordingClient(fail = new Set<string>()) {
  const calls: Array<{ hook: string; name: string; context: unknown }> = [];
  const maybeFail = (hook: string) => {
    if (fail.has(hook)) throw new Error(`${hook} is down`);
  };
  const client: ExtensionClient = {
    async postRouteModify({ route, postRouteContext }) {
      calls.push({
        hook: 'Route',
        name: route?.name ?? '',
        context: {
          refs: read(postRouteContext?.extensionResources),
          policies: read(postRouteContext?.extensionPolicies),
          hostnames: postRouteContext?.hostnames,
        },
      });
      maybeFail('Route');
      return { route: route && { ...route, name: `${route.name}+ext` } };
    },
    async postVirtualHostModify({ virtualHost }) {
      calls.push({ hook: 'VirtualHost', name: virtualHost?.name ?? '', context: undefined });
      maybeFail('VirtualHost');
      return {};
    },
    async postHTTPListenerModify({ listener, postListenerContext }) {
      calls.push({
        hook: 'HTTPListener',
        name: listener?.name ?? '',
        context: read(postListenerContext?.extensionResources),
      });
      maybeFail('HTTPListener');
      return { listener: listener && { ...listener, statPrefix: 'ext' } };
    },
    async postClusterModify({ cluster, postClusterContext }) {
      calls.push({
        hook: 'Cluster',
        name: cluster?.name ?? '',
        context: read(postClusterContext?.backendExtensionResources),
      });
      maybeFail('Cluster');
      return { cluster: cluster && { ...cluster, altStatName: 'ext' } };
    },
    async postEndpointsModify({ loadAssignment, postEndpointsContext }) {
      calls.push({
        hook: 'Endpoints',
        name: loadAssignment?.clusterName ?? '',
        context: postEndpointsContext,
      });
      maybeFail('Endpoints');
      return {
        loadAssignment: loadAssignment && {
          ...loadAssignment,
          endpoints: loadAssignment.endpoints.map((e) => ({ ...e, priority: 7 })),
        },
      };
    },
    async postTranslateModify(request) {
      calls.push({
        hook: 'Translation',
        name: '',
        context: {
          policies: read(request.postTranslateContext?.extensionResources),
          clusters: request.clusters.map((c) => c.name),
          secrets: request.secrets.map((s) => s.name),
          listeners: request.listeners.map((l) => l.name),
        },
      });
      maybeFail('Translation');
      return {
        clusters: [...request.clusters, Cluster.fromPartial({ name: 'added' })],
        secrets: request.secrets,
        listeners: [],
        routes: [],
      };
    },
    close() {},
  };
  return { client, calls };
}

const manager = (post: string[], extra: Record<string, unknown> = {}) =>
  extensionManagerSchema.parse({
    hooks: { xdsTranslator: { post, ...extra } },
    service: { fqdn: { hostname: '127.0.0.1', port: 1 } },
  });

describe('extendXds', () => {
  it('calls each subscribed hook where Envoy Gateway does, with its context, and applies the answers', async () => {
    const { client, calls } = recordingClient();
    const before = JSON.stringify(resources);
    const { resources: out, errors } = await extendXds(
      client,
      manager(['Route', 'VirtualHost', 'HTTPListener', 'Translation']),
      ir,
      resources,
    );
    expect(errors).toEqual([]);
    // Route: only routes whose rule names an extension filter or that an extension policy
    // targets, with those objects and the vhost's domains.
    expect(calls.filter((c) => c.hook === 'Route')).toEqual([
      {
        hook: 'Route',
        name: 'with-filter',
        context: { refs: ['Filter'], policies: [], hostnames: ['example.com'] },
      },
      {
        hook: 'Route',
        name: 'with-policy',
        context: { refs: [], policies: ['Policy'], hostnames: ['example.com'] },
      },
    ]);
    expect(out.routes[0]?.virtualHosts[0]?.routes.map((r) => r.name)).toEqual([
      'with-filter+ext',
      'plain',
      'with-policy+ext',
    ]);
    // VirtualHost: every one; an unset answer leaves it as it was.
    expect(calls.filter((c) => c.hook === 'VirtualHost').map((c) => c.name)).toEqual(['vh']);
    // HTTPListener: every listener, with the policies targeting the IR listeners on its port.
    expect(calls.filter((c) => c.hook === 'HTTPListener')).toEqual([
      { hook: 'HTTPListener', name: 'http', context: ['Policy'] },
      { hook: 'HTTPListener', name: 'tcp', context: [] },
    ]);
    expect(out.listeners.map((l) => l.statPrefix)).toEqual(['ext', 'ext']);
    // Translation: clusters and secrets (not listeners by default), every policy; its lists replace.
    expect(calls.find((c) => c.hook === 'Translation')?.context).toEqual({
      policies: ['Policy'],
      clusters: ['c1'],
      secrets: ['s1'],
      listeners: [],
    });
    expect(out.clusters.map((c) => c.name)).toEqual(['c1', 'added']);
    expect(out.listeners).toHaveLength(2);
    expect(JSON.stringify(resources)).toBe(before);
  });

  it('calls only the hooks the extension subscribes to; includeAll sends the listeners', async () => {
    const { client, calls } = recordingClient();
    const { resources: out } = await extendXds(
      client,
      manager(['Translation'], { translation: { listener: { includeAll: true } } }),
      ir,
      resources,
    );
    expect(calls.map((c) => c.hook)).toEqual(['Translation']);
    expect((calls[0]?.context as { listeners?: string[] } | undefined)?.listeners).toEqual([
      'http',
      'tcp',
    ]);
    // The extension returned no listeners for the listeners it was sent: they are replaced.
    expect(out.listeners).toEqual([]);
  });

  it('collects a failed hook and leaves what it concerned unmodified', async () => {
    const { client } = recordingClient(new Set(['Route']));
    const { resources: out, errors } = await extendXds(client, manager(['Route']), ir, resources);
    expect(errors).toEqual([
      'PostRouteModify with-filter: Route is down',
      'PostRouteModify with-policy: Route is down',
    ]);
    expect(out.routes[0]?.virtualHosts[0]?.routes.map((r) => r.name)).toEqual([
      'with-filter',
      'plain',
      'with-policy',
    ]);
  });
});

describe('PostClusterModify', () => {
  const bucket = (name: string) => ({
    apiVersion: 'storage.example.io/v1',
    kind: 'Bucket',
    metadata: { name, namespace: 'default' },
  });
  const setting = (name: string, weight: number, customBackend?: object) => ({
    name,
    weight,
    protocol: 'HTTP',
    addressType: 'IP',
    endpoints: [],
    ...(customBackend ? { customBackend } : {}),
  });
  const customIr = {
    name: 'default/eg',
    http: [
      {
        name: 'default/eg/http',
        port: 10080,
        routes: [
          // One custom backend: the destination's own cluster.
          {
            name: 'single',
            destination: {
              name: 'single-dest',
              settings: [setting('single-dest/backend/0', 1, bucket('a'))],
            },
          },
          // A split between a Service and a custom backend: per-backend clusters.
          {
            name: 'split',
            destination: {
              name: 'split-dest',
              settings: [
                setting('split-dest/backend/0', 1),
                setting('split-dest/backend/1', 1, bucket('b')),
              ],
            },
          },
          {
            name: 'plain',
            destination: { name: 'plain-dest', settings: [setting('plain-dest/backend/0', 1)] },
          },
        ],
      },
    ],
    tcp: [],
    udp: [],
  } as unknown as XdsIR;
  const clusters = [
    'single-dest',
    'split-dest/backend/0',
    'split-dest/backend/1',
    'plain-dest',
  ].map((name) => Cluster.fromPartial({ name }));

  it('hands each custom backend cluster its objects and takes the answer, others untouched', async () => {
    const { client, calls } = recordingClient();
    const { resources: out, errors } = await extendXds(client, manager(['Cluster']), customIr, {
      ...resources,
      clusters,
    });
    expect(errors).toEqual([]);
    expect(calls).toEqual([
      { hook: 'Cluster', name: 'single-dest', context: ['Bucket'] },
      { hook: 'Cluster', name: 'split-dest/backend/1', context: ['Bucket'] },
    ]);
    expect(out.clusters.map((c) => [c.name, c.altStatName])).toEqual([
      ['single-dest', 'ext'],
      ['split-dest/backend/0', ''],
      ['split-dest/backend/1', 'ext'],
      ['plain-dest', ''],
    ]);
  });

  it('is not called unless subscribed; a failure is collected and the cluster left as it was', async () => {
    const idle = recordingClient();
    await extendXds(idle.client, manager(['Route']), customIr, { ...resources, clusters });
    expect(idle.calls.filter((c) => c.hook === 'Cluster')).toEqual([]);
    const { client } = recordingClient(new Set(['Cluster']));
    const { resources: out, errors } = await extendXds(client, manager(['Cluster']), customIr, {
      ...resources,
      clusters,
    });
    expect(errors).toEqual([
      'PostClusterModify single-dest: Cluster is down',
      'PostClusterModify split-dest/backend/1: Cluster is down',
    ]);
    expect(out.clusters).toEqual(clusters);
  });
});

describe('PostEndpointsModify', () => {
  const endpoints = ['c1', 'c2'].map((clusterName) =>
    ClusterLoadAssignment.fromPartial({
      clusterName,
      endpoints: [
        { lbEndpoints: [{ endpoint: { address: { socketAddress: { portValue: 8080 } } } }] },
      ],
    }),
  );

  it('hands each ClusterLoadAssignment over, with an empty context, and takes the answer', async () => {
    const { client, calls } = recordingClient();
    const { resources: out, errors } = await extendXds(
      client,
      manager(['Cluster', 'Endpoints', 'HTTPListener']),
      ir,
      { ...resources, endpoints },
    );
    expect(errors).toEqual([]);
    // After the cluster hook (no custom backends here), before the listener hook.
    expect(calls.map((c) => [c.hook, c.name])).toEqual([
      ['Endpoints', 'c1'],
      ['Endpoints', 'c2'],
      ['HTTPListener', 'http'],
      ['HTTPListener', 'tcp'],
    ]);
    expect(calls[0]?.context).toEqual({});
    expect(out.endpoints.map((e) => e.endpoints[0]?.priority)).toEqual([7, 7]);
  });

  it('is not called unless subscribed; a failure is collected and the endpoints left as they were', async () => {
    const idle = recordingClient();
    await extendXds(idle.client, manager(['Route']), ir, { ...resources, endpoints });
    expect(idle.calls.filter((c) => c.hook === 'Endpoints')).toEqual([]);
    const { client } = recordingClient(new Set(['Endpoints']));
    const { resources: out, errors } = await extendXds(client, manager(['Endpoints']), ir, {
      ...resources,
      endpoints,
    });
    expect(errors).toEqual([
      'PostEndpointsModify c1: Endpoints is down',
      'PostEndpointsModify c2: Endpoints is down',
    ]);
    expect(out.endpoints).toEqual(endpoints);
  });
});

describe('createExtensionManager', () => {
  const unreachable = (failOpen: boolean) =>
    createExtensionManager(
      extensionManagerSchema.parse({
        hooks: { xdsTranslator: { post: ['VirtualHost'] } },
        // Port 1 on loopback: nothing listens; every call fails.
        service: { ip: { address: '127.0.0.1', port: 1 } },
        retry: { maxAttempts: 2, initialBackoff: '0.01s', maxBackoff: '0.02s' },
        failOpen,
      }),
      { callTimeoutMs: 5_000 },
    );

  it('fails the update when the extension is down and failOpen is off', async () => {
    const manager = unreachable(false);
    await expect(manager.extend(ir, resources)).rejects.toBeInstanceOf(ExtensionHookError);
    manager.close();
  });

  it('sends the resources unmodified when the extension is down and failOpen is on', async () => {
    const manager = unreachable(true);
    expect(await manager.extend(ir, resources)).toEqual(resources);
    manager.close();
  });

  it('calls nothing without subscribed hooks', async () => {
    const manager = createExtensionManager(manager0());
    expect(await manager.extend(ir, resources)).toBe(resources);
  });
});

const manager0 = () => manager([]);

describe('notAppliedSettings', () => {
  it('names the pre-translation hooks, which egts does not call', () => {
    const config = extensionManagerSchema.parse({
      backendResources: [{ group: 'example.io', version: 'v1', kind: 'Bucket' }],
      hooks: { xdsTranslator: { pre: ['Route'], post: ['Route', 'Cluster'] } },
      service: { unix: { path: '/tmp/ext.sock' } },
    });
    expect(notAppliedSettings(config)).toEqual(['hooks.xdsTranslator.pre']);
    expect(notAppliedSettings(manager(['Route', 'Translation']))).toEqual([]);
  });
});

describe('EnvoyPatchPolicy order', () => {
  it('patches after the listener hook and before the translation hook, as Envoy Gateway', async () => {
    const { client } = recordingClient();
    const patchedIR = {
      ...ir,
      envoyPatchPolicies: [
        {
          namespace: 'default',
          name: 'after-listener-hook',
          patches: [
            {
              type: 'type.googleapis.com/envoy.config.listener.v3.Listener',
              name: 'http',
              op: 'replace' as const,
              path: '/stat_prefix',
              value: 'patched',
            },
          ],
        },
        {
          namespace: 'default',
          name: 'before-translation-hook',
          patches: [
            {
              type: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
              name: 'added',
              op: 'replace' as const,
              path: '/name',
              value: 'renamed',
            },
          ],
        },
      ],
    } as XdsIR;
    const { resources: out } = await extendXds(
      client,
      manager(['HTTPListener', 'Translation']),
      patchedIR,
      resources,
    );
    expect(out.listeners.map((l) => l.statPrefix)).toEqual(['patched', 'ext']);
    // The cluster the translation hook adds did not exist yet when the patches ran.
    expect(out.clusters.map((c) => c.name)).toEqual(['c1', 'added']);
    expect(out.envoyPatchPolicies?.map((o) => [o.name, o.reason])).toEqual([
      ['after-listener-hook', 'Programmed'],
      ['before-translation-hook', 'ResourceNotFound'],
    ]);
  });
});

describe("a chain of extensions (extensionManagers), as Envoy Gateway's composite hook client", () => {
  const chained = (name: string, extra: Record<string, unknown> = {}) =>
    extensionManagerSchema.parse({
      hooks: { xdsTranslator: { post: ['Route'] } },
      service: { fqdn: { hostname: name, port: 1 } },
      ...extra,
    });
  const routeNamed = (r: XdsResources, name: string) =>
    r.routes[0]?.virtualHosts[0]?.routes.find((x) => x.name.startsWith(name))?.name;

  it('calls each in order on what the previous returned, each with its own kinds', async () => {
    const a = recordingClient();
    const b = recordingClient();
    const result = await extendXdsChain(
      [
        {
          client: a.client,
          manager: chained('a', {
            resources: [{ group: 'example.io', version: 'v1', kind: 'Filter' }],
            policyResources: [{ group: 'example.io', version: 'v1', kind: 'Other' }],
          }),
          name: 'a',
        },
        { client: b.client, manager: chained('b'), name: 'b' },
      ],
      ir,
      resources,
    );
    expect(result.errors).toEqual([]);
    expect(routeNamed(result.resources, 'with-filter')).toBe('with-filter+ext+ext');
    // b was sent a's route; a only the objects of its kinds, b (no kinds declared) all.
    expect(b.calls.find((c) => c.hook === 'Route' && c.name.startsWith('with-filter'))?.name).toBe(
      'with-filter+ext',
    );
    expect(a.calls.find((c) => c.name === 'with-policy')?.context).toMatchObject({ policies: [] });
    expect(b.calls.find((c) => c.name.startsWith('with-policy'))?.context).toMatchObject({
      policies: ['Policy'],
    });
  });

  it('skips a failed extension that fails open; one that does not fails the update', async () => {
    const down = recordingClient(new Set(['Route']));
    const b = recordingClient();
    const open = await extendXdsChain(
      [
        { client: down.client, manager: chained('a', { failOpen: true }), name: 'a' },
        { client: b.client, manager: chained('b'), name: 'b' },
      ],
      ir,
      resources,
    );
    expect(routeNamed(open.resources, 'with-filter')).toBe('with-filter+ext');
    expect(open.errors[0]).toMatch(/^extension a: PostRouteModify with-filter/);
    expect(open.fatal).toEqual([]);
    const closed = await extendXdsChain(
      [
        { client: down.client, manager: chained('a'), name: 'a' },
        { client: b.client, manager: chained('b', { failOpen: true }), name: 'b' },
      ],
      ir,
      resources,
    );
    expect(closed.fatal.length).toBeGreaterThan(0);
  });

  it('stops at an extension that fails and does not fail open: the ones after it are not called', async () => {
    const a = recordingClient();
    const down = recordingClient(new Set(['Route']));
    const c = recordingClient();
    const result = await extendXdsChain(
      [
        { client: a.client, manager: chained('a'), name: 'a' },
        { client: down.client, manager: chained('b'), name: 'b' },
        { client: c.client, manager: chained('c'), name: 'c' },
      ],
      ir,
      resources,
    );
    expect(result.fatal[0]).toMatch(/^extension b: PostRouteModify /);
    expect(a.calls.some((call) => call.hook === 'Route')).toBe(true);
    // Envoy Gateway's composite client returns the error there; c never sees the route.
    expect(c.calls.filter((call) => call.hook === 'Route')).toEqual([]);
  });
});
