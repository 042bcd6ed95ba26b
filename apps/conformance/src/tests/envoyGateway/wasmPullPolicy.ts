// egts's test of a Wasm code source's pullPolicy (Envoy Gateway's Wasm cache: a module without a
// sha256 is fetched once per URL with IfNotPresent, and again whenever its policy changes with
// Always). The module's publisher (internal/wasmSourceServer.ts) serves Envoy Gateway's example
// module (`x-wasm-custom: FOO`), then replaces it with a copy answering `BAR`; both policies are
// then changed: the Always one loads the new module, the IfNotPresent one keeps the one it has.
import {
  accepted,
  type ConformanceTest,
  gw,
  infra,
  type KubeObject,
} from '../../conformanceTest.js';

const sameNs = gw('same-namespace');
const SOURCE = 'wasm-source';
const URL = `http://${SOURCE}.${infra}:8080/plugin.wasm`;

const publisher: KubeObject[] = [
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: SOURCE, namespace: infra, labels: { app: SOURCE } },
    spec: {
      selector: { matchLabels: { app: SOURCE } },
      template: {
        metadata: { labels: { app: SOURCE } },
        spec: { containers: [{ name: 'web', image: 'egts-wasm-source:latest' }] },
      },
    },
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: SOURCE, namespace: infra },
    spec: {
      selector: { app: SOURCE },
      ports: [{ name: 'http', port: 8080, targetPort: 8080, protocol: 'TCP' }],
    },
  },
];

const route = (name: string): KubeObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name, namespace: infra },
  spec: {
    parentRefs: [{ name: 'same-namespace' }],
    rules: [
      {
        matches: [{ path: { type: 'PathPrefix', value: `/${name}` } }],
        backendRefs: [{ name: 'infra-backend-v1', port: 8080 }],
      },
    ],
  },
});

/** `version` changes the policy (the module's config, which it only logs). */
const policy = (name: string, pullPolicy: string, version: number): KubeObject => ({
  apiVersion: 'gateway.envoyproxy.io/v1alpha1',
  kind: 'EnvoyExtensionPolicy',
  metadata: { name, namespace: infra },
  spec: {
    targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name }],
    wasm: [
      {
        name: 'wasm-filter',
        rootID: 'my_root_id',
        code: { type: 'HTTP', http: { url: URL }, pullPolicy },
        config: { version },
      },
    ],
  },
});

/**
 * A module change is a new HTTP filter chain (Envoy drains the listener's old one): each request
 * on a connection of its own sees the current one.
 */
const header = (path: string, value: string) => ({
  request: { path, headers: { connection: 'close' } },
  status: 200,
  responseHeaders: { 'x-wasm-custom': value },
});

export const wasmPullPolicyTest: ConformanceTest = {
  name: 'EgtsWasmPullPolicy',
  description: 'A Wasm module without sha256 is fetched again on a policy change with Always only',
  features: ['EnvoyExtensionPolicy', 'Wasm'],
  manifests: [],
  steps: async (h) => {
    await h.apply([
      ...publisher,
      route('wasm-always'),
      route('wasm-if-not-present'),
      policy('wasm-always', 'Always', 1),
      policy('wasm-if-not-present', 'IfNotPresent', 1),
    ]);
    await h.expectStatuses(accepted(sameNs, ['wasm-always', 'wasm-if-not-present']));
    await h.expectRequests([header('/wasm-always', 'FOO'), header('/wasm-if-not-present', 'FOO')]);
    const published = await h.fetchInCluster(`http://${SOURCE}.${infra}:8080/publish/bar`);
    if (!published.ok) throw new Error(`publishing BAR answered ${published.status}`);
    await h.apply([
      policy('wasm-always', 'Always', 2),
      policy('wasm-if-not-present', 'IfNotPresent', 2),
    ]);
    await h.expectRequests([header('/wasm-always', 'BAR'), header('/wasm-if-not-present', 'FOO')]);
  },
};
