// Services without EndpointSlices get one synthesized from their DNS name, external name or
// cluster IP, through the file provider and as a pure function.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createFileProvider, MANAGED_BY, MANAGED_BY_LABEL } from '../index.js';

const services = `apiVersion: v1
kind: Service
metadata: { name: plain, namespace: apps }
spec: { ports: [{ name: http, port: 8080, targetPort: 9090 }] }
---
apiVersion: v1
kind: Service
metadata: { name: external }
spec: { type: ExternalName, externalName: backend.example.com., ports: [{ port: 443 }] }
---
apiVersion: v1
kind: Service
metadata: { name: local, namespace: default }
spec: { clusterIP: 127.0.0.1, ports: [{ port: 3000, protocol: TCP }] }
---
apiVersion: v1
kind: Service
metadata: { name: v6, namespace: default }
spec: { clusterIP: "::1", ports: [{ port: 3000 }] }
---
apiVersion: v1
kind: Service
metadata: { name: headless, namespace: default }
spec: { clusterIP: None, ports: [{ port: 80 }] }
---
apiVersion: v1
kind: Service
metadata: { name: sliced, namespace: default }
spec: { ports: [{ port: 80 }] }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: sliced-1, namespace: default, labels: { kubernetes.io/service-name: sliced } }
addressType: IPv4
endpoints: [{ addresses: [10.0.0.1] }]
ports: [{ port: 8080 }]
`;

describe('DNS EndpointSlices', () => {
  it('synthesizes one slice per Service without EndpointSlices, and none for the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'egts-provider-dns-'));
    writeFileSync(join(dir, 'services.yaml'), services);
    const provider = createFileProvider({ paths: [dir] });
    try {
      const snapshot = await firstValueFrom(provider.resources$);
      expect(snapshot.problems).toEqual([]);
      const slices = Object.fromEntries(
        snapshot.resources.endpointSlices.map((s) => [
          `${s.metadata.namespace}/${s.metadata.name}`,
          {
            service: s.metadata.labels?.['kubernetes.io/service-name'],
            managedBy: s.metadata.labels?.[MANAGED_BY_LABEL],
            addressType: s.addressType,
            addresses: s.endpoints.flatMap((e) => e.addresses),
            ports: s.ports,
          },
        ]),
      );
      expect(slices).toEqual({
        'default/sliced-1': {
          service: 'sliced',
          managedBy: undefined,
          addressType: 'IPv4',
          addresses: ['10.0.0.1'],
          ports: [{ port: 8080, protocol: 'TCP' }],
        },
        'apps/plain-dns': {
          service: 'plain',
          managedBy: MANAGED_BY,
          addressType: 'FQDN',
          addresses: ['plain.apps'],
          ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
        },
        'default/external-dns': {
          service: 'external',
          managedBy: MANAGED_BY,
          addressType: 'FQDN',
          addresses: ['backend.example.com'],
          ports: [{ port: 443, protocol: 'TCP' }],
        },
        'default/local-dns': {
          service: 'local',
          managedBy: MANAGED_BY,
          addressType: 'IPv4',
          addresses: ['127.0.0.1'],
          ports: [{ port: 3000, protocol: 'TCP' }],
        },
        'default/v6-dns': {
          service: 'v6',
          managedBy: MANAGED_BY,
          addressType: 'IPv6',
          addresses: ['::1'],
          ports: [{ port: 3000, protocol: 'TCP' }],
        },
        'default/headless-dns': {
          service: 'headless',
          managedBy: MANAGED_BY,
          addressType: 'FQDN',
          addresses: ['headless.default'],
          ports: [{ port: 80, protocol: 'TCP' }],
        },
      });
    } finally {
      await provider.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
