// The kinds an extension server registers (EnvoyGateway extensionManager), against a real
// kube-apiserver (@egts/kube-testenv): watched like egts's own kinds, read unstructured into
// `extensionResources`, edits followed; each kind's resource path found by API discovery (a
// plural Kubernetes would not derive from the kind), a kind not served reported and picked up
// once its CRD is installed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type KubeTestEnv,
  kubeTestEnvUnavailable,
  sharedCrdDirs,
  startKubeTestEnv,
} from '@egts/kube-testenv';
import { KubeConfig } from '@kubernetes/client-node';
import { filter, firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubernetesProvider, type KubernetesProvider } from '../index.js';

const unavailable = kubeTestEnvUnavailable();
if (unavailable) console.warn(`skipping extension kinds integration test: ${unavailable}`);

const dir = mkdtempSync(join(tmpdir(), 'egts-ext-crd-'));
const crd = join(dir, 'listenerpolicies.yaml');
writeFileSync(
  crd,
  `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: listenerpolicies.example.extensions.io}
spec:
  group: example.extensions.io
  scope: Namespaced
  names: {kind: ListenerPolicy, plural: listenerpolicies, singular: listenerpolicy, listKind: ListenerPolicyList}
  versions:
  - name: v1alpha1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: octopi.example.extensions.io}
spec:
  group: example.extensions.io
  scope: Namespaced
  names: {kind: Octopus, plural: octopi, singular: octopus, listKind: OctopusList}
  versions:
  - name: v1alpha1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`,
);
const octopus = {
  apiVersion: 'example.extensions.io/v1alpha1',
  kind: 'Octopus',
  metadata: { name: 'paul', namespace: 'default' },
  spec: { arms: 8 },
};

const policy = (serverName: string) => ({
  apiVersion: 'example.extensions.io/v1alpha1',
  kind: 'ListenerPolicy',
  metadata: { name: 'lp', namespace: 'default' },
  spec: { targetRefs: [{ kind: 'Gateway', name: 'eg' }], serverName },
});

describe.skipIf(unavailable !== undefined)('extension kinds (kube-apiserver)', () => {
  let env: KubeTestEnv;
  let provider: KubernetesProvider | undefined;

  beforeAll(async () => {
    env = await startKubeTestEnv({ crdPaths: [...sharedCrdDirs(), crd] });
  }, 300_000);

  afterAll(async () => {
    await provider?.close();
    await env?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads objects of the registered kinds, unstructured, and follows their edits', async () => {
    await env.apply([policy('first')]);
    // Created at its CRD's path (the test env's apply would guess `octopuses`).
    const created = await env.request(
      'POST',
      '/apis/example.extensions.io/v1alpha1/namespaces/default/octopi',
      octopus,
    );
    expect(created.status).toBe(201);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(env.kubeconfig);
    provider = createKubernetesProvider({
      kubeConfig,
      controllerName: 'gateway.envoyproxy.io/gatewayclass-controller',
      debounceMs: 20,
      extensionKinds: [
        { group: 'example.extensions.io', version: 'v1alpha1', kind: 'Octopus' },
        { group: 'example.extensions.io', version: 'v1alpha1', kind: 'ListenerPolicy' },
        { group: 'example.extensions.io', version: 'v1alpha1', kind: 'Squid' },
      ],
    });
    const serverNames = (snapshot: { resources: { extensionResources?: unknown[] } }) =>
      (snapshot.resources.extensionResources ?? []).flatMap((o) => {
        const object = o as { kind: string; spec: { serverName: string } };
        return object.kind === 'ListenerPolicy' ? [object.spec.serverName] : [];
      });
    const first = await firstValueFrom(
      provider.resources$.pipe(filter((s) => serverNames(s).length > 0)),
    );
    expect(serverNames(first)).toEqual(['first']);
    // Octopus is served as `octopi` (its CRD's plural, found by discovery). Kinds are read in
    // the order their discovery answers, which varies under load, and handed on sorted.
    expect(
      (first.resources.extensionResources ?? []).map((o) => (o as { kind: string }).kind),
    ).toEqual(['ListenerPolicy', 'Octopus']);
    // Squid has no CRD: reported, the rest still read (a wrong group/version likewise).
    expect(first.problems.filter((p) => p.severity === 'error').map((p) => p.message)).toEqual([
      expect.stringMatching(
        /^extension kind Squid\.v1alpha1\.example\.extensions\.io is not served/,
      ),
    ]);
    await env.apply([policy('second')]);
    const edited = await firstValueFrom(
      provider.resources$.pipe(filter((s) => serverNames(s)[0] === 'second')),
    );
    expect(edited.resources.extensionResources).toHaveLength(2);
  });
});
