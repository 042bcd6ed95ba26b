// certgen against a real kube-apiserver: creates the Secrets, keeps them while they are fresh,
// renews certificates from the same CA, and replaces the CA in three steps (joins the bundle, signs,
// leaves the bundle), all at simulated times.
import { X509Certificate } from 'node:crypto';
import { type KubeTestEnv, kubeTestEnvUnavailable, startKubeTestEnv } from '@egts/kube-testenv';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyCertificateSecrets,
  CA_SECRET,
  SECRET_NAMES,
  topologyInjectorWebhookName,
} from '../index.js';
import { rsaCa } from './rsaCa.js';

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
    });

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

    const decode = (value: string | undefined) => Buffer.from(value ?? '', 'base64').toString();
    const bundleOf = async (name: string) =>
      decode((await secrets())[name]?.data['ca.crt'])
        .split('-----END CERTIFICATE-----')
        .filter((pem) => pem.includes('BEGIN'))
        .map((pem) => new X509Certificate(`${pem}-----END CERTIFICATE-----`));
    const leafOf = async (name: string) =>
      new X509Certificate(decode((await secrets())[name]?.data['tls.crt']));
    const signs = (ca: X509Certificate, leaf: X509Certificate) => leaf.verify(ca.publicKey);

    it('creates, keeps, renews the certificates, and replaces the CA with overlap', async () => {
      const t0 = Date.now();
      const timing = {
        kubeConfig,
        validityMs: 30 * DAY,
        renewBeforeMs: 10 * DAY,
        caValidityMs: 90 * DAY,
        caRenewBeforeMs: 30 * DAY,
        propagationMs: DAY,
      };
      const at = (days: number) =>
        applyCertificateSecrets({ ...timing, now: new Date(t0 + days * DAY) });
      const created = await at(0);
      expect(created).toMatchObject({
        action: 'created',
        steps: ['ca-created', 'certificates-issued'],
      });
      const first = await secrets();
      expect(Object.keys(first).sort()).toEqual([...SECRET_NAMES].sort());
      expect(first['envoy-gateway']?.type).toBe('kubernetes.io/tls');
      expect(Object.keys(first.envoy?.data ?? {}).sort()).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
      const [ca1] = await bundleOf('envoy');
      expect(await bundleOf('envoy-gateway')).toHaveLength(1);
      expect(signs(ca1!, await leafOf('envoy'))).toBe(true);
      expect(created.nextAt.getTime()).toBe(created.renewAt.getTime());

      // Fresh: left alone (safe at every start).
      const kept = await at(1);
      expect(kept).toMatchObject({ action: 'kept', steps: [] });
      expect((await secrets()).envoy?.metadata.resourceVersion).toBe(
        first.envoy?.metadata.resourceVersion,
      );

      // Within the renewal window: new certificates from the same CA, so every peer still trusts them.
      expect((await at(21)).steps).toEqual(['certificates-issued']);
      expect((await bundleOf('envoy')).map((c) => c.fingerprint256)).toEqual([ca1!.fingerprint256]);
      expect(decode((await secrets()).envoy?.data['tls.crt'])).not.toBe(
        decode(first.envoy?.data['tls.crt']),
      );
      expect(signs(ca1!, await leafOf('envoy-gateway'))).toBe(true);

      // The CA nears expiry: a second CA joins the bundle first, still not signing.
      await at(41);
      const added = await at(61);
      expect(added.steps).toContain('ca-added');
      const [old, ca2] = await bundleOf('envoy');
      expect(old?.fingerprint256).toBe(ca1!.fingerprint256);
      expect(ca2?.fingerprint256).not.toBe(ca1!.fingerprint256);
      expect(signs(ca1!, await leafOf('envoy'))).toBe(true);
      expect(added.nextAt.getTime()).toBe(t0 + 62 * DAY);
      expect((await at(61.5)).action).toBe('kept');

      // After the propagation delay the new CA signs; the old one stays trusted meanwhile.
      expect((await at(62)).steps).toEqual(['ca-promoted', 'certificates-issued']);
      expect(await bundleOf('envoy-gateway')).toHaveLength(2);
      expect(signs(ca2!, await leafOf('envoy'))).toBe(true);
      expect(signs(ca2!, await leafOf('envoy-gateway'))).toBe(true);

      // After another, the old CA leaves the bundle.
      expect((await at(63)).steps).toEqual(['ca-retired', 'bundle-updated']);
      for (const name of ['envoy', 'envoy-gateway', 'envoy-rate-limit']) {
        expect((await bundleOf(name)).map((c) => c.fingerprint256)).toEqual([ca2!.fingerprint256]);
      }

      // A missing Secret is re-issued, from the current CA.
      expect((await env.request('DELETE', `/api/v1/namespaces/${NS}/secrets/envoy`)).status).toBe(
        200,
      );
      expect((await at(63)).steps).toEqual(['certificates-issued']);
      expect(signs(ca2!, await leafOf('envoy'))).toBe(true);
      expect(Object.keys(await secrets())).toHaveLength(SECRET_NAMES.length);
    }, 180_000);

    it("keeps the topology injector webhook's caBundle equal to the trust bundle, through a CA rotation", async () => {
      const ns = 'webhook-ca';
      const name = topologyInjectorWebhookName(ns);
      await env.apply([
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
        {
          apiVersion: 'admissionregistration.k8s.io/v1',
          kind: 'MutatingWebhookConfiguration',
          metadata: { name },
          webhooks: [
            {
              name: 'topology.webhook.gateway.envoyproxy.io',
              admissionReviewVersions: ['v1'],
              sideEffects: 'None',
              failurePolicy: 'Ignore',
              clientConfig: { url: 'https://127.0.0.1:1/inject-pod-topology' },
              rules: [
                {
                  operations: ['CREATE'],
                  apiGroups: [''],
                  apiVersions: ['v1'],
                  resources: ['pods/binding'],
                },
              ],
              namespaceSelector: {
                matchExpressions: [
                  { key: 'kubernetes.io/metadata.name', operator: 'In', values: [ns] },
                ],
              },
            },
          ],
        },
      ]);
      const t0 = Date.now();
      const at = (days: number) =>
        applyCertificateSecrets({
          kubeConfig,
          namespace: ns,
          validityMs: 30 * DAY,
          renewBeforeMs: 10 * DAY,
          caValidityMs: 90 * DAY,
          caRenewBeforeMs: 30 * DAY,
          propagationMs: DAY,
          // The second one does not exist (a disabled webhook): skipped.
          webhookConfigurations: [name, topologyInjectorWebhookName('elsewhere')],
          now: new Date(t0 + days * DAY),
        });
      const caBundle = async () => {
        const res = await env.request(
          'GET',
          `/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/${name}`,
        );
        const hook = (res.json as { webhooks: { clientConfig: { caBundle?: string } }[] })
          .webhooks[0];
        return decode(hook?.clientConfig.caBundle);
      };
      const bundle = async () =>
        decode(
          (
            (await env.request('GET', `/api/v1/namespaces/${ns}/secrets/envoy-gateway`)).json as {
              data: Record<string, string>;
            }
          ).data['ca.crt'],
        );
      expect((await at(0)).steps).toEqual([
        'ca-created',
        'certificates-issued',
        'webhook-ca-updated',
      ]);
      expect(await caBundle()).toBe(await bundle());
      expect((await at(1)).steps).toEqual([]);
      // The new CA is trusted by the API server as soon as it joins the bundle, before it signs.
      await at(41);
      expect((await at(61)).steps).toEqual(
        expect.arrayContaining(['ca-added', 'webhook-ca-updated']),
      );
      expect((await caBundle()).match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
      expect(await caBundle()).toBe(await bundle());
      expect((await at(62)).steps).toEqual(['ca-promoted', 'certificates-issued']);
      expect((await at(63)).steps).toEqual(['ca-retired', 'bundle-updated', 'webhook-ca-updated']);
      expect(await caBundle()).toBe(await bundle());
    }, 180_000);

    it('keeps issuing from an RSA CA made earlier, then replaces it with a P-256 one', async () => {
      const ns = 'rsa-ca';
      const old = rsaCa(90);
      const b64 = (text: string) => Buffer.from(text).toString('base64');
      await env.apply([
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: CA_SECRET, namespace: ns },
          data: { 'tls.crt': b64(old.cert), 'tls.key': b64(old.key), 'ca.crt': b64(old.cert) },
        },
      ]);
      const t0 = Date.now();
      const at = (days: number) =>
        applyCertificateSecrets({
          kubeConfig,
          namespace: ns,
          validityMs: 30 * DAY,
          renewBeforeMs: 10 * DAY,
          caValidityMs: 90 * DAY,
          caRenewBeforeMs: 30 * DAY,
          propagationMs: DAY,
          now: new Date(t0 + days * DAY),
        });
      const leaf = async (name: string) =>
        new X509Certificate(
          decode(
            (
              (await env.request('GET', `/api/v1/namespaces/${ns}/secrets/${name}`)).json as {
                data: Record<string, string>;
              }
            ).data['tls.crt'],
          ),
        );
      const oldCa = new X509Certificate(old.cert);
      expect((await at(0)).steps).toEqual(['certificates-issued']);
      expect(signs(oldCa, await leaf('envoy'))).toBe(true);
      expect((await leaf('envoy')).publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
      expect((await at(1)).steps).toEqual([]);
      await at(21);
      expect((await at(61)).steps).toContain('ca-added');
      expect((await at(62)).steps).toEqual(['ca-promoted', 'certificates-issued']);
      const caSecret = (await env.request('GET', `/api/v1/namespaces/${ns}/secrets/${CA_SECRET}`))
        .json as { data: Record<string, string> };
      const signer = new X509Certificate(decode(caSecret.data['tls.crt']));
      expect(signer.publicKey.asymmetricKeyType).toBe('ec');
      for (const name of ['envoy', 'envoy-gateway', 'envoy-rate-limit']) {
        expect(signs(signer, await leaf(name))).toBe(true);
      }
      expect((await at(63)).steps).toEqual(['ca-retired', 'bundle-updated']);
      expect(decode(caSecret.data['ca.crt'])).toContain(old.cert.trim());
    }, 180_000);

    it('refuses timings under which a rotation could outrun propagation', async () => {
      await expect(
        applyCertificateSecrets({ kubeConfig, validityMs: DAY, propagationMs: DAY }),
      ).rejects.toThrow(/certificate timing/);
    });
  },
);
