// Envoy Gateway's EnvoyExtensionPolicy e2e tests (test/e2e/tests: lua_http.go) re-expressed: the
// same manifests, statuses and requests, through egts and real Envoy. And egts's own ext_proc
// test: Envoy Gateway's ExtProc needs backendSettings (health checks), TLS to the processor and a
// Unix socket Backend, so the same checks run here against a plaintext stand-in of its
// grpc-ext-proc server (internal/extProcServer.ts), with failOpen and messageTimeout both ways.
import {
  accepted,
  type ConformanceTest,
  gw,
  infra,
  type KubeObject,
  type StatusExpectation,
  type TestHarness,
} from '../../conformanceTest.js';

const sameNs = gw('same-namespace');
const v1 = { backend: 'infra-backend-v1', namespace: infra };

const policy = (
  name: string,
  status: 'True' | 'False',
  reason?: string,
  gateway = sameNs,
): StatusExpectation => ({
  kind: 'EnvoyExtensionPolicy',
  namespace: infra,
  name,
  ancestors: [
    { gateway, conditions: [{ type: 'Accepted', status, ...(reason ? { reason } : {}) }] },
  ],
});

const luaHttp: ConformanceTest = {
  name: 'LuaHTTP',
  description: 'Test Lua extension that adds response headers',
  features: ['EnvoyExtensionPolicy', 'Lua'],
  manifests: ['lua-http.yaml'],
  statuses: [
    ...accepted(sameNs, [
      'example-route-1-with-lua',
      'example-route-2-with-lua',
      'example-route-3-without-lua',
      'example-route-4-with-lua-filter-context',
    ]),
    policy('example-lua-1', 'True'),
    policy('example-lua-2', 'True'),
    policy('example-lua-3-filter-context', 'True'),
  ],
  requests: [
    {
      request: { host: 'www.example.com', path: '/route1' },
      ...v1,
      responseHeaders: { 'X-Custom-Lua-Header': 'lua_value_1' },
      absentResponseHeaders: ['X-Custom-Lua-Another-Header'],
    },
    {
      request: { host: 'www.example.com', path: '/route2' },
      ...v1,
      responseHeaders: {
        'X-Custom-Lua-Header': 'lua_value_2',
        'X-Custom-Lua-Another-Header': 'lua_another_value',
      },
    },
    {
      request: { host: 'www.example.com', path: '/route3' },
      ...v1,
      absentResponseHeaders: ['X-Custom-Lua-Header', 'X-Custom-Lua-Another-Header'],
    },
    // The script reads its route's filterContext (LuaPerRoute filter_context).
    {
      request: { host: 'www.example.com', path: '/route4' },
      ...v1,
      responseHeaders: { 'X-Lua-Filter-Context': 'hello_from_filter_context' },
    },
  ],
};

/** The stand-in image (runConformance.ts) and a Service for it, or for nothing (`down`). */
const processor = (name: string, down = false): KubeObject[] => [
  ...(down
    ? []
    : [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name, namespace: infra, labels: { app: name } },
          spec: {
            selector: { matchLabels: { app: name } },
            template: {
              metadata: { labels: { app: name } },
              spec: { containers: [{ name: 'processor', image: 'egts-ext-proc:latest' }] },
            },
          },
        },
      ]),
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: infra },
    spec: {
      selector: { app: name },
      ports: [{ name: 'grpc', port: 9002, targetPort: 9002, protocol: 'TCP' }],
    },
  },
];

const route = (name: string, path: string, filters: unknown[] = []): KubeObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name, namespace: infra },
  spec: {
    parentRefs: [{ name: 'same-namespace' }],
    hostnames: ['www.example.com'],
    rules: [
      {
        matches: [{ path: { type: 'PathPrefix', value: path } }],
        backendRefs: [{ name: 'infra-backend-v1', port: 8080 }],
        filters,
      },
    ],
  },
});

