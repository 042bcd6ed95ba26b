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

const delta = (message: DeltaDiscoveryResponse) => {
  expect(serializeDeltaDiscoveryResponse(message)).toEqual(
    Buffer.from(DeltaDiscoveryResponse.encode(message).finish()),
  );
};

const sotw = (message: DiscoveryResponse) => {
  expect(serializeDiscoveryResponse(message)).toEqual(
    Buffer.from(DiscoveryResponse.encode(message).finish()),
  );
};

describe('serializeDeltaDiscoveryResponse', () => {
  it('writes what egts sends as the generated encoder does', () => {
    expect(routes.value.length).toBeGreaterThan(16_384);
    delta(
      DeltaDiscoveryResponse.fromPartial({
        systemVersionInfo: '2-abc-def',
        resources: [
          { name: 'backend', version: 'v1', resource: cluster },
          { name: 'listener/80', version: 'v2', resource: routes },
        ],
        typeUrl: cluster.typeUrl,
        removedResources: ['gone', 'also-gone'],
        nonce: '7',
      }),
    );
  });

  it('writes the fields egts never sets, and empty ones, as the generated encoder does', () => {
    delta(DeltaDiscoveryResponse.fromPartial({}));
    delta(
      DeltaDiscoveryResponse.fromPartial({
        resources: [
          {
            name: 'a',
            aliases: ['b', 'c'],
            resourceName: { name: 'a', dynamicParameterConstraints: {} },
            version: '',
            resource: { typeUrl: cluster.typeUrl, value: Buffer.alloc(0) },
            ttl: { seconds: 5 },
            cacheControl: { doNotCache: true },
            metadata: { filterMetadata: { x: { y: 1 } } },
          },
          {},
        ],
        removedResourceNames: [{ name: 'gone' }],
        controlPlane: { identifier: 'egts' },
      }),
    );
  });
});

describe('serializeDiscoveryResponse', () => {
  it('writes what egts sends as the generated encoder does', () => {
    sotw(
      DiscoveryResponse.fromPartial({
        versionInfo: 'v3',
        resources: [cluster, routes],
        typeUrl: cluster.typeUrl,
        nonce: '12',
      }),
    );
  });

  it('writes the fields egts never sets, and empty ones, as the generated encoder does', () => {
    sotw(DiscoveryResponse.fromPartial({}));
    sotw(
      DiscoveryResponse.fromPartial({
        canary: true,
        resources: [{ typeUrl: '', value: Buffer.alloc(0) }],
        controlPlane: { identifier: '' },
      }),
    );
  });
});
