// ClusterTrustBundles (certificates.k8s.io/v1beta1, a beta API off by default) against a real
// kube-apiserver: read and followed where the API serves them; where it does not, the collection
// counts as synced and empty at once, so it never holds up the first snapshot of the rest. Before,
// a collection found not served said nothing to the provider: when it finished after every other
// list, the first snapshot never came.
import { execFileSync } from 'node:child_process';
import { type KubeTestEnv, kubeTestEnvUnavailable, startKubeTestEnv } from '@egts/kube-testenv';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubernetesProvider, type KubernetesSnapshot } from '../index.js';
import { KubeHttp } from '../internal/kubeHttp.js';
import { Reflector } from '../internal/reflector.js';

const unavailable = kubeTestEnvUnavailable();
if (unavailable) console.warn(`skipping the ClusterTrustBundle provider tests: ${unavailable}`);

const CONTROLLER = 'gateway.envoyproxy.io/gatewayclass-controller';
const CTB = '/apis/certificates.k8s.io/v1beta1/clustertrustbundles';
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

const eventually = async <T>(check: () => T | undefined, timeoutMs = 60_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(100);
  }
};

const bundle = (name: string, pem: string) => ({
  apiVersion: 'certificates.k8s.io/v1beta1',
  kind: 'ClusterTrustBundle',
  metadata: { name },
  spec: { trustBundle: pem },
});

const startProvider = (kubeConfig: KubeConfig, logs: string[]) => {
  const provider = createKubernetesProvider({
    kubeConfig,
    controllerName: CONTROLLER,
    debounceMs: 50,
    backoff: { initialMs: 100, maxMs: 1_000 },
    log: (m) => logs.push(m),
  });
  const snapshots: KubernetesSnapshot[] = [];
  const subscription = provider.resources$.subscribe((s) => snapshots.push(s));
  return {
    provider,
    snapshots,
    close: async () => {
      subscription.unsubscribe();
      await provider.close();
    },
  };
};

describe.skipIf(unavailable !== undefined)('ClusterTrustBundles in the Kubernetes provider', () => {
  describe('an API server that serves them', () => {
    let env: KubeTestEnv;
    let kubeConfig: KubeConfig;
    let pem: string;
    beforeAll(async () => {
      env = await startKubeTestEnv();
      kubeConfig = new KubeConfig();
      kubeConfig.loadFromString(env.kubeconfig);
      // The API server takes CA certificates only (basicConstraints CA:TRUE).
      pem = execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:P-256',
          '-nodes',
          '-keyout',
          '/dev/null',
          '-subj',
          '/CN=test-ca',
          '-addext',
          'basicConstraints=critical,CA:TRUE',
          '-days',
          '1',
        ],
        { input: '', encoding: 'utf8' },
      );
    }, 180_000);
    afterAll(async () => {
      await env?.stop();
    });

    it('reads ClusterTrustBundles and follows their edits and deletion', async () => {
      await env.apply([bundle('client-ca', pem)]);
      const logs: string[] = [];
      const running = startProvider(kubeConfig, logs);
      try {
        const first = await eventually(() => running.snapshots.at(-1));
        expect(first.resources.clusterTrustBundles.map((b) => b.metadata.name)).toEqual([
          'client-ca',
        ]);
        expect(first.resources.clusterTrustBundles[0]?.spec.trustBundle).toContain(
          'BEGIN CERTIFICATE',
        );
        expect(running.provider.health().informers.ClusterTrustBundle?.notServed).toBe(false);

        await env.apply([bundle('second-ca', pem)]);
        await eventually(() =>
          running.snapshots.at(-1)?.resources.clusterTrustBundles.length === 2 ? true : undefined,
        );
        const deleted = await env.request('DELETE', `${CTB}/client-ca`);
        expect(deleted.status, deleted.text).toBe(200);
        const last = await eventually(() => {
          const names = running.snapshots
            .at(-1)
            ?.resources.clusterTrustBundles.map((b) => b.metadata.name);
          return names?.length === 1 ? names : undefined;
        });
        expect(last).toEqual(['second-ca']);
        expect(logs.filter((l) => /clustertrustbundles/.test(l))).toEqual([]);
      } finally {
        await running.close();
      }
    }, 120_000);
  });

  describe('an API server that does not serve them', () => {
    let env: KubeTestEnv;
    let kubeConfig: KubeConfig;
    beforeAll(async () => {
      env = await startKubeTestEnv({ clusterTrustBundles: false });
      kubeConfig = new KubeConfig();
      kubeConfig.loadFromString(env.kubeconfig);
      await env.apply([
        {
          apiVersion: 'gateway.networking.k8s.io/v1',
          kind: 'GatewayClass',
          metadata: { name: 'egts' },
          spec: { controllerName: CONTROLLER },
        },
      ]);
    }, 180_000);
    afterAll(async () => {
      await env?.stop();
    });

    it('an informer of a collection not served is synced and tells the provider so', async () => {
      // The collection alone, so that its own signal is the only one: before the fix, none came.
      const changes: number[] = [];
      const logs: string[] = [];
      const reflector = new Reflector(new KubeHttp(kubeConfig), {
        paths: [CTB, '/apis/certificates.k8s.io/v1alpha1/clustertrustbundles'],
        resyncMs: 600_000,
        watchTimeoutSeconds: 300,
        backoff: { initialMs: 100, maxMs: 1_000 },
        onChange: () => changes.push(Date.now()),
        log: (m) => logs.push(m),
      });
      reflector.start();
      try {
        await eventually(() => (changes.length > 0 ? true : undefined));
        expect(reflector.stats).toMatchObject({ synced: true, notServed: true });
        // Looked up again (every second here) without another signal or another log line.
        await sleep(2_500);
        expect(changes).toHaveLength(1);
        expect(logs.filter((l) => l.includes('not served'))).toHaveLength(1);
      } finally {
        await reflector.stop();
      }
    }, 60_000);

    it('the first snapshot comes with everything else, and says nothing of the missing API', async () => {
      const logs: string[] = [];
      const running = startProvider(kubeConfig, logs);
      try {
        const first = await eventually(() => running.snapshots.at(-1));
        expect(first.resources.gatewayClasses.map((c) => c.metadata.name)).toEqual(['egts']);
        expect(first.resources.clusterTrustBundles).toEqual([]);
        expect(first.problems).toEqual([]);
        expect(running.provider.health().informers.ClusterTrustBundle).toMatchObject({
          synced: true,
          notServed: true,
        });
        expect(logs.some((l) => l.includes('clustertrustbundles: not served'))).toBe(true);
      } finally {
        await running.close();
      }
    }, 120_000);
  });
});
