// The generated CRDs on a real kube-apiserver: accepted as structural, served, and validating what
// @egts/api validates (a good EnvoyProxy is stored, one breaking an enum is refused).
import { join } from 'node:path';
import {
  type KubeTestEnv,
  kubeTestEnvUnavailable,
  readYamlObjects,
  sharedCrdDirs,
  startKubeTestEnv,
} from '@egts/kube-testenv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chartDir, envoyGatewayCrds } from '../index.js';

const unavailable = kubeTestEnvUnavailable();
if (unavailable) console.warn(`skipping install integration tests: ${unavailable}`);

describe.skipIf(unavailable !== undefined)(
  'generated CRDs on a real API server (integration)',
  () => {
    let env: KubeTestEnv;
    beforeAll(async () => {
      // Gateway API from its release (../shared), Envoy Gateway's kinds from our chart.
      env = await startKubeTestEnv({
        crdPaths: [sharedCrdDirs()[0] as string, join(chartDir(), 'crds')],
      });
    }, 240_000);
    afterAll(async () => {
      await env?.stop();
    });

    it('are Established and structural', async () => {
      for (const crd of envoyGatewayCrds()) {
        const name = (crd.metadata as { name: string }).name;
        const got = await env.request(
          'GET',
          `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`,
        );
        expect(got.status).toBe(200);
        const conditions = (
          got.json as {
            status: { conditions: { type: string; status: string; message: string }[] };
          }
        ).status.conditions;
        expect(conditions.find((c) => c.type === 'Established')?.status, name).toBe('True');
        expect(
          conditions.find((c) => c.type === 'NonStructuralSchema'),
          name,
        ).toBeUndefined();
      }
      const files = await readYamlObjects([
        join(chartDir(), 'crds', 'envoyproxies.gateway.envoyproxy.io.yaml'),
      ]);
      expect(files).toHaveLength(1);
    });

    it('store valid resources and refuse invalid ones', async () => {
      const path = '/apis/gateway.envoyproxy.io/v1alpha1/namespaces/default/envoyproxies';
      const good = await env.request('POST', path, {
        apiVersion: 'gateway.envoyproxy.io/v1alpha1',
        kind: 'EnvoyProxy',
        metadata: { name: 'good' },
        spec: {
          logging: { level: { default: 'info' } },
          provider: { type: 'Kubernetes', kubernetes: { envoyDeployment: { replicas: 2 } } },
        },
      });
      expect(good.status, good.text).toBe(201);
      const bad = await env.request('POST', path, {
        apiVersion: 'gateway.envoyproxy.io/v1alpha1',
        kind: 'EnvoyProxy',
        metadata: { name: 'bad' },
        spec: { logging: { level: { default: 'loud' } } },
      });
      expect(bad.status).toBe(422);
      expect(bad.text).toContain('spec.logging.level.default');
      const ctp = await env.request(
        'POST',
        '/apis/gateway.envoyproxy.io/v1alpha1/namespaces/default/clienttrafficpolicies',
        {
          apiVersion: 'gateway.envoyproxy.io/v1alpha1',
          kind: 'ClientTrafficPolicy',
          metadata: { name: 'ctp' },
          spec: {
            targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw' }],
            timeout: { http: { idleTimeout: '5s' } },
          },
        },
      );
      expect(ctp.status, ctp.text).toBe(201);
    });
  },
);