const extProcPolicy = (name: string, target: string, extProc: Record<string, unknown>) => ({
  apiVersion: 'gateway.envoyproxy.io/v1alpha1',
  kind: 'EnvoyExtensionPolicy',
  metadata: { name, namespace: infra },
  spec: {
    targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: target }],
    extProc: [extProc],
  },
});

const up = { backendRefs: [{ name: 'egts-ext-proc', port: 9002 }] };
const down = { backendRefs: [{ name: 'egts-ext-proc-down', port: 9002 }] };
const host = 'www.example.com';

const extProc: ConformanceTest = {
  name: 'EgtsExtProc',
  description:
    'ext_proc: processing modes, attributes, metadata, failOpen and messageTimeout (egts)',
  features: ['EnvoyExtensionPolicy', 'ExtProc'],
  manifests: [],
  objects: [
    ...processor('egts-ext-proc'),
    ...processor('egts-ext-proc-down', true),
    route('http-with-ext-proc', '/processor', [
      {
        type: 'RequestHeaderModifier',
        requestHeaderModifier: {
          add: [
            {
              name: 'x-request-from-ext-proc-metadata',
              value: '%DYNAMIC_METADATA(io.envoyproxy.gateway.e2e:ext-proc-emitted-metadata)%',
            },
          ],
        },
      },
    ]),
    route('http-without-ext-proc', '/no-processor'),
    route('http-ext-proc-down-closed', '/down-closed'),
    route('http-ext-proc-down-open', '/down-open'),
    route('http-ext-proc-slow', '/slow'),
    route('http-ext-proc-down-503', '/down-503'),
    extProcPolicy('ext-proc-test', 'http-with-ext-proc', {
      ...up,
      processingMode: {
        request: { attributes: ['xds.route_name'] },
        response: { attributes: ['xds.route_name', 'request.path'] },
      },
      metadata: { writableNamespaces: ['io.envoyproxy.gateway.e2e'] },
    }),
    extProcPolicy('ext-proc-down-closed', 'http-ext-proc-down-closed', {
      ...down,
      processingMode: { request: {} },
    }),
    extProcPolicy('ext-proc-down-open', 'http-ext-proc-down-open', {
      ...down,
      processingMode: { request: {} },
      failOpen: true,
    }),
    extProcPolicy('ext-proc-down-503', 'http-ext-proc-down-503', {
      ...down,
      processingMode: { request: {} },
      statusOnError: 503,
    }),
    extProcPolicy('ext-proc-slow', 'http-ext-proc-slow', {
      ...up,
      processingMode: { request: {} },
      messageTimeout: '1s',
    }),
  ],
  statuses: [
    ...accepted(sameNs, ['http-with-ext-proc', 'http-without-ext-proc', 'http-ext-proc-slow']),
    policy('ext-proc-test', 'True'),
    policy('ext-proc-down-closed', 'True'),
    policy('ext-proc-down-open', 'True'),
    policy('ext-proc-down-503', 'True'),
    policy('ext-proc-slow', 'True'),
  ],
  requests: [
    {
      request: { host, path: '/processor', headers: { 'x-request-client-header': 'original' } },
      ...v1,
      backendRequest: {
        headers: {
          'x-request-ext-processed': 'true',
          'x-request-client-header-received': 'original',
          'x-request-client-header': 'mutated',
          // egts names routes by hostname as written; Envoy Gateway writes www_example_com.
          'x-request-xds-route-name':
            'httproute/gateway-conformance-infra/http-with-ext-proc/rule/0/match/0/www.example.com',
          // Metadata the processor wrote, read back by the route's header modifier.
          'x-request-from-ext-proc-metadata': 'received',
        },
      },
      responseHeaders: {
        'x-response-ext-processed': 'true',
        'x-response-request-path': '/processor',
      },
    },
    {
      request: { host, path: '/no-processor' },
      ...v1,
      backendRequest: { absentHeaders: ['x-request-ext-processed'] },
      absentResponseHeaders: ['x-response-ext-processed'],
    },
    // The processor cannot be reached: closed answers 500, open serves the route unprocessed.
    { request: { host, path: '/down-closed' }, status: 500 },
    // statusOnError: the status clients get instead.
    { request: { host, path: '/down-503' }, status: 503 },
    {
      request: { host, path: '/down-open' },
      ...v1,
      backendRequest: { absentHeaders: ['x-request-ext-processed'] },
    },
    // Within messageTimeout the answer counts; beyond it Envoy gives up (504, fail closed).
    {
      request: { host, path: '/slow', headers: { 'x-ext-proc-delay-ms': '100' } },
      ...v1,
      backendRequest: { headers: { 'x-request-ext-processed': 'true' } },
    },
    { request: { host, path: '/slow', headers: { 'x-ext-proc-delay-ms': '3000' } }, status: 504 },
  ],
};

