// preferLocal where a fleet's pods have no zone: reported on that Gateway's ancestor status, naming
// the field, never silently Accepted; other Gateways, policies and kinds keep their status.
import type { ResourceStatus } from '@egts/api';
import type { InfraIR, ProxyInfra } from '@egts/ir';
import { describe, expect, it } from 'vitest';
import { type ProxyPod, withZonelessProxies, zonelessGateways } from '../index.js';

const fleet = (gateway: string): ProxyInfra => ({
  name: `app/${gateway}`,
  namespace: 'envoy-gateway-system',
  owner: { gatewayClass: 'egts', gatewayNamespace: 'app', gatewayName: gateway },
  labels: {},
  annotations: {},
  listeners: [],
  addresses: [],
});
const infraIR: InfraIR = { proxies: [fleet('a'), fleet('b')] };

const pod = (gateway: string, zone?: string, node = 'n1'): ProxyPod => ({
  metadata: {
    labels: {
      'app.kubernetes.io/name': 'envoy',
      'app.kubernetes.io/component': 'proxy',
      'app.kubernetes.io/managed-by': 'egts',
      'gateway.envoyproxy.io/owning-gateway-name': gateway,
      'gateway.envoyproxy.io/owning-gateway-namespace': 'app',
    },
    ...(zone ? { annotations: { 'topology.kubernetes.io/zone': zone } } : {}),
  },
  spec: node ? { nodeName: node } : {},
});

const accepted = { type: 'Accepted', status: 'True' as const, reason: 'Accepted', message: 'ok' };
const policyStatus = (name: string, gateways: string[]): ResourceStatus => ({
  apiVersion: 'gateway.envoyproxy.io/v1alpha1',
  kind: 'BackendTrafficPolicy',
  metadata: { name, namespace: 'app' },
  status: {
    ancestors: gateways.map((gw) => ({
      ancestorRef: {
        group: 'gateway.networking.k8s.io',
        kind: 'Gateway',
        name: gw,
        namespace: 'app',
      },
      controllerName: 'gateway.envoyproxy.io/gatewayclass-controller',
      conditions: [accepted],
    })),
  },
});
const policies = [
  {
    metadata: { name: 'prefer', namespace: 'app' },
    spec: { loadBalancer: { zoneAware: { preferLocal: {} } } },
  },
  { metadata: { name: 'plain', namespace: 'app' }, spec: { loadBalancer: { type: 'Random' } } },
];
const conditionsOf = (statuses: ResourceStatus[], name: string) =>
  (
    (statuses.find((s) => s.metadata.name === name)?.status.ancestors ?? []) as {
      ancestorRef: { name: string };
      conditions: { status: string; reason: string; message: string }[];
    }[]
  ).map((a) => [a.ancestorRef.name, a.conditions[0]?.status, a.conditions[0]?.reason]);

describe('withZonelessProxies', () => {
  it('counts, per Gateway, the bound proxy pods without a zone', () => {
    const pods = [pod('a', 'z1'), pod('a'), pod('a', undefined, ''), pod('b', 'z2')];
    expect(zonelessGateways(infraIR, pods, 'annotation')).toEqual(
      new Map([['app/a', { zoneless: 1, bound: 2 }]]),
    );
    // Read where the pods read it: a label is not an annotation.
    expect(zonelessGateways(infraIR, [pod('b', 'z2')], 'label').get('app/b')).toEqual({
      zoneless: 1,
      bound: 1,
    });
  });

  it('reports preferLocal on the Gateways whose pods have no zone, naming the field', () => {
    const statuses = [policyStatus('prefer', ['a', 'b']), policyStatus('plain', ['a'])];
    const out = withZonelessProxies(
      statuses,
      infraIR,
      [pod('a'), pod('a'), pod('b', 'z2')],
      policies,
      'annotation',
    );
    expect(conditionsOf(out, 'prefer')).toEqual([
      ['a', 'False', 'NotApplied'],
      ['b', 'True', 'Accepted'],
    ]);
    const message = ((out[0]?.status.ancestors ?? []) as { conditions: { message: string }[] }[])[0]
      ?.conditions[0]?.message;
    expect(message).toContain('spec.loadBalancer.zoneAware.preferLocal');
    expect(message).toContain('2 of 2 proxy pods of Gateway app/a have no zone');
    // A policy without preferLocal is not concerned.
    expect(conditionsOf(out, 'plain')).toEqual([['a', 'True', 'Accepted']]);
  });

  it('changes nothing where every bound pod has its zone, or none is bound yet', () => {
    const statuses = [policyStatus('prefer', ['a', 'b'])];
    for (const pods of [[pod('a', 'z1'), pod('b', 'z2')], [pod('a', undefined, '')], []]) {
      expect(withZonelessProxies(statuses, infraIR, pods, policies, 'annotation')).toEqual(
        statuses,
      );
    }
  });
});
