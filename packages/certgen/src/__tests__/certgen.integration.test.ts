// certgen against a real kube-apiserver: creates the Secrets, keeps them while they are fresh, and
// re-issues the whole set when one nears expiry or is missing.
import { type KubeTestEnv, kubeTestEnvUnavailable, startKubeTestEnv } from '@egts/kube-testenv';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCertificateSecrets, SECRET_NAMES } from '../index.js';

const unavailable = kubeTestEnvUnavailable();
if (unavailable) console.warn(`skipping certgen integration tests: ${unavailable}`);

const NS = 'envoy-gateway-system';
const DAY = 24 * 3600 * 1000;

describe.skipIf(unavailable !== undefined)(
  'certgen against a real API server (integration)',
  () => {
    let env: KubeTestEnv;
    let kubeConfig: KubeConfig;
    beforeAll(async () => {
      env = await startKubeTestEnv({ crdPaths: [] });
      kubeConfig = new KubeConfig();
      kubeConfig.loadFromString(env.kubeconfig);
      await env.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }]);
    }, 180_000);
    afterAll(async () => {
      await env?.stop();
    }, 30_000);

    const secrets = async () => {
      const out: Record<
        string,
        { type: string; data: Record<string, string>; metadata: { resourceVersion: string } }
      > = {};
      for (const name of SECRET_NAMES) {
        const res = await env.request('GET', `/api/v1/namespaces/${NS}/secrets/${name}`);
        if (res.status === 200) out[name] = res.json as (typeof out)[string];
      }
      return out;
    };

    it('creates, keeps, and rotates the Secrets before they expire', async () => {
      const now = new Date();
      const created = await applyCertificateSecrets({ kubeConfig, validityMs: 30 * DAY, now });
      expect(created.action).toBe('created');
      const first = await secrets();
      expect(Object.keys(first).sort()).toEqual([...SECRET_NAMES].sort());
      expect(first['envoy-gateway']?.type).toBe('kubernetes.io/tls');
      expect(Object.keys(first.envoy?.data ?? {}).sort()).toEqual(['ca.crt', 'tls.crt', 'tls.key']);

      // Fresh: left alone (safe at every start).
      const kept = await applyCertificateSecrets({
        kubeConfig,
        validityMs: 30 * DAY,
        now: new Date(now.getTime() + DAY),
      });
      expect(kept).toMatchObject({ action: 'kept' });
      expect(kept.renewAt.getTime()).toBeLessThan(kept.notAfter.getTime());
      expect((await secrets()).envoy?.metadata.resourceVersion).toBe(
        first.envoy?.metadata.resourceVersion,
      );

      // Within the renewal window (the last third): a new CA and new certificates for every Secret.
      const rotated = await applyCertificateSecrets({
        kubeConfig,
        validityMs: 30 * DAY,
        now: new Date(now.getTime() + 21 * DAY),
      });
      expect(rotated.action).toBe('rotated');
      const second = await secrets();
      for (const name of ['envoy-gateway', 'envoy', 'envoy-rate-limit'] as const) {
        expect(second[name]?.data['ca.crt']).not.toBe(first[name]?.data['ca.crt']);
        expect(second[name]?.data['tls.crt']).not.toBe(first[name]?.data['tls.crt']);
      }
      expect(second['envoy-gateway']?.data['ca.crt']).toBe(second.envoy?.data['ca.crt']);

      // A missing Secret re-issues the set.
      expect((await env.request('DELETE', `/api/v1/namespaces/${NS}/secrets/envoy`)).status).toBe(
        200,
      );
      expect((await applyCertificateSecrets({ kubeConfig, validityMs: 30 * DAY })).action).toBe(
        'rotated',
      );
      expect(Object.keys(await secrets())).toHaveLength(4);
    }, 120_000);
  },
);