/**
 * Shadow mode (Envoy's observability_mode): the processor is called (its stream counted in the
 * proxy's ext_proc statistics) but its changes are not applied.
 */
const extProcShadowMode: ConformanceTest = {
  name: 'EgtsExtProcShadowMode',
  description: 'ext_proc in shadow mode: the processor observes, its answers are ignored (egts)',
  features: ['EnvoyExtensionPolicy', 'ExtProc'],
  manifests: [],
  objects: [
    ...processor('egts-ext-proc'),
    route('http-ext-proc-shadow', '/shadow'),
    extProcPolicy('ext-proc-shadow', 'http-ext-proc-shadow', {
      ...up,
      processingMode: { request: {} },
      shadowMode: true,
    }),
  ],
  statuses: [...accepted(sameNs, ['http-ext-proc-shadow']), policy('ext-proc-shadow', 'True')],
  requests: [
    {
      request: { host, path: '/shadow', headers: { 'x-request-client-header': 'original' } },
      ...v1,
      backendRequest: {
        headers: { 'x-request-client-header': 'original' },
        absentHeaders: ['x-request-ext-processed'],
      },
    },
  ],
  steps: async (harness) => {
    await harness.eventually('the processor saw the requests', async () => {
      const stats = await harness.stats('ext_proc.*streams_started');
      const started = Object.values(stats).reduce((sum, n) => sum + n, 0);
      return started > 0 ? undefined : `ext_proc streams started: ${JSON.stringify(stats)}`;
    });
  },
};

/** The module appends "Hello, world" to bodies: the echo JSON cannot be read, the header can. */
const wasmRequest = (path: string) => ({
  request: { host: 'www.example.com', path },
  status: 200,
  responseHeaders: { 'x-wasm-custom': 'FOO' },
});

const wasmHttpCodeSource: ConformanceTest = {
  name: 'WasmHTTPCodeSource',
  description: 'Test Wasm extension that adds response headers',
  features: ['EnvoyExtensionPolicy', 'Wasm'],
  manifests: ['wasm-http.yaml'],
  statuses: [
    ...accepted(sameNs, [
      'http-with-http-wasm-source',
      'http-with-http-wasm-source-no-sha',
      'http-without-wasm',
    ]),
    policy('http-wasm-source-test', 'True'),
    policy('http-wasm-source-test-no-sha', 'True'),
  ],
  // The "wasm vm count is per-route" sub-test reads Envoy's wasm_vm_count through Prometheus,
  // which the offline harness does not run; each entry gets its own VM id here as there.
  requests: [
    wasmRequest('/wasm-http'),
    wasmRequest('/wasm-http-no-sha'),
    {
      request: { host: 'www.example.com', path: '/no-wasm' },
      ...v1,
      absentResponseHeaders: ['x-wasm-custom'],
    },
  ],
};

const merged = (name: string, gateway = sameNs): StatusExpectation => ({
  kind: 'EnvoyExtensionPolicy',
  namespace: infra,
  name,
  ancestors: [{ gateway, conditions: [{ type: 'Merged', status: 'True' }] }],
});

