// Envoy Gateway's dynamic module e2e test (test/e2e/tests/dynamic_module.go) re-expressed: its
// manifest names the module its proxy image ships (/usr/local/lib/libheader_mutation.so); host-mode
// Envoy runs here and loads the module scripts/setup-dynamic-module.sh builds (its
// `header_mutation` filter adds `x-dynamic-module: true`). And egts's own test: a module filter with
// a configuration on one route only, a policy naming an unregistered module refused, and a
// BackendTrafficPolicy whose load balancer is the module's (`first_healthy`: every request to one
// pod of web-backend's 4).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import {
  accepted,
  type ConformanceTest,
  gw,
  type HttpExpectation,
  infra,
  type KubeObject,
  type StatusExpectation,
  type TestHarness,
} from '../../conformanceTest.js';
import { testDynamicModulePath } from '../../internal/dynamicModule.js';
import { GATEWAY_CLASS_NAME } from '../../internal/harness.js';
import { listenLocally } from '../../internal/listenLocally.js';

const ancestorStatus = (
  kind: 'EnvoyExtensionPolicy' | 'BackendTrafficPolicy',
  name: string,
  gateway: string,
  status: 'True' | 'False',
  reason?: string,
): StatusExpectation => ({
  kind,
  namespace: infra,
  name,
  ancestors: [
    {
      gateway: gw(gateway),
      conditions: [{ type: 'Accepted', status, ...(reason ? { reason } : {}) }],
    },
  ],
});

const dynamicModule: ConformanceTest = {
  name: 'DynamicModule',
  description: 'Test dynamic module extension that adds response headers',
  features: ['EnvoyExtensionPolicy', 'DynamicModule'],
  manifests: ['dynamic-module.yaml'],
  proxyImageFiles: { '/usr/local/lib/libheader_mutation.so': testDynamicModulePath },
  statuses: [
    ...accepted(gw('dynamic-module-gateway'), ['http-with-dynamic-module']),
    ancestorStatus('EnvoyExtensionPolicy', 'dynamic-module-test', 'dynamic-module-gateway', 'True'),
  ],
  requests: [
    {
      gateway: gw('dynamic-module-gateway'),
      request: { path: '/dynamic-module' },
      status: 200,
      responseHeaders: { 'x-dynamic-module': 'true' },
    },
  ],
};

const GATEWAY = 'egts-dynamic-module';
const MODULE = 'egts-test-module';
const REMOTE_MODULE = 'egts-test-module-remote';

/** Serves the module file over plain HTTP on a loopback port (a Remote source's URL). */
async function serveModule(path: string): Promise<ModuleFile & { close: () => Promise<void> }> {
  const body = readFileSync(path);
  const server = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body),
  );
  const { port, close } = await listenLocally(server);
  const sha256 = createHash('sha256').update(body).digest('hex');
  return { path, url: `http://127.0.0.1:${port}/libheader_mutation.so`, sha256, close };
}

const route = (name: string, path: string, backend: string): KubeObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name, namespace: infra },
  spec: {
    parentRefs: [{ name: GATEWAY }],
    rules: [
      {
        matches: [{ path: { type: 'PathPrefix', value: path } }],
        backendRefs: [{ name: backend, port: 8080 }],
      },
    ],
  },
});

const targeting = (routeName: string) => ({
  targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: routeName }],
});

/** The module file: on the proxy's disk, and served over HTTP for Envoy to fetch. */
interface ModuleFile {
  readonly path: string;
  readonly url: string;
  readonly sha256: string;
}

