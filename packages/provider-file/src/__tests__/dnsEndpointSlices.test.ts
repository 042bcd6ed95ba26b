// Services without EndpointSlices get one synthesized from their DNS name, external name or
// cluster IP, through the file provider and as a pure function.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  loadResourcesFromText,
  DNS_ENDPOINT_SLICE_MANAGER as MANAGED_BY,
  ENDPOINT_SLICE_MANAGED_BY_LABEL as MANAGED_BY_LABEL,
  withDnsEndpointSlices,
} from '@egts/api';
import { translate } from '@egts/gatewayapi-translator';
import { firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createFileProvider } from '../index.js';

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

  it('gives the translator endpoints: the cluster IP (EDS) or the DNS name (FQDN) at the Service port', () => {
    const { resources, problems } = loadResourcesFromText(`apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: eg }
spec: { controllerName: gateway.envoyproxy.io/gatewayclass-controller }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: eg, namespace: default }
spec: { gatewayClassName: eg, listeners: [{ name: http, protocol: HTTP, port: 80 }] }
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: r, namespace: default }
spec:
  parentRefs: [{ name: eg }]
  rules: [{ backendRefs: [{ name: local, port: 3000 }, { name: web, port: 8080 }] }]
---
apiVersion: v1
kind: Service
metadata: { name: local, namespace: default }
spec: { clusterIP: 127.0.0.1, ports: [{ port: 3000 }] }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: default }
spec: { ports: [{ name: http, port: 8080, targetPort: 80 }] }
`);
    expect(problems).toEqual([]);
    const { xdsIR } = translate(withDnsEndpointSlices(resources));
    // Every destination setting in the IR, wherever it sits.
    const settings: { addressType: string; endpoints: { host: string; port: number }[] }[] = [];
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (typeof value === 'object' && value !== null) {
        if ('addressType' in value && 'endpoints' in value)
          settings.push(value as (typeof settings)[number]);
        else Object.values(value).forEach(walk);
      }
    };
    walk(xdsIR);
    expect(
      settings.map((s) => ({
        type: s.addressType,
        endpoints: s.endpoints.map((e) => `${e.host}:${e.port}`),
      })),
    ).toEqual([
      { type: 'IP', endpoints: ['127.0.0.1:3000'] },
      { type: 'FQDN', endpoints: ['web.default:8080'] },
    ]);
  });
});
