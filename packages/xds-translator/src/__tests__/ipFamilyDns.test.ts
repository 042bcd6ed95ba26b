// EnvoyProxy ipFamily sets the DNS lookup family of clusters resolving hostnames, as Envoy
// Gateway does: IPv4 -> V4_ONLY, IPv6 -> V6_ONLY, DualStack -> ALL unless a policy chose one.
import { Cluster_DiscoveryType, Cluster_DnsLookupFamily } from '@egts/envoy-api';
import type { XdsIR } from '@egts/ir';
import { describe, expect, it } from 'vitest';
import { translateXds } from '../index.js';
import { withIpFamilyDns } from '../internal/cluster/ipFamilyDns.js';
import { translateDestinations } from '../translateDestinations.js';
import { caseIR } from './goldens.js';

const dnsFamilies = (ir: XdsIR, translate = translateXds) =>
  translate(ir)
    .clusters.filter((c) => c.type === Cluster_DiscoveryType.STRICT_DNS)
    .map((c) => c.dnsLookupFamily);

describe('ipFamily on DNS clusters', () => {
  it('maps each family, and leaves EDS clusters alone', async () => {
    const [ir] = await caseIR('ir-features');
    if (ir === undefined) throw new Error('no ir-features case');
    const plain = dnsFamilies(ir);
    expect(plain.length).toBeGreaterThan(0);
    expect(plain.every((f) => f === Cluster_DnsLookupFamily.V4_PREFERRED)).toBe(true);
    const families = [
      ['IPv4', Cluster_DnsLookupFamily.V4_ONLY],
      ['IPv6', Cluster_DnsLookupFamily.V6_ONLY],
      ['DualStack', Cluster_DnsLookupFamily.ALL],
    ] as const;
    for (const [ipFamily, expected] of families) {
      const withFamily = { ...ir, ipFamily };
      expect(dnsFamilies(withFamily)).toEqual(plain.map(() => expected));
      expect(dnsFamilies(withFamily, translateDestinations)).toEqual(plain.map(() => expected));
    }
    const eds = (x: XdsIR) =>
      translateXds(x).clusters.filter((c) => c.type === Cluster_DiscoveryType.EDS);
    expect(eds({ ...ir, ipFamily: 'IPv6' })).toEqual(eds(ir));
  });

  it('keeps a policy-chosen family under DualStack, not under IPv6', () => {
    const cluster = (family: Cluster_DnsLookupFamily) => ({
      listeners: [],
      routes: [],
      endpoints: [],
      secrets: [],
      clusters: [{ name: 'c', type: Cluster_DiscoveryType.STRICT_DNS, dnsLookupFamily: family }],
    });
    const custom = cluster(Cluster_DnsLookupFamily.V6_ONLY) as never;
    expect(withIpFamilyDns(custom, 'DualStack')).toBe(custom);
    const v4 = withIpFamilyDns(cluster(Cluster_DnsLookupFamily.AUTO) as never, 'IPv4');
    expect(v4.clusters[0]?.dnsLookupFamily).toBe(Cluster_DnsLookupFamily.V4_ONLY);
  });
});
