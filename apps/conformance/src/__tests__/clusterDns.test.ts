// The harness's cluster DNS: Envoy's dynamic forward proxy caches are pointed at it (the cluster's
// and the SNI filter's alike, which Envoy requires of one cache), and it answers a Service's
// cluster DNS name with a cluster IP whose ports reach the pod's stand-in.
import {
  DynamicForwardProxyClusterConfig,
  Cluster as EnvoyCluster,
  Listener,
  packAny,
  SniDynamicForwardProxyFilterConfig,
  unpackAnyAs,
} from '@egts/envoy-api';
import { describe, expect, it } from 'vitest';
import { Cluster } from '../internal/cluster.js';
import { clusterDnsUnavailable, startClusterDns, withClusterDns } from '../internal/clusterDns.js';
import { dnsQuery } from '../internal/dnsServer.js';

const cache = { name: 'dfp', dnsLookupFamily: 0 };

describe('withClusterDns', () => {
  it("points the DFP clusters' and SNI filters' DNS caches at the cluster DNS, others untouched", () => {
    const dfp = EnvoyCluster.fromPartial({
      name: 'dfp',
      clusterType: {
        name: 'envoy.clusters.dynamic_forward_proxy',
        typedConfig: packAny(
          DynamicForwardProxyClusterConfig,
          DynamicForwardProxyClusterConfig.fromPartial({ dnsCacheConfig: cache }),
        ),
      },
    });
    const plain = EnvoyCluster.fromPartial({ name: 'plain' });
    const listener = Listener.fromPartial({
      name: 'tls',
      filterChains: [
        {
          filters: [
            {
              name: 'envoy.filters.network.sni_dynamic_forward_proxy',
              typedConfig: packAny(
                SniDynamicForwardProxyFilterConfig,
                SniDynamicForwardProxyFilterConfig.fromPartial({ dnsCacheConfig: cache }),
              ),
            },
          ],
        },
      ],
    });
    const out = withClusterDns(
      { listeners: [listener], routes: [], clusters: [dfp, plain], endpoints: [], secrets: [] },
      5353,
    );
    const resolver = { socketAddress: { address: '127.0.0.1', portValue: 5353 } };
    const clusterConfig = unpackAnyAs(
      DynamicForwardProxyClusterConfig,
      out.clusters[0]!.clusterType!.typedConfig!,
    );
    expect(clusterConfig.dnsCacheConfig?.name).toBe('dfp');
    expect(clusterConfig.dnsCacheConfig?.dnsResolutionConfig?.resolvers).toMatchObject([resolver]);
    const filterConfig = unpackAnyAs(
      SniDynamicForwardProxyFilterConfig,
      out.listeners[0]!.filterChains[0]!.filters[0]!.typedConfig!,
    );
    // The same cache, the same settings (Envoy refuses two configs under one name).
    expect(filterConfig.dnsCacheConfig).toEqual(clusterConfig.dnsCacheConfig);
    expect(out.clusters[1]).toBe(plain);
  });
});

describe.skipIf(clusterDnsUnavailable() !== undefined)('cluster DNS', () => {
  it("answers a Service's name with a cluster IP that reaches its pod; unknown Services get NXDOMAIN", async () => {
    const cluster = new Cluster();
    await cluster.apply([
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'ns' },
        spec: { template: { metadata: { labels: { app: 'web' } } } },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'svc', namespace: 'ns' },
        spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 3000 }] },
      },
    ]);
    const dns = await startClusterDns(cluster);
    try {
      const reply = await dnsQuery(dns.port, 'svc.ns.svc.cluster.local.');
      if (reply instanceof Error) throw reply;
      const ip = reply.answers.find((a) => a.type === 'A')?.data;
      expect(ip).toMatch(/^127\.0\.10\.\d+$/);
      // The Service's port 80 on its cluster IP reaches the pod's (echo) stand-in.
      const res = await fetch(`http://${ip}/hello`, { signal: AbortSignal.timeout(10_000) });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ path: '/hello', namespace: 'ns' });
      const unknown = await dnsQuery(dns.port, 'nope.ns.svc.cluster.local.');
      if (unknown instanceof Error) throw unknown;
      expect(unknown.rcode).toBe('NXDOMAIN');
    } finally {
      await dns.close();
      await cluster.close();
    }
  });
});
