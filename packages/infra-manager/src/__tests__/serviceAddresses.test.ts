// A Gateway's addresses from its proxy Service, per Service type (GEP-1651, as Envoy Gateway does).
import { describe, expect, it } from 'vitest';
import { serviceAddresses } from '../index.js';

describe('serviceAddresses', () => {
  it('takes a LoadBalancer Service ingress IPs, then hostnames; none before it is provisioned', () => {
    const lb = { spec: { type: 'LoadBalancer', clusterIP: '10.96.0.7' } };
    expect(serviceAddresses(lb, false)).toEqual([]);
    expect(
      serviceAddresses(
        {
          ...lb,
          status: { loadBalancer: { ingress: [{ hostname: 'lb.example' }, { ip: '192.0.2.1' }] } },
        },
        false,
      ),
    ).toEqual([
      { type: 'IPAddress', value: '192.0.2.1' },
      { type: 'Hostname', value: 'lb.example' },
    ]);
  });

  it('takes a ClusterIP Service cluster IPs, none when headless', () => {
    const dual = { spec: { type: 'ClusterIP', clusterIPs: ['10.96.0.7', 'fd00::7'] } };
    expect(serviceAddresses(dual, false).map((a) => a.value)).toEqual(['10.96.0.7', 'fd00::7']);
    expect(serviceAddresses({ spec: { type: 'ClusterIP', clusterIP: 'None' } }, false)).toEqual([]);
    expect(serviceAddresses({ spec: { type: 'NodePort', clusterIP: '10.96.0.7' } }, false)).toEqual(
      [],
    );
  });

  it('reports requested addresses where the infra manager put them', () => {
    const service = {
      spec: { type: 'LoadBalancer', clusterIP: '10.96.0.7', externalIPs: ['192.0.2.5'] },
      status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } },
    };
    expect(serviceAddresses(service, true)).toEqual([{ type: 'IPAddress', value: '192.0.2.5' }]);
    expect(serviceAddresses({ spec: { type: 'ClusterIP', clusterIP: '10.96.0.9' } }, true)).toEqual(
      [{ type: 'IPAddress', value: '10.96.0.9' }],
    );
  });
});
