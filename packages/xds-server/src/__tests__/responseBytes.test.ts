// The ADS responses written into one buffer of their size are the generated encoders' bytes, for
// what egts sends (names, versions, Any resources, removals) and for the fields it never sets.
import {
  Cluster,
  DeltaDiscoveryResponse,
  DiscoveryResponse,
  packAny,
  RouteConfiguration,
} from '@egts/envoy-api';
import { describe, expect, it } from 'vitest';
import {
  serializeDeltaDiscoveryResponse,
  serializeDiscoveryResponse,
} from '../internal/responseBytes.js';

const cluster = packAny(
  Cluster,
  Cluster.fromPartial({ name: 'backend', connectTimeout: { seconds: 1 } }),
);
// Over 16 KiB: lengths of three varint bytes and more.
const routes = packAny(
  RouteConfiguration,
  RouteConfiguration.fromPartial({
    name: 'listener/80',
    virtualHosts: Array.from({ length: 400 }, (_, i) => ({
      name: `host-${i}`,
      domains: [`app${i}.example.com`, 'ünïcode.example'],
    })),
  }),
);

const delta = (response: Partial<DeltaDiscoveryResponse>) => {
  const message = DeltaDiscoveryResponse.fromPartial(response);
  expect(serializeDeltaDiscoveryResponse(message)).toEqual(
    Buffer.from(DeltaDiscoveryResponse.encode(message).finish()),
  );
};

const sotw = (response: Partial<DiscoveryResponse>) => {
  const message = DiscoveryResponse.fromPartial(response);
  expect(serializeDiscoveryResponse(message)).toEqual(
    Buffer.from(DiscoveryResponse.encode(message).finish()),
  );
};

describe('serializeDeltaDiscoveryResponse', () => {
  it('writes what egts sends as the generated encoder does', () => {
    expect(routes.value.length).toBeGreaterThan(16_384);
    delta({
      systemVersionInfo: '2-abc-def',
      resources: [
        { name: 'backend', version: 'v1', resource: cluster },
        { name: 'listener/80', version: 'v2', resource: routes },
      ],
      typeUrl: cluster.typeUrl,
      removedResources: ['gone', 'also-gone'],
      nonce: '7',
    });
  });

  it('writes the fields egts never sets, and empty ones, as the generated encoder does', () => {
    delta({});
    delta({
      resources: [
        {
          name: 'a',
          aliases: ['b', 'c'],
          resourceName: { name: 'a', dynamicParameterConstraints: {} },
          version: '',
          resource: { typeUrl: cluster.typeUrl, value: new Uint8Array() },
          ttl: { seconds: 5 },
          cacheControl: { doNotCache: true },
          metadata: { filterMetadata: { x: { y: 1 } } },
        },
        {},
      ],
      removedResourceNames: [{ name: 'gone' }],
      controlPlane: { identifier: 'egts' },
    });
  });
});

describe('serializeDiscoveryResponse', () => {
  it('writes what egts sends as the generated encoder does', () => {
    sotw({
      versionInfo: 'v3',
      resources: [cluster, routes],
      typeUrl: cluster.typeUrl,
      nonce: '12',
    });
  });

  it('writes the fields egts never sets, and empty ones, as the generated encoder does', () => {
    sotw({});
    sotw({ canary: true, resources: [{ typeUrl: '', value: new Uint8Array() }], controlPlane: {} });
  });
});
