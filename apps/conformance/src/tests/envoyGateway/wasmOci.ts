// Envoy Gateway's WasmOCIImageCodeSource e2e test (test/e2e/tests/wasm_oci.go) re-expressed: the
// test's image (testdata/wasm: plugin.wasm in a `FROM scratch` image) is built and pushed to the
// registry its manifests run (a local stand-in of registry:2 with the same htpasswd login), then
// an EnvoyExtensionPolicy pulls it by the registry's Service name with a docker config pull
// secret and the image digest. Without the pull secret, or with a wrong password, the policy
// fails with the registry's answer, though the module is cached by then.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  accepted,
  type ConformanceTest,
  gw,
  infra,
  type KubeObject,
} from '../../conformanceTest.js';
import { buildWasmImage, pushImage } from '../../internal/wasmImage.js';

const sameNs = gw('same-namespace');
const registry = `oci-registry.${infra}:5000`;
const user = { username: 'testuser', password: 'testpassword' };
const policyName = 'oci-wasm-source-test';

const pullSecret = (password: string): KubeObject => {
  const auth = Buffer.from(`${user.username}:${password}`).toString('base64');
  const config = {
    auths: {
      [registry]: { username: user.username, password, email: 'your-email@example.com', auth },
    },
  };
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'registry-secret', namespace: infra },
    type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': Buffer.from(JSON.stringify(config)).toString('base64') },
  };
};

const policy = (digest: string): KubeObject => ({
  apiVersion: 'gateway.envoyproxy.io/v1alpha1',
  kind: 'EnvoyExtensionPolicy',
  metadata: { name: policyName, namespace: infra },
  spec: {
    targetRefs: [
      { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'http-with-oci-wasm-source' },
    ],
    wasm: [
      {
        name: 'wasm-filter',
        rootID: 'my_root_id',
        code: {
          type: 'Image',
          image: {
            url: `${registry}/testwasm:v1.0.0`,
            sha256: digest,
            pullSecretRef: { name: 'registry-secret' },
          },
        },
      },
    ],
  },
});

const policyStatus = (status: 'True' | 'False', messageIncludes?: string) => ({
  kind: 'EnvoyExtensionPolicy' as const,
  namespace: infra,
  name: policyName,
  ancestors: [
    {
      gateway: sameNs,
      conditions: [{ type: 'Accepted', status, ...(messageIncludes ? { messageIncludes } : {}) }],
    },
  ],
});

type ImageSpec = { pullSecretRef?: unknown };
const imageOf = (object: KubeObject) =>
  (object.spec as { wasm: { code: { image: ImageSpec } }[] }).wasm[0]!.code.image;

export const wasmOciTest = (suiteDir: string): ConformanceTest => ({
  name: 'WasmOCIImageCodeSource',
  description: 'Test OCI Wasm extension',
  features: ['EnvoyExtensionPolicy', 'Wasm'],
  manifests: ['wasm-oci.yaml', 'wasm-oci-registry-test-server.yaml'],
  steps: async (h) => {
    const image = await buildWasmImage(
      await readFile(join(suiteDir, 'testdata', 'wasm', 'plugin.wasm')),
    );
    const { address, port } = h.endpoint(infra, 'oci-registry');
    await pushImage(`http://${address}:${port}`, 'testwasm', 'v1.0.0', image, user);
    await h.apply([pullSecret(user.password), policy(image.digest)]);
    await h.expectStatuses([
      ...accepted(sameNs, ['http-with-oci-wasm-source', 'http-without-wasm']),
      policyStatus('True'),
    ]);
    await h.expectRequests([
      // The module appends "Hello, world" to bodies: the echo JSON cannot be read, the header can.
      {
        request: { host: 'www.example.com', path: '/wasm-oci' },
        status: 200,
        responseHeaders: { 'x-wasm-custom': 'FOO' },
      },
      {
        request: { host: 'www.example.com', path: '/no-wasm' },
        backend: 'infra-backend-v1',
        namespace: infra,
        absentResponseHeaders: ['x-wasm-custom'],
      },
    ]);
    // Without the pull secret: refused by the registry though the module is cached.
    await h.update('EnvoyExtensionPolicy', infra, policyName, (object) => {
      delete imageOf(object).pullSecretRef;
    });
    await h.expectStatuses([policyStatus('False', 'UNAUTHORIZED: authentication required')]);
    // With a wrong password.
    await h.update('Secret', infra, 'registry-secret', (object) => {
      object.data = pullSecret('wrongpassword').data;
    });
    await h.update('EnvoyExtensionPolicy', infra, policyName, (object) => {
      imageOf(object).pullSecretRef = { name: 'registry-secret' };
    });
    await h.expectStatuses([policyStatus('False', 'UNAUTHORIZED: authentication required')]);
  },
});
