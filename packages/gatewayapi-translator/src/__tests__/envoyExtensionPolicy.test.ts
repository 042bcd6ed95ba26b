// EnvoyExtensionPolicy: what egts cannot run is said on the policy (Invalid naming the field, or
// NotApplied), and what it runs reaches the routes' xDS IR.
import { loadResourcesFromText } from '@egts/api';
import { describe, expect, it } from 'vitest';
import { translate, wasmFailures, withWasmFailures } from '../index.js';
import { BASE, type Status } from './translateYaml.js';

const GATEWAY = `${BASE}---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: eg, namespace: default }
spec:
  gatewayClassName: envoy-gateway-class
  listeners: [{ name: http, port: 80, protocol: HTTP }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: r, namespace: default }
spec:
  parentRefs: [{ name: eg }]
  rules: [{ backendRefs: [{ name: service-1, port: 8080 }] }]
`;

const policy = (spec: string) => `---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyExtensionPolicy
metadata: { name: p, namespace: default }
spec:
  targetRefs: [{ group: gateway.networking.k8s.io, kind: HTTPRoute, name: r }]
${spec}`;

const run = (yaml: string) => {
  const { resources } = loadResourcesFromText(yaml, 'test.yaml', { lenient: true });
  const result = translate(resources, { now: new Date('2030-01-01T00:00:00Z') });
  const status = result.statuses.find((s) => s.kind === 'EnvoyExtensionPolicy')
    ?.status as unknown as Status | undefined;
  const accepted = status?.ancestors[0]?.conditions.find((c) => c.type === 'Accepted');
  const route = result.xdsIR[0]?.http[0]?.routes[0];
  return { accepted, route };
};

describe('EnvoyExtensionPolicy', () => {
  it('puts Lua from a ConfigMap (key lua, else the first key) and processors on its routes', () => {
    const { accepted, route } = run(
      `${GATEWAY}---
apiVersion: v1
kind: ConfigMap
metadata: { name: script, namespace: default }
data: { other: "function envoy_on_request(h) h:headers():add('x', '1') end" }
${policy(`  lua: [{ type: ValueRef, valueRef: { group: "", kind: ConfigMap, name: script } }]
  extProc:
  - backendRefs: [{ name: service-1, port: 8080 }]
    processingMode: { request: { body: Buffered } }
    messageTimeout: 2s
    failOpen: true`)}`,
    );
    expect(accepted?.status).toBe('True');
    expect(route?.extensions?.lua.map((l) => l.code)).toEqual([
      "function envoy_on_request(h) h:headers():add('x', '1') end",
    ]);
    expect(route?.extensions?.extProc[0]).toMatchObject({
      authority: 'service-1.default:8080',
      request: { body: 'Buffered', attributes: [] },
      failOpen: true,
      messageTimeoutMs: 2000,
    });
  });

  it('is Invalid naming what it cannot run, and the route runs nothing of it', () => {
    const missing = run(
      GATEWAY +
        policy('  lua: [{ type: ValueRef, valueRef: { group: "", kind: ConfigMap, name: nope } }]'),
    );
    expect(missing.accepted?.reason).toBe('Invalid');
    expect(missing.accepted?.message).toContain('ConfigMap default/nope not found');
    expect(missing.route?.extensions).toBeUndefined();
    const duplex = run(
      GATEWAY +
        policy(`  extProc:
  - backendRefs: [{ name: service-1, port: 8080 }]
    processingMode: { request: { body: FullDuplexStreamed } }`),
    );
    expect(duplex.accepted?.message).toContain('FullDuplexStreamed is not supported');
  });

  it('reports processor settings egts does not apply', () => {
    const { accepted } = run(
      GATEWAY +
        policy(`  extProc:
  - backendRefs: [{ name: service-1, port: 8080 }]
    backendSettings: { retry: { numRetries: 5 }, timeout: { http: { requestTimeout: 5s } } }`),
    );
    // A route's request timeout: no route carries the processor's calls; the retry applies.
    expect(accepted?.reason).toBe('NotApplied');
    expect(accepted?.message).toContain('spec.extProc.backendSettings.timeout.http.requestTimeout');
    expect(accepted?.message).not.toContain('retry');
  });

  it('pulls Wasm from an image with its pull secret, and fails the policy when it cannot', () => {
    const config = Buffer.from('{"auths":{"registry.test":{"auth":"dTpw"}}}').toString('base64');
    const yaml = `${GATEWAY}---
apiVersion: v1
kind: Secret
metadata: { name: pull, namespace: default }
type: kubernetes.io/dockerconfigjson
data: { .dockerconfigjson: ${config} }
${policy(`  wasm:
  - code:
      type: Image
      image: { url: registry.test/filter:v1, sha256: ${'AB'.repeat(32)}, pullSecretRef: { name: pull } }`)}`;
    const { resources } = loadResourcesFromText(yaml, 'test.yaml', { lenient: true });
    const result = translate(resources, { now: new Date('2030-01-01T00:00:00Z') });
    const route = result.xdsIR[0]?.http[0]?.routes[0];
    expect(route?.extensions?.wasm?.[0]?.code).toEqual({
      type: 'Image',
      url: 'registry.test/filter:v1',
      sha256: 'ab'.repeat(32),
      pullSecret: '{"auths":{"registry.test":{"auth":"dTpw"}}}',
    });
    // What the Wasm cache could not fetch fails the policy (Accepted False, Invalid).
    const unavailable = {
      ...result.xdsIR[0]!,
      http: result.xdsIR[0]!.http.map((l) => ({
        ...l,
        routes: l.routes.map((r) => ({
          ...r,
          ...(r.extensions && {
            extensions: {
              ...r.extensions,
              wasm: r.extensions.wasm?.map((m) => ({ ...m, unavailable: 'UNAUTHORIZED: no' })),
            },
          }),
        })),
      })),
    };
    const statuses = withWasmFailures(result.statuses, wasmFailures([unavailable]));
    const status = statuses.find((s) => s.kind === 'EnvoyExtensionPolicy')
      ?.status as unknown as Status;
    expect(status.ancestors[0]?.conditions.find((c) => c.type === 'Accepted')).toMatchObject({
      status: 'False',
      reason: 'Invalid',
      message: 'Wasm: UNAUTHORIZED: no.',
    });
    const missing = run(
      GATEWAY +
        policy(`  wasm:
  - code: { type: Image, image: { url: registry.test/filter:v1, pullSecretRef: { name: nope } } }`),
    );
    expect(missing.accepted?.message).toContain('Secret default/nope not found');
  });
});