/** Processed by the grpc-ext-proc server, as the backend and the client see it. */
const processed = (path: string) => ({
  request: { path, headers: { 'x-request-client-header': 'original' } },
  ...v1,
  backendRequest: {
    headers: {
      'x-request-ext-processed': 'true',
      'x-request-client-header-received': 'original',
      'x-request-client-header': 'mutated',
    },
  },
});

const mergePolicyGateway = gw('eep-merge-policy-gateway');
const mergeListenerSet = gw('eep-merge-policy-ls');

const envoyExtensionPolicyMerged: ConformanceTest = {
  name: 'EnvoyExtensionPolicyMerged',
  description:
    'Route EnvoyExtensionPolicies with a mergeType merged onto Gateway and ListenerSet ones',
  features: ['EnvoyExtensionPolicy', 'ExtProc', 'Lua'],
  manifests: ['ext-proc-service.yaml', 'envoyextensionpolicy-merged.yaml'],
  statuses: [
    ...accepted(sameNs, ['eep-merged-route']),
    policy('eep-merged-gateway', 'True'),
    merged('eep-merged-gateway'),
    merged('eep-merged-route'),
    policy('eep-merge-listenerset', 'True', undefined, mergeListenerSet),
    merged('eep-merge-listenerset', mergeListenerSet),
    merged('eep-merge-route', mergeListenerSet),
  ],
  requests: [
    {
      ...processed('/merged'),
      request: { ...processed('/merged').request, host: 'www.example.com' },
      responseHeaders: {
        'X-Custom-Lua-Header': 'merged-parent',
        'x-response-ext-processed': 'true',
      },
    },
    {
      ...processed('/ls-merged'),
      gateway: mergePolicyGateway,
      port: 18198,
      responseHeaders: { 'X-ListenerSet-Merged': 'true', 'x-response-ext-processed': 'true' },
    },
  ],
};

const extProcessed = (gateway: string, port: number, path: string) => ({
  ...processed(path),
  gateway: gw(gateway),
  port,
  responseHeaders: { 'x-response-ext-processed': 'true' },
});
const notProcessed = (gateway: string, port: number, path: string) => ({
  request: { path },
  ...v1,
  gateway: gw(gateway),
  port,
  absentResponseHeaders: ['x-response-ext-processed'],
});

const envoyExtensionPolicyListenerSet: ConformanceTest = {
  name: 'EnvoyExtensionPolicyListenerSet',
  description: 'EnvoyExtensionPolicies targeting ListenerSets, their listeners and their routes',
  features: ['EnvoyExtensionPolicy', 'ExtProc'],
  manifests: ['ext-proc-service.yaml', 'envoyextensionpolicy-listenerset.yaml'],
  statuses: [
    policy('eep-listenerset-policy', 'True', undefined, gw('eep-listenerset-policy-ls')),
    policy('eep-listener-policy', 'True', undefined, gw('eep-listener-policy-ls')),
    policy('eep-route-policy', 'True', undefined, gw('eep-route-policy-ls')),
  ],
  requests: [
    notProcessed('eep-listenerset-policy', 18190, '/gateway-policy'),
    extProcessed('eep-listenerset-policy', 18191, '/listenerset-policy'),
    extProcessed('eep-listener-policy-gateway', 18193, '/listener-policy'),
    notProcessed('eep-listener-policy-gateway', 18194, '/listener-policy-other'),
    extProcessed('eep-route-policy-gateway', 18196, '/route-policy'),
  ],
};

/** The gateway's statistic values whose names match `pattern`, summed. */
const statSum = async (h: TestHarness, pattern: string): Promise<number> =>
  Object.values(await h.stats(pattern)).reduce((sum, value) => sum + value, 0);