const objects = (module: ModuleFile): KubeObject[] => [
  {
    apiVersion: 'gateway.envoyproxy.io/v1alpha1',
    kind: 'EnvoyProxy',
    metadata: { name: GATEWAY, namespace: infra },
    spec: {
      dynamicModules: [
        { name: MODULE, source: { type: 'Local', local: { path: module.path } } },
        {
          name: REMOTE_MODULE,
          source: { type: 'Remote', remote: { url: module.url, sha256: module.sha256 } },
        },
      ],
    },
  },
  {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: GATEWAY, namespace: infra },
    spec: {
      gatewayClassName: GATEWAY_CLASS_NAME,
      infrastructure: {
        parametersRef: { group: 'gateway.envoyproxy.io', kind: 'EnvoyProxy', name: GATEWAY },
      },
      listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }],
    },
  },
  route('dm-filter', '/dm-filter', 'infra-backend-v1'),
  route('dm-plain', '/dm-plain', 'infra-backend-v1'),
  route('dm-unregistered', '/dm-unregistered', 'infra-backend-v1'),
  route('dm-lb', '/dm-lb', 'web-backend'),
  route('dm-web', '/dm-web', 'web-backend'),
  route('dm-remote', '/dm-remote', 'infra-backend-v1'),
  {
    apiVersion: 'gateway.envoyproxy.io/v1alpha1',
    kind: 'EnvoyExtensionPolicy',
    metadata: { name: 'dm-remote', namespace: infra },
    spec: {
      ...targeting('dm-remote'),
      dynamicModule: [{ name: REMOTE_MODULE, filterName: 'header_mutation', config: 'remote' }],
    },
  },
  {
    apiVersion: 'gateway.envoyproxy.io/v1alpha1',
    kind: 'EnvoyExtensionPolicy',
    metadata: { name: 'dm-filter', namespace: infra },
    spec: {
      ...targeting('dm-filter'),
      dynamicModule: [
        { name: MODULE, filterName: 'header_mutation', config: { greeting: 'hello' } },
      ],
    },
  },
  {
    apiVersion: 'gateway.envoyproxy.io/v1alpha1',
    kind: 'EnvoyExtensionPolicy',
    metadata: { name: 'dm-unregistered', namespace: infra },
    spec: {
      ...targeting('dm-unregistered'),
      dynamicModule: [{ name: 'not-registered', filterName: 'header_mutation' }],
    },
  },
  {
    apiVersion: 'gateway.envoyproxy.io/v1alpha1',
    kind: 'BackendTrafficPolicy',
    metadata: { name: 'dm-lb', namespace: infra },
    spec: {
      ...targeting('dm-lb'),
      loadBalancer: {
        type: 'DynamicModule',
        dynamicModule: { name: MODULE, lbPolicyName: 'first_healthy' },
      },
    },
  },
];

const web = (path: string): HttpExpectation => ({
  gateway: gw(GATEWAY),
  request: { path },
  backend: 'web-backend',
  namespace: infra,
});

/** Which pods of web-backend answer `count` requests to `path`. */
async function podsAnswering(h: TestHarness, path: string, count: number): Promise<Set<string>> {
  const pods = new Set<string>();
  for (let i = 0; i < count; i++) {
    const reply = await h.send(web(path));
    if (reply instanceof Error) throw new Error(`${path}: ${reply.message}`);
    const pod = reply.echo?.pod;
    if (reply.status !== 200 || !pod) throw new Error(`${path}: ${reply.status} from ${pod}`);
    pods.add(pod);
  }
  return pods;
}

const egtsDynamicModule: ConformanceTest = {
  name: 'EgtsDynamicModule',
  description:
    'A dynamic module filter with its config on its route only, an unregistered module refused, a module load balancer',
  features: ['EnvoyExtensionPolicy', 'DynamicModule'],
  manifests: [],
  steps: async (h) => {
    const module = await serveModule(testDynamicModulePath());
    try {
      await checkModules(h, module);
    } finally {
      await module.close();
    }
  },
};

async function checkModules(h: TestHarness, module: ModuleFile): Promise<void> {
  await h.apply(objects(module));
  await h.expectStatuses([
    ...accepted(gw(GATEWAY), [
      'dm-filter',
      'dm-plain',
      'dm-unregistered',
      'dm-lb',
      'dm-web',
      'dm-remote',
    ]),
    ancestorStatus('EnvoyExtensionPolicy', 'dm-filter', GATEWAY, 'True'),
    ancestorStatus('EnvoyExtensionPolicy', 'dm-remote', GATEWAY, 'True'),
    ancestorStatus('EnvoyExtensionPolicy', 'dm-unregistered', GATEWAY, 'False', 'Invalid'),
    ancestorStatus('BackendTrafficPolicy', 'dm-lb', GATEWAY, 'True'),
  ]);
  const v1 = { backend: 'infra-backend-v1', namespace: infra };
  await h.expectRequests([
    {
      gateway: gw(GATEWAY),
      request: { path: '/dm-filter' },
      ...v1,
      responseHeaders: {
        'x-dynamic-module': 'true',
        // The policy's config reaches the module as its JSON text.
        'x-dynamic-module-config': '{"greeting":"hello"}',
      },
    },
    {
      gateway: gw(GATEWAY),
      request: { path: '/dm-plain' },
      ...v1,
      absentResponseHeaders: ['x-dynamic-module', 'x-dynamic-module-config'],
    },
    // Envoy fetched the Remote module itself and checked it against its sha256.
    {
      gateway: gw(GATEWAY),
      request: { path: '/dm-remote' },
      ...v1,
      responseHeaders: { 'x-dynamic-module': 'true', 'x-dynamic-module-config': '"remote"' },
    },
  ]);
  // The module's load balancer sends every request to one pod; without it they spread.
  const picked = await podsAnswering(h, '/dm-lb', 20);
  if (picked.size !== 1)
    throw new Error(`first_healthy spread /dm-lb over ${[...picked].join(', ')}`);
  const spread = await podsAnswering(h, '/dm-web', 20);
  if (spread.size < 2) throw new Error(`the default load balancer sent /dm-web to ${[...spread]}`);
}

export const dynamicModuleTests = (): ConformanceTest[] => [dynamicModule, egtsDynamicModule];
