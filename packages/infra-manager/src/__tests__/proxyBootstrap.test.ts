// The generated bootstrap passes `envoy --mode validate`, with and without mTLS, and says what the
// xDS server expects: Delta ADS, node id and cluster naming the fleet.
import { validateEnvoyConfig } from '@egts/envoy-binary';
import { afterAll, describe, expect, it } from 'vitest';
import { proxyBootstrap, XDS_CLUSTER } from '../index.js';
import { createTestPki } from './pki.js';

describe('proxyBootstrap', () => {
  const pki = createTestPki();
  afterAll(() => pki.remove());

  it('is Delta ADS to a static xDS cluster, with the fleet as node id and cluster', async () => {
    const bootstrap = proxyBootstrap({
      proxyName: 'default/eg',
      xds: { host: '127.0.0.1', port: 18000 },
    });
    expect(bootstrap).toMatchObject({
      node: { id: 'default/eg', cluster: 'default/eg' },
      // Cluster traffic stats made on first use: applying thousands of clusters costs half.
      deferredStatOptions: { enableDeferredCreationStats: true },
      dynamicResources: {
        adsConfig: {
          apiType: 'DELTA_GRPC',
          grpcServices: [
            {
              envoyGrpc: {
                clusterName: XDS_CLUSTER,
                retryPolicy: { retryBackOff: { baseInterval: '0.250s', maxInterval: '1s' } },
              },
            },
          ],
        },
        cdsConfig: { ads: {} },
        ldsConfig: { ads: {} },
      },
      staticResources: { clusters: [{ name: XDS_CLUSTER, type: 'STATIC' }] },
    });
    const result = await validateEnvoyConfig(bootstrap);
    expect(result.output).not.toMatch(/error/i);
    expect(result.valid).toBe(true);
  });

  it('validates with mTLS files and a hostname for the server', async () => {
    const bootstrap = proxyBootstrap({
      proxyName: 'default/eg',
      xds: { host: 'localhost', port: 18000, tls: { ca: pki.ca, ...pki.client } },
    });
    expect(bootstrap).toMatchObject({
      staticResources: {
        clusters: [
          { type: 'STRICT_DNS', transportSocket: { name: 'envoy.transport_sockets.tls' } },
        ],
      },
    });
    expect((await validateEnvoyConfig(bootstrap)).valid).toBe(true);
    // A missing key file is refused: the TLS settings are really read.
    const broken = proxyBootstrap({
      proxyName: 'default/eg',
      xds: {
        host: '127.0.0.1',
        port: 18000,
        tls: { ca: pki.ca, cert: pki.client.cert, key: '/nonexistent.key' },
      },
    });
    expect((await validateEnvoyConfig(broken)).valid).toBe(false);
  });

  it('defines the local cluster of a zone-aware pod, its endpoints over EDS', async () => {
    const bootstrap = proxyBootstrap({
      proxyName: 'default/eg',
      xds: { host: '127.0.0.1', port: 18000 },
      localClusterOverXds: true,
    });
    expect(bootstrap).toMatchObject({
      clusterManager: { localClusterName: 'local_cluster' },
      staticResources: {
        clusters: expect.arrayContaining([
          expect.objectContaining({ name: 'local_cluster', type: 'EDS' }),
        ]),
      },
    });
    // Envoy refuses a local_cluster_name that names no cluster defined at start.
    expect((await validateEnvoyConfig(bootstrap)).valid).toBe(true);
  });

  it('has the pod probes when asked: admin on loopback, a /ready listener on every address', async () => {
    const bootstrap = proxyBootstrap({
      proxyName: 'default/eg',
      xds: { host: '127.0.0.1', port: 18000 },
      probes: { adminPort: 19000, readyPort: 19001, path: '/ready' },
    });
    expect(bootstrap).toMatchObject({
      admin: { address: { socketAddress: { address: '127.0.0.1', portValue: 19000 } } },
      staticResources: {
        listeners: [{ address: { socketAddress: { address: '0.0.0.0', portValue: 19001 } } }],
      },
    });
    expect(JSON.stringify(bootstrap)).toContain('"exact":"/ready"');
    expect((await validateEnvoyConfig(bootstrap)).valid).toBe(true);
    expect(proxyBootstrap({ proxyName: 'p', xds: { host: '::', port: 1 } })).not.toHaveProperty(
      'admin',
    );
  });

  it('names its zone and a local cluster of itself for zone-aware routing', async () => {
    const bootstrap = proxyBootstrap({
      proxyName: 'default/eg',
      xds: { host: '127.0.0.1', port: 18000 },
      zone: 'zone-a',
    });
    expect(bootstrap).toMatchObject({
      node: { locality: { zone: 'zone-a' } },
      clusterManager: { localClusterName: 'local_cluster' },
    });
    const clusters = (bootstrap as { staticResources: { clusters: { name: string }[] } })
      .staticResources.clusters;
    expect(clusters.find((c) => c.name === 'local_cluster')).toMatchObject({
      type: 'STATIC',
      loadAssignment: { endpoints: [{ locality: { zone: 'zone-a' } }] },
    });
    expect((await validateEnvoyConfig(bootstrap)).valid).toBe(true);
    // Without a zone: neither.
    const plain = JSON.stringify(proxyBootstrap({ proxyName: 'p', xds: { host: '::', port: 1 } }));
    expect(plain).not.toMatch(/local_cluster|locality/);
  });

  it('connects to loopback when the server listens on a wildcard address', () => {
    const addressOf = (host: string) =>
      JSON.stringify(proxyBootstrap({ proxyName: 'p', xds: { host, port: 1 } })).match(
        /"socketAddress":\{"address":"([^"]+)"/,
      )?.[1];
    expect(['0.0.0.0', '::', '10.1.2.3', 'xds.local'].map(addressOf)).toEqual([
      '127.0.0.1',
      '::1',
      '10.1.2.3',
      'xds.local',
    ]);
  });
});