const processedRequest = (path: string, rule: number) => {
  // egts names routes by hostname as written; Envoy Gateway writes www_example_com.
  const routeName = `httproute/gateway-conformance-infra/http-with-ext-proc/rule/${rule}/match/0/www.example.com`;
  return {
    request: { host, path, headers: { 'x-request-client-header': 'original' } },
    ...v1,
    backendRequest: {
      headers: {
        'x-request-ext-processed': 'true',
        'x-request-client-header-received': 'original',
        'x-request-client-header': 'mutated',
        'x-request-xds-route-name': routeName,
        'x-request-from-ext-proc-metadata': 'received',
      },
    },
    responseHeaders: {
      'x-response-ext-processed': 'true',
      'x-response-xds-route-name': routeName,
      'x-response-rbac-result-metadata': 'allowed',
      ...(rule === 1 ? { 'x-response-request-path': path } : {}),
    },
  };
};

/**
 * Envoy Gateway's ExtProc (ext_proc.go): the TLS processor (BackendTLSPolicy) with a gRPC health
 * check whose event log goes to /dev/stdout, a rule-level policy (sectionName) with more
 * attributes, RBAC metadata forwarded to the processor, and a policy without processing mode.
 * Upstream counts health check events in Loki; here the proxy's health check statistics for the
 * processor's cluster must grow (the /dev/stdout sink itself is proven by @egts/envoy-binary's
 * test). The Unix-socket processor sub-test is not run: the harness has no Unix-socket stand-in
 * (the manifest's fixed /var/run/ext-proc path would be shared by concurrent runs).
 */
const extProcEnvoyGateway: ConformanceTest = {
  name: 'ExtProc',
  description: 'Test ExtProc service that adds request and response headers',
  features: ['EnvoyExtensionPolicy', 'ExtProc'],
  manifests: ['ext-proc-service.yaml', 'ext-proc-envoyextensionpolicy.yaml'],
  statuses: [
    ...accepted(sameNs, ['http-with-ext-proc', 'http-without-procmode']),
    policy('ext-proc-test', 'True'),
    policy('ext-proc-test-route-rule', 'True'),
    policy('ext-proc-no-procmode-test', 'True'),
  ],
  requests: [
    processedRequest('/processor', 0),
    processedRequest('/processor-route-rule-name', 1),
    {
      request: { host, path: '/no-processor', headers: { 'x-request-client-header': 'original' } },
      ...v1,
      backendRequest: { headers: { 'x-request-client-header': 'original' } },
      absentResponseHeaders: ['x-response-ext-processed'],
    },
  ],
  steps: async (h) => {
    // The processor's cluster (named after the policy, as upstream's log query) is health-checked.
    const pattern = 'ext-proc-test/extproc/0\\.health_check\\.attempt$';
    const deadline = Date.now() + 60_000;
    let attempts = await statSum(h, pattern);
    while (attempts === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      attempts = await statSum(h, pattern);
    }
    if (attempts === 0) {
      const seen = Object.keys(await h.stats('health_check\\.attempt$')).join(', ');
      throw new Error(`no health check of the processor (${pattern}); seen: ${seen || 'none'}`);
    }
  },
};

const wasmHttpTls: ConformanceTest = {
  name: 'WasmHTTPTLS',
  description: 'Test Wasm extension fetched over HTTPS with a CA',
  features: ['EnvoyExtensionPolicy', 'Wasm'],
  manifests: ['wasm-http-tls.yaml'],
  statuses: [
    ...accepted(sameNs, ['http-with-wasm-http-tls']),
    policy('wasm-http-tls-test', 'True'),
  ],
  requests: [wasmRequest('/wasm-http-tls')],
};

export const envoyExtensionPolicyTests = (): ConformanceTest[] => [
  wasmHttpTls,
  extProcEnvoyGateway,
  envoyExtensionPolicyListenerSet,
  envoyExtensionPolicyMerged,
  luaHttp,
  extProc,
  extProcShadowMode,
  wasmHttpCodeSource,
];
