// The CoreDNS stand-in of the UDPRoute tests: it serves the Corefile's whoami zones as CoreDNS
// does (the client's address and port in the additional section) and refuses the rest (their
// `forward` goes to public resolvers, out of reach offline).
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../conformanceTest.js';
import { dnsQuery, startDnsServer, whoamiZones } from '../internal/dnsServer.js';

const COREFILE = `.:53 {
    forward . 8.8.8.8 9.9.9.9
    log
}

foo.bar.com:53 {
  whoami
}
`;

describe('CoreDNS stand-in', () => {
  it('reads the whoami zones of a Corefile', () => {
    expect(whoamiZones(COREFILE)).toEqual(['foo.bar.com']);
    expect(whoamiZones('dns://a.example:53 b.example {\n  log\n  whoami\n}')).toEqual([
      'a.example',
      'b.example',
    ]);
  });

  it('answers its whoami zones over UDP with the address the query came from, refuses others', async () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'coredns', namespace: 'ns' },
      spec: { template: { spec: { volumes: [{ name: 'conf', configMap: { name: 'coredns' } }] } } },
    } as unknown as KubeObject;
    const configMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'coredns', namespace: 'ns' },
      data: { Corefile: COREFILE },
    } as unknown as KubeObject;
    const server = await startDnsServer('ns', 'coredns-1', deployment, (kind, ns, name) =>
      kind === 'ConfigMap' && ns === 'ns' && name === 'coredns' ? configMap : undefined,
    );
    try {
      expect(server.ports?.[53]).toBe(server.port);
      const reply = await dnsQuery(server.port, 'foo.bar.com.');
      if (reply instanceof Error) throw reply;
      expect(reply.rcode).toBe('NOERROR');
      expect(reply.answers).toEqual([]);
      expect(reply.additionals?.find((r) => r.type === 'A')).toMatchObject({
        name: 'foo.bar.com',
        data: '127.0.0.1',
      });
      expect(reply.additionals?.find((r) => r.type === 'SRV')?.name).toBe('_udp.foo.bar.com');
      const other = await dnsQuery(server.port, 'example.com.');
      if (other instanceof Error) throw other;
      expect(other.rcode).toBe('REFUSED');
    } finally {
      await server.close();
    }
  });
});
