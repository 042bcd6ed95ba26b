// Gateway statuses from the proxy objects: addresses from the Services, per Gateway and for merged
// Gateways; Programmed only with an address and an available replica; the translator's own
// Programmed False left alone.
import type { ResourceStatus, Service } from '@egts/api';
import type { ProxyInfra } from '@egts/ir';
import { describe, expect, it } from 'vitest';
import { nodeAddresses, type ProxyWorkload, withInfraStatus } from '../index.js';
import { fleetObjectName } from '../internal/kubernetesObjects.js';

const NS = 'envoy-gateway-system';

const gateway = (name: string, programmed: 'True' | 'False'): ResourceStatus => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name, namespace: 'app' },
  status: {
    conditions: [
      { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'ok' },
      {
        type: 'Programmed',
        status: programmed,
        reason: programmed === 'True' ? 'Programmed' : 'Invalid',
        message: 'm',
      },
    ],
    listeners: [],
  },
});

const fleet = (name: string, owner: ProxyInfra['owner'], gateways: string[]): ProxyInfra => ({
  name,
  namespace: NS,
  owner,
  labels: {},
  annotations: {},
  listeners: gateways.map((g) => ({ name: `app/${g}/http`, ports: [] })),
  addresses: [],
});

const service = (proxy: ProxyInfra, ingress: string[]): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: fleetObjectName(proxy), namespace: NS },
  spec: { type: 'LoadBalancer', clusterIP: '10.96.0.9' },
  status: { loadBalancer: { ingress: ingress.map((ip) => ({ ip })) } },
});

const workload = (
  proxy: ProxyInfra,
  kind: 'Deployment' | 'DaemonSet',
  available: number,
): ProxyWorkload => ({
  kind,
  metadata: { name: fleetObjectName(proxy), namespace: NS },
  status:
    kind === 'Deployment'
      ? { replicas: 2, availableReplicas: available }
      : { desiredNumberScheduled: 3, numberAvailable: available },
});

const programmed = (status: ResourceStatus) =>
  (
    status.status.conditions as Array<{
      type: string;
      status: string;
      reason: string;
      message: string;
    }>
  ).find((c) => c.type === 'Programmed');

describe('withServiceAddresses', () => {
  const own = fleet('app/a', { gatewayClass: 'eg', gatewayNamespace: 'app', gatewayName: 'a' }, [
    'a',
  ]);
  const merged = fleet(
    'merged',
    {
      gatewayClass: 'merged',
      gateways: [
        { namespace: 'app', name: 'b' },
        { namespace: 'app', name: 'c' },
      ],
    },
    ['b', 'c'],
  );

  it('takes each Gateway address from its fleet Service, merged fleets included', () => {
    const out = withInfraStatus(
      [gateway('a', 'True'), gateway('b', 'True'), gateway('c', 'True')],
      { proxies: [own, merged] },
      {
        services: [service(own, ['192.0.2.1']), service(merged, ['192.0.2.2'])],
        workloads: [workload(own, 'Deployment', 1), workload(merged, 'DaemonSet', 3)],
      },
    );
    expect(out.map((s) => s.status.addresses)).toEqual([
      [{ type: 'IPAddress', value: '192.0.2.1' }],
      [{ type: 'IPAddress', value: '192.0.2.2' }],
      [{ type: 'IPAddress', value: '192.0.2.2' }],
    ]);
    expect(out.map((s) => programmed(s)?.message)).toEqual([
      'Address assigned to the Gateway, 1/2 envoy replicas available.',
      'Address assigned to the Gateway, 3/3 envoy replicas available.',
      'Address assigned to the Gateway, 3/3 envoy replicas available.',
    ]);
    expect(out.map((s) => programmed(s)?.status)).toEqual(['True', 'True', 'True']);
  });

  it("gives a NodePort Service's Gateway the nodes' addresses, ExternalIP before InternalIP", () => {
    const nodePort: Service = {
      ...service(own, []),
      spec: { type: 'NodePort', clusterIP: '10.96.0.9' },
    };
    const nodes = nodeAddresses([
      {
        status: {
          addresses: [
            { type: 'InternalIP', address: '10.0.0.2' },
            { type: 'ExternalIP', address: '203.0.113.2' },
          ],
        },
      },
      { status: { addresses: [{ type: 'InternalIP', address: '10.0.0.1' }] } },
      { status: { addresses: [{ type: 'Hostname', address: 'node-3' }] } },
    ]);
    expect(nodes).toEqual(['10.0.0.1', '203.0.113.2']);
    const [out] = withInfraStatus(
      [gateway('a', 'True')],
      { proxies: [own] },
      { services: [nodePort], workloads: [workload(own, 'Deployment', 1)], nodeAddresses: nodes },
    );
    expect(out?.status.addresses).toEqual([
      { type: 'IPAddress', value: '10.0.0.1' },
      { type: 'IPAddress', value: '203.0.113.2' },
    ]);
    expect(programmed(out!)?.status).toBe('True');
  });

  it('is not Programmed without an address, nor before its Service exists', () => {
    const out = withInfraStatus(
      [gateway('a', 'True'), gateway('b', 'True')],
      { proxies: [own, merged] },
      { services: [service(own, [])], workloads: [workload(own, 'Deployment', 1)] },
    );
    for (const status of out) {
      expect(status.status.addresses).toEqual([]);
      expect(programmed(status)).toMatchObject({ status: 'False', reason: 'AddressNotAssigned' });
    }
  });

  it('is not Programmed with an address but no available replica', () => {
    const [out] = withInfraStatus(
      [gateway('a', 'True')],
      { proxies: [own] },
      { services: [service(own, ['192.0.2.1'])], workloads: [workload(own, 'Deployment', 0)] },
    );
    expect(out?.status.addresses).toEqual([{ type: 'IPAddress', value: '192.0.2.1' }]);
    expect(programmed(out!)).toMatchObject({ status: 'False', reason: 'NoResources' });
  });

  it('leaves a Gateway the translator did not program as it is', () => {
    const input = gateway('a', 'False');
    const [out] = withInfraStatus(
      [input],
      { proxies: [own] },
      { services: [service(own, ['192.0.2.1'])], workloads: [workload(own, 'Deployment', 1)] },
    );
    expect(out).toBe(input);
  });
});
