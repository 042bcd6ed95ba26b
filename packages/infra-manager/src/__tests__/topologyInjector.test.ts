// The topology injector's answer to a pods/binding AdmissionReview: which pods get a zone, and the
// JSON patch the API server applies to the Binding (whose annotations it copies onto the pod).
import { describe, expect, it } from 'vitest';
import { type TopologyLookup, topologyAdmission } from '../index.js';

const proxyLabels = {
  'app.kubernetes.io/name': 'envoy',
  'app.kubernetes.io/component': 'proxy',
  'app.kubernetes.io/managed-by': 'egts',
  'gateway.envoyproxy.io/owning-gateway-name': 'gw',
  'gateway.envoyproxy.io/owning-gateway-namespace': 'app',
};

const lookup = (
  pods: Record<string, Record<string, string>>,
  nodes: Record<string, Record<string, string>>,
): TopologyLookup => ({
  podLabels: async (namespace, name) => pods[`${namespace}/${name}`],
  nodeLabels: async (name) => nodes[name],
});

const review = (binding: Record<string, unknown>) => ({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: { uid: 'u-1', namespace: 'envoy-gateway-system', name: 'p', object: binding },
});

const binding = (node?: string, annotations?: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'Binding',
  metadata: { name: 'p', ...(annotations ? { annotations } : {}) },
  ...(node ? { target: { kind: 'Node', name: node } } : {}),
});

const patchOf = (answer: Record<string, unknown>) => {
  const response = answer.response as { patch?: string; patchType?: string; allowed: boolean };
  expect(response.allowed).toBe(true);
  return response.patch === undefined
    ? undefined
    : (JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8')) as unknown);
};

const cluster = lookup(
  { 'envoy-gateway-system/p': proxyLabels },
  { a: { 'topology.kubernetes.io/zone': 'us-east-1a' }, bare: {} },
);

describe('topologyAdmission', () => {
  it("adds the node's zone as an annotation of a proxy pod's Binding", async () => {
    const { review: answer, outcome } = await topologyAdmission(review(binding('a')), cluster);
    expect(answer).toMatchObject({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: 'u-1', allowed: true, patchType: 'JSONPatch' },
    });
    expect(patchOf(answer)).toEqual([
      {
        op: 'add',
        path: '/metadata/annotations',
        value: { 'topology.kubernetes.io/zone': 'us-east-1a' },
      },
    ]);
    expect(outcome).toEqual({
      type: 'injected',
      pod: 'envoy-gateway-system/p',
      node: 'a',
      zone: 'us-east-1a',
    });
  });

  it('keeps the annotations a Binding has, adding one key (JSON Pointer escaped)', async () => {
    const { review: answer } = await topologyAdmission(
      review(binding('a', { keep: 'me' })),
      cluster,
    );
    expect(patchOf(answer)).toEqual([
      {
        op: 'add',
        path: '/metadata/annotations/topology.kubernetes.io~1zone',
        value: 'us-east-1a',
      },
    ]);
  });

  it.each([
    [
      'a pod that is not an egts proxy',
      lookup({ 'envoy-gateway-system/p': { app: 'web' } }, {}),
      'a',
      'not a proxy pod',
    ],
    [
      "another controller's Envoy",
      lookup(
        {
          'envoy-gateway-system/p': {
            ...proxyLabels,
            'app.kubernetes.io/managed-by': 'envoy-gateway',
          },
        },
        {},
      ),
      'a',
      'not a proxy pod',
    ],
    ['a pod that is gone', lookup({}, {}), 'a', 'no such pod'],
    [
      'a node without a zone',
      cluster,
      'bare',
      'node bare has no topology.kubernetes.io/zone label',
    ],
    ['a binding without a node', cluster, undefined, 'the binding names no node'],
  ])('allows %s unchanged', async (_case, cluster, node, reason) => {
    const { review: answer, outcome } = await topologyAdmission(review(binding(node)), cluster);
    expect(patchOf(answer)).toBeUndefined();
    expect(outcome).toMatchObject({ type: 'skipped', reason });
  });

  it('allows the binding when the API server cannot be read (the pod then has no zone)', async () => {
    const broken: TopologyLookup = {
      podLabels: async () => {
        throw new Error('connection refused');
      },
      nodeLabels: async () => undefined,
    };
    const { review: answer, outcome } = await topologyAdmission(review(binding('a')), broken);
    expect(patchOf(answer)).toBeUndefined();
    expect(outcome).toEqual({
      type: 'failed',
      pod: 'envoy-gateway-system/p',
      error: 'connection refused',
    });
  });
});
